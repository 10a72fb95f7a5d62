"""The product's own knobs: LLM providers, song analysis, routing safety, job records, and the
fairness between listeners."""

from __future__ import annotations

from config.settings._environment import env

# --- LLM providers -------------------------------------------------------------
# A JSON list of providers (see config.env.llm_providers), checked here at start-up and
# written to the database by `manage.py sync_llm_providers`; the admin adds others.
LLM_PROVIDERS = env.llm_providers("LLM_PROVIDERS")
# A failed provider is skipped for base * 2^(failures-1) seconds, at most max.
LLM_CIRCUIT_BASE_COOLDOWN = env.integer("LLM_CIRCUIT_BASE_COOLDOWN", default=30, minimum=1)
LLM_CIRCUIT_MAX_COOLDOWN = env.integer("LLM_CIRCUIT_MAX_COOLDOWN", default=900, minimum=1)
# Seconds a health check may take per provider (it is a GET of a list, never a completion).
LLM_HEALTH_CHECK_TIMEOUT = env.integer("LLM_HEALTH_CHECK_TIMEOUT", default=10, minimum=1)
# Per-call records older than this are deleted by the health-check task.
LLM_CALL_RETENTION_DAYS = env.integer("LLM_CALL_RETENTION_DAYS", default=30, minimum=1)
# LLM providers and LRCLIB are called only at public addresses (core.outbound): a provider
# pointed at a private, loopback or link-local address is refused. True lets any through: for a
# server on this machine or its private network (the demo, the tests), at the price that whoever
# may edit providers may make this server call any internal address. A list of host names and
# networks ("ollama,10.0.0.0/8") lets only those through: compose's Ollama, not the database.
LLM_ALLOW_PRIVATE_HOSTS = env.private_hosts("LLM_ALLOW_PRIVATE_HOSTS")
# The most of an answer read from an LLM provider or LRCLIB (core.outbound): a longer one is a
# failure of that host, its rest unread. Model lists are the longest answers (a few hundred KB).
OUTBOUND_MAX_ANSWER_BYTES = env.integer(
    "OUTBOUND_MAX_ANSWER_BYTES", default=4 * 1024 * 1024, minimum=64 * 1024
)

# --- Song analysis ---------------------------------------------------------------
# LRCLIB's base URL (the demo and the tests point it at the sandbox's /lrclib).
LYRICS_API_URL = env.http_url("LYRICS_API_URL", default="https://lrclib.net")
LYRICS_HTTP_TIMEOUT = env.integer("LYRICS_HTTP_TIMEOUT", default=10, minimum=1)
# Tracks per queued analysis task: small enough that a task ends well inside Q_TIMEOUT.
ANALYSIS_BATCH_SIZE = env.integer("ANALYSIS_BATCH_SIZE", default=20, minimum=1)
# Batches of one listener in the bulk queue (or running) at a time; the rest wait in the database
# and are handed over as these end, so a huge library never fills the queue ahead of others.
ANALYSIS_BATCHES_PER_LISTENER = env.integer("ANALYSIS_BATCHES_PER_LISTENER", default=2, minimum=1)
# Songs a batch analyses before it gives its worker to another listener's waiting batch (it goes
# on later from where it stopped): a new listener waits for this many songs, not a whole batch.
ANALYSIS_TURN_SONGS = env.integer("ANALYSIS_TURN_SONGS", default=3, minimum=1)
# Seconds an import runs before, between two playlists, it gives its worker to another listener's
# waiting import or route (it goes on later from there; 0: after every playlist, as tests do).
IMPORT_TURN_SECONDS = env.integer("IMPORT_TURN_SECONDS", default=2, minimum=0)
# Listeners per task of a round (history poll, daily ingest, token refresh): each chunk is its
# own task, with its own time limit and failure record (core.fanout).
LISTENER_ROUND_CHUNK = env.integer("LISTENER_ROUND_CHUNK", default=20, minimum=1)

# --- Routing safety --------------------------------------------------------------
# A route that would remove more than this percentage of a child holding at least
# ROUTE_CONFIRM_MIN_TRACKS tracks (or empty a non-empty child) stops before writing and
# waits for the listener's confirmation.
ROUTE_CONFIRM_REMOVAL_PERCENT = env.integer("ROUTE_CONFIRM_REMOVAL_PERCENT", default=50, minimum=1)
ROUTE_CONFIRM_MIN_TRACKS = env.integer("ROUTE_CONFIRM_MIN_TRACKS", default=20, minimum=1)
# Backups of a child's contents kept: its newest ROUTE_BACKUPS_KEEP, and any younger than
# ROUTE_BACKUP_DAYS days (pruned daily).
ROUTE_BACKUPS_KEEP = env.integer("ROUTE_BACKUPS_KEEP", default=10, minimum=1)
ROUTE_BACKUP_DAYS = env.integer("ROUTE_BACKUP_DAYS", default=30, minimum=1)

# --- Job records -----------------------------------------------------------------
# Finished job records (and Django-Q's failed tasks) older than this are pruned on Mondays.
JOB_RECORD_DAYS = env.integer("JOB_RECORD_DAYS", default=30, minimum=1)

# --- Fairness between listeners --------------------------------------------------------
# Requests each listener (keyed by user id) may make per scope, counted in the default cache so
# a limit holds across web processes; an endpoint and the page doing the same share a counter
# (core.throttles). THROTTLE_RATES replaces some: "imports=10/hour,previews=off".
THROTTLE_RATES = env.throttle_rates(
    "THROTTLE_RATES",
    defaults={
        "imports": "6/hour",  # imports and their retries
        "routes": "30/hour",  # routes, their retries and restores, across the listener's bases
        "previews": "300/hour",  # the filter editor's live preview posts a draft per change
        "ingest": "6/hour",  # reading the listening from Spotify ("Ingest now")
        "insights": "30/hour",  # asking for and regenerating insights (a new text is an LLM call)
        "device_sync": "120/hour",  # a device's library sync and its one-collection PUTs
        # Privacy exports uploaded (each is stored and read), refused ones included: an hour's
        # count, so a listener who picked the wrong files a few times is not locked out for a day,
        # and one uploading an export's JSON files one by one has room for them.
        "history_uploads": "12/hour",
        # Downloads of exports (each streams a whole library, history or set of analyses from the
        # database): plenty for a person or a nightly script, not a loop.
        "exports": "60/hour",
    },
)
# A written insight is not written again within this many seconds of its last writing (0: no wait).
INSIGHT_REGENERATE_COOLDOWN = env.integer("INSIGHT_REGENERATE_COOLDOWN", default=600)
