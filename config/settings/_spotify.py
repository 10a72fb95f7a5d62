"""Spotify: its Web API and Accounts service, and the sign-in through it (allauth)."""

from __future__ import annotations

from config.settings._environment import env

SPOTIFY_CLIENT_ID = env.optional_str("SPOTIFY_CLIENT_ID")
SPOTIFY_CLIENT_SECRET = env.optional_str("SPOTIFY_CLIENT_SECRET")
SPOTIFY_REDIRECT_URI = env.optional_str("SPOTIFY_REDIRECT_URI")
SPOTIFY_API_URL = env.http_url("SPOTIFY_API_URL", default="https://api.spotify.com/v1")
SPOTIFY_ACCOUNTS_URL = env.http_url("SPOTIFY_ACCOUNTS_URL", default="https://accounts.spotify.com")
# Which Web API surface our Spotify app has. "development": the February 2026 rules
# (no batch lookups, no popularity, items only of own/collaborative playlists, pages of
# 50); "extended": the older full surface (batch lookups, pages of 100 on /tracks).
SPOTIFY_APP_MODE = env.choice("SPOTIFY_APP_MODE", choices=("development", "extended"), default="development")
SPOTIFY_SCOPES = [
    "playlist-read-private",
    "playlist-read-collaborative",
    "playlist-modify-private",
    "playlist-modify-public",
    "user-library-read",
    "user-top-read",
    "user-read-recently-played",
    "user-read-email",
]
# A Retry-After up to this many seconds is waited out in-process; a longer one (or a quota
# 429) pauses every Spotify call of the deployment until then instead of blocking a worker.
SPOTIFY_MAX_RETRY_AFTER = env.integer("SPOTIFY_MAX_RETRY_AFTER", default=10)
# A run postponed by Spotify's rate limit never comes back sooner than this (seconds), whatever
# Retry-After said (0, missing): coming straight back re-read the playlist list each time.
SPOTIFY_MIN_POSTPONE = env.integer("SPOTIFY_MIN_POSTPONE", default=30, minimum=1)
SPOTIFY_HTTP_TIMEOUT = env.integer("SPOTIFY_HTTP_TIMEOUT", default=15, minimum=1)
# Item pages an import fetches at once (threads doing HTTP only); 1 reads one page at a time.
SPOTIFY_FETCH_CONCURRENCY = env.integer("SPOTIFY_FETCH_CONCURRENCY", default=4, minimum=1)
# Refresh the access token this long before Spotify says it expires.
SPOTIFY_REFRESH_MARGIN = env.integer("SPOTIFY_REFRESH_MARGIN", default=120)
# Spotify ends a grant (its refresh token answers invalid_grant) this many days after the
# listener first authorised it; the dashboard warns SPOTIFY_GRANT_WARNING_DAYS before that.
SPOTIFY_GRANT_LIFETIME_DAYS = env.integer("SPOTIFY_GRANT_LIFETIME_DAYS", default=182, minimum=1)
SPOTIFY_GRANT_WARNING_DAYS = env.integer("SPOTIFY_GRANT_WARNING_DAYS", default=14, minimum=0)

# --- allauth -----------------------------------------------------------------
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
# How allauth names the user ("Successfully signed in as …"): User.__str__, the display name from
# Spotify, not the username allauth generated, which the listener never chose and never sees.
ACCOUNT_USER_DISPLAY = str
SOCIALACCOUNT_ONLY = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = False
SOCIALACCOUNT_QUERY_EMAIL = False
SOCIALACCOUNT_LOGIN_ON_GET = False
# Tokens live only in accounts.SpotifyCredential, encrypted; never in allauth's plaintext table.
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "spotify": {
        "SCOPE": SPOTIFY_SCOPES,
        "OAUTH_PKCE_ENABLED": True,
        "APP": {"client_id": SPOTIFY_CLIENT_ID, "secret": SPOTIFY_CLIENT_SECRET, "key": ""},
    }
}
