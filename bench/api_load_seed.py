"""bench/api_load.py's set-up: the settings gunicorn and this process share, Django on the
bench's own database and Redis database, and what the demo listener holds before the load
(their library imported as after a sign-in, an API token, months of history, a device library).
Not measured."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from bench.import_library import CLIENT_ID, CLIENT_SECRET, Sandbox

PAST_IMPORTS = 120  # a listener's import history: a few months of daily imports
SNAPSHOT_DAYS = 3  # × 3 time ranges, each with 12 insights (4 kinds × 3 tones)


def server_environment(database_url: str, redis_url: str) -> dict[str, str]:
    """What both this process (the import, the seeding) and gunicorn run with: production settings."""
    from cryptography.fernet import Fernet

    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "ENV_FILE": "/nonexistent",  # never a developer's .env
        "SECRET_KEY": "bench-api-load-" + "x" * 40,
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on the loopback, as behind the TLS proxy
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }


def setup_django(environment: dict[str, str]) -> None:
    os.environ.update(environment)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    forget_our_redis_keys()


def forget_our_redis_keys() -> None:
    """The project's cache keys and the bench's queued tasks, nothing else of the Redis database."""
    from django.core.cache import cache
    from django_q.brokers import get_broker

    from core.queues import QUEUES, cluster_name

    cache.delete_pattern("*")  # django-redis: only keys under our KEY_PREFIX
    for queue in QUEUES:  # the after-import receivers queue analysis batches etc.; no cluster runs
        get_broker(cluster_name(queue)).purge_queue()


@dataclass
class Listener:
    token: str
    big_playlist: int  # the library's biggest playlist's id
    big_items: int
    track_ids: list[str]  # the big playlist's tracks, for the song endpoint


def import_demo_library(sandbox: Sandbox) -> Listener:
    """The demo listener signed in (tokens stored), their library imported as the first import
    after sign-in does, and an API token for scripts."""
    from django.conf import settings

    from accounts.credentials import store_spotify_grant
    from accounts.models import User
    from accounts.selectors import list_api_tokens
    from accounts.services import create_api_token, revoke_api_tokens
    from core.runs import RunStatus
    from library.models import Playlist, PlaylistItem
    from sync.models import ImportScope, SyncEvent, SyncKind
    from sync.services.importer import run_import

    settings.SPOTIFY_API_URL = f"{sandbox.url}/v1"
    settings.SPOTIFY_ACCOUNTS_URL = sandbox.url
    settings.SPOTIFY_CLIENT_ID, settings.SPOTIFY_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    grant = sandbox.control("POST", "tokens", {"user": "demo", "client_id": CLIENT_ID})
    user, _ = User.objects.get_or_create(username="demo-listener", defaults={"display_name": "Demo Listener"})
    store_spotify_grant(user=user, grant=grant, spotify_user_id="demo")
    event = SyncEvent.objects.create(kind=SyncKind.IMPORT, user=user, scope=ImportScope.FULL, trigger="bench")
    event = run_import(event_id=event.pk)
    if event.status != RunStatus.SUCCEEDED:
        raise SystemExit(f"the import ended {event.status}: {event.error}")
    big = Playlist.objects.filter(user=user).order_by("-track_count", "pk").first()
    track_ids = list(
        PlaylistItem.objects.filter(playlist=big, track__isnull=False)
        .order_by("position")
        .values_list("track_id", flat=True)
        .distinct()
    )
    # A token of its own each run (a secret is only known when made): the last run's goes.
    revoke_api_tokens(tokens=[t for t in list_api_tokens(user=user) if t.name == "bench api_load"])
    _, secret = create_api_token(user=user, name="bench api_load")
    return Listener(token=secret, big_playlist=big.pk, big_items=big.track_count, track_ids=track_ids)


def seed_history(listener: Listener) -> dict[str, int]:
    """What a listener of some months has besides the mirror: past imports, analyses of the big
    playlist's songs, snapshots with insights written from them. Straight to the database."""
    from django.utils import timezone as dj_timezone

    from accounts.models import User
    from analysis.models import LyricsStatus, SongAnalysis
    from analysis.services.analysis import PROMPT_VERSION as ANALYSIS_PROMPT
    from analysis.vocabulary import CONTENT_RATINGS, MOODS
    from core.runs import RunStatus
    from insights.models import GeneratedInsight, InsightKind, InsightTone, ListeningSnapshot, TimeRange
    from insights.services.insight_writer import PROMPT_VERSION as INSIGHT_PROMPT
    from sync.models import ImportScope, SyncEvent, SyncKind

    user = User.objects.get(username="demo-listener")
    now = dj_timezone.now()
    SyncEvent.objects.bulk_create(
        SyncEvent(
            kind=SyncKind.IMPORT,
            user=user,
            scope=ImportScope.INCREMENTAL,
            trigger="schedule",
            status=RunStatus.SUCCEEDED if n % 10 else RunStatus.FAILED,
            started_at=now - timedelta(days=n + 1),
            finished_at=now - timedelta(days=n + 1) + timedelta(seconds=40),
            playlists_total=70,
            playlists_done=70,
            items_done=300 + n,
            playlists_changed=n % 4,
            spotify_requests=5 + n % 4,
            error="" if n % 10 else "Spotify did not answer in time.",
        )
        for n in range(PAST_IMPORTS)
    )
    rng = random.Random(1)
    SongAnalysis.objects.bulk_create(
        [
            SongAnalysis(
                track_id=track_id,
                prompt_version=ANALYSIS_PROMPT,
                mood=rng.choice(MOODS),
                energy=round(rng.random(), 2),
                themes=["night", "city"],
                genres=["pop"],
                flag_profanity=rng.random() < 0.1,
                content_rating=rng.choice(CONTENT_RATINGS),
                language="en",
                summary="A song about the city at night.",
                confidence=0.8,
                provider="bench",
                model="bench-model",
                lyrics_status=LyricsStatus.FOUND,
                latency_ms=900,
            )
            for track_id in listener.track_ids
        ],
        ignore_conflicts=True,
    )
    insights = 0
    for day in range(SNAPSHOT_DAYS):
        for time_range in TimeRange.values:
            snapshot = ListeningSnapshot.objects.create(
                user=user,
                snapshot_date=(now - timedelta(days=day)).date(),
                time_range=time_range,
                top_tracks=[{"id": t, "rank": n + 1} for n, t in enumerate(listener.track_ids[:50])],
                play_count=400,
                hour_of_day=[10] * 24,
            )
            rows = [
                GeneratedInsight(
                    user=user,
                    snapshot=snapshot,
                    kind=kind,
                    tone=tone,
                    prompt_version=INSIGHT_PROMPT,
                    status=RunStatus.SUCCEEDED,
                    headline="You listen most in the evening",
                    paragraphs=["Your evenings are for long playlists."] * 3,
                    highlights=[{"label": "Top mood", "value": "calm"}] * 3,
                    provider="bench",
                    model="bench-model",
                    prompt_tokens=900,
                    completion_tokens=300,
                    generation_ms=4000,
                    generation=1,
                    generated_at=now,
                )
                for kind in InsightKind.values
                for tone in InsightTone.values
            ]
            GeneratedInsight.objects.bulk_create(rows)
            insights += len(rows)
    return {"past imports": PAST_IMPORTS, "analyses": len(listener.track_ids), "insights": insights}


def device_library_body(track_ids: list[str]) -> dict:
    """What a client that has been in use a while sends on its first sync."""
    start = datetime.now(timezone.utc) - timedelta(days=30)

    def at(minutes: int) -> str:
        return (start + timedelta(minutes=minutes)).isoformat()

    tracks = track_ids * (1 + 600 // max(1, len(track_ids)))
    return {
        "favorites": [
            {"track": t, "title": f"Song {n}", "artist": "Artist", "added_at": at(n)}
            for n, t in enumerate(dict.fromkeys(tracks[:300]))
        ],
        "history": [
            {"track": t, "title": f"Song {n}", "played_at": at(n * 3), "completion": 1.0}
            for n, t in enumerate(tracks[:200])
        ],
        "playlists": [
            {
                "local_id": f"bench-{p}",
                "name": f"Mix {p}",
                "description": "",
                "is_public": False,
                "created_at": at(p),
                "updated_at": at(p),
                "items": [{"track": t, "added_at": at(p)} for t in tracks[p * 30 : p * 30 + 30]],
            }
            for p in range(10)
        ],
        "recent_searches": [{"query": f"search {n}", "searched_at": at(n)} for n in range(10)],
    }
