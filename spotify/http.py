"""The requests.Session spotipy talks through: auth, counting, and our retry policy.

spotipy's own retries (urllib3 Retry) sleep for the whole Retry-After, which can be
hours; so spotipy gets retries=0 and this session decides instead:
- 401: refresh the token once and resend.
- Before every request: the deployment's Spotify pause (accounts.SpotifyPause). While one is in
  force nothing is sent; SpotifyRateLimited says until when, and every run, poll and ingest
  postpones to then.
- 429: a quota 429 (reason QUOTA_EXCEEDED) or one whose Retry-After is too long to wait out in
  a worker (over SPOTIFY_MAX_RETRY_AFTER) pauses the whole deployment (Spotify's quota is the
  developer account's, so every listener would meet it next) and raises SpotifyRateLimited.
  A short one is waited out here, a few times at most, at least 1 s, 2 s, 4 s however little
  Retry-After says (0, missing, an empty body); after that the caller postpones, never for less
  than SPOTIFY_MIN_POSTPONE seconds.
- 5xx, timeouts, resets, garbled bodies: two quick retries (idempotent methods), then SpotifyUnavailable.
Everything else (2xx, other 4xx) goes back to spotipy, which raises SpotifyException for 4xx
(spotify.api turns that into SpotifyRefused).
The session adds the Authorization header itself, so spotipy never holds (or logs) the token.

A request can also carry on from a `FirstAttempt` sent elsewhere (the page prefetcher's
single try on a worker thread): the loop then starts from that answer as if it had sent
it itself, so the policy above stays the only place that retries, waits or gives up.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils import timezone
from requests.adapters import HTTPAdapter

from accounts import credentials
from accounts import selectors as account_selectors
from accounts.access import is_not_allowlisted
from accounts.models import SpotifyAccess, SpotifyCredential, SpotifyPause
from spotify.errors import NotAllowlisted, SpotifyRateLimited, SpotifyUnavailable
from spotify.policy import (
    IDEMPOTENT_METHODS,
    MAX_RATE_LIMIT_WAITS,
    MAX_TRANSIENT_RETRIES,
    TRANSIENT_STATUSES,
    SpotifyRequestStats,
    QUOTA_REASON,
    WaitBudget,
    backoff_for,
    parse_retry_after,
    quota_reason,
    rate_limit_wait,
)
from spotify.tokens import AccessTokenKeeper, RefreshRateLimited, RefreshTransient

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class FirstAttempt:
    """What a request sent outside this session got: an answer, or a transport failure.

    Already counted in the stats when it was sent; `token` is the access token it carried.
    """

    token: str = field(repr=False)
    response: requests.Response | None = None
    failure: str = ""  # "no connection (ConnectionError) while …", when there is no response


# The path segment after one of these names a listener's object (a playlist, a user...).
_NAMED_BY_ID = frozenset({"albums", "artists", "episodes", "playlists", "shows", "tracks", "users"})
# What a request was for, in a listener's words, by method and path with its ids taken out: the
# failure's message reaches the import card, run histories and the staff pages.
_WHAT_FOR = {
    ("GET", "/v1/me"): "reading your Spotify profile",
    ("GET", "/v1/me/playlists"): "listing your playlists",
    ("POST", "/v1/me/playlists"): "creating a playlist",
    ("POST", "/v1/users/…/playlists"): "creating a playlist",
    ("GET", "/v1/me/tracks"): "reading your Liked Songs",
    ("GET", "/v1/me/player/recently-played"): "reading your recent plays",
    ("GET", "/v1/me/top/artists"): "reading your top artists",
    ("GET", "/v1/me/top/tracks"): "reading your top songs",
    ("GET", "/v1/playlists/…"): "reading a playlist",
    ("PUT", "/v1/playlists/…"): "changing a playlist's details",
    ("GET", "/v1/playlists/…/items"): "reading a playlist's items",
    ("GET", "/v1/playlists/…/tracks"): "reading a playlist's items",
    ("POST", "/v1/playlists/…/items"): "adding to a playlist",
    ("PUT", "/v1/playlists/…/items"): "replacing a playlist's items",
    ("DELETE", "/v1/playlists/…/items"): "removing from a playlist",
    ("GET", "/v1/tracks/…"): "reading a song",
    ("GET", "/v1/albums/…"): "reading an album",
    ("GET", "/v1/artists/…"): "reading an artist",
}


def _request_words(method: str, url: str) -> str:
    """"listing your playlists": what the request was for, for a failure's message; a request
    not named above as `GET /v1/…/items`, without the ids in its path (an id means nothing to a
    person, the caller names the playlist, and it keeps the listener's ids out of the logs)."""
    parts = urlsplit(url).path.rstrip("/").split("/")
    path = "/".join(("…" if index and parts[index - 1] in _NAMED_BY_ID else part) for index, part in enumerate(parts))
    return _WHAT_FOR.get((method, path)) or f"{method} {path}"


def _is_malformed(response: requests.Response) -> bool:
    """A 2xx whose body should be JSON but is not (a proxy's HTML page, a cut-off body)."""
    if not response.content:
        return False
    try:
        response.json()
    except ValueError:
        return True
    return False


def _not_allowlisted(response: requests.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        body = None  # Spotify sends this refusal as plain text
    return is_not_allowlisted(status=response.status_code, body=body, text=response.text)


class SpotifySession(requests.Session):
    def __init__(
        self,
        *,
        credential: SpotifyCredential,
        stats: SpotifyRequestStats,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__()
        # Explicitly no transport-level retries: urllib3 must never sleep on our behalf.
        adapter = HTTPAdapter(max_retries=0)
        self.mount("http://", adapter)
        self.mount("https://", adapter)
        self.stats = stats
        self.user_id = credential.user_id
        # Marked as not served when this session began: the first clean answer lifts the mark.
        self._not_allowlisted = credential.access == SpotifyAccess.NOT_ALLOWLISTED
        self._sleep = sleep
        self.keeper = AccessTokenKeeper(credential=credential, post=self._post_unmanaged)
        self._paused_until: datetime | None = None  # a pause seen: no need to read it again before then

    def paused_until(self) -> datetime | None:
        """The deployment's Spotify pause, if one is in force (read before every request: another
        process may have met Spotify's quota a moment ago)."""
        now = timezone.now()
        if self._paused_until is not None and self._paused_until > now:
            return self._paused_until
        self._paused_until = account_selectors.spotify_paused_until()
        return self._paused_until

    def check_pause(self) -> None:
        """SpotifyRateLimited, without sending anything, while the deployment is paused."""
        until = self.paused_until()
        if until is not None:
            seconds = max(1, int((until - timezone.now()).total_seconds() + 0.999))
            raise SpotifyRateLimited(retry_after=seconds, resume_at=until, app_wide=True)

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        # Counted here, at the lowest level, so every request that leaves counts once.
        self.stats.count_request(method=request.method or "", path=urlsplit(request.url or "").path)
        return super().send(request, **kwargs)

    def _post_unmanaged(self, url: str, **kwargs) -> requests.Response:
        self.stats.refreshes += 1
        return super().request("POST", url, **kwargs)

    def request(  # type: ignore[override]
        self, method: str, url: str, *args, resume: FirstAttempt | None = None, **kwargs
    ) -> requests.Response:
        """Send with the policy above. With `resume`, the first round is that attempt's answer
        (nothing is sent for it), and only what the policy decides after it is sent from here."""
        method = method.upper()
        headers = dict(kwargs.pop("headers", None) or {})
        kwargs.setdefault("timeout", settings.SPOTIFY_HTTP_TIMEOUT)
        budget = WaitBudget(seconds=settings.SPOTIFY_MAX_RETRY_AFTER, stats=self.stats, sleep=self._sleep)
        rate_limit_waits = 0
        transient_failures = 0
        refreshed_after_401 = False
        while True:
            retry_after: int | None = None
            quota = False
            failure = ""
            retryable = True
            response: requests.Response | None = None
            if resume is not None:
                token, response, failure = resume.token, resume.response, resume.failure
                resume = None
                if failure:
                    retryable = method in IDEMPOTENT_METHODS
            else:
                self.check_pause()
                try:
                    token = self.keeper.token()
                except RefreshRateLimited as exc:
                    retry_after = exc.retry_after
                except RefreshTransient as exc:
                    failure = str(exc)
                else:
                    try:
                        authorized = {**headers, "Authorization": f"Bearer {token}"}
                        response = super().request(method, url, *args, headers=authorized, **kwargs)
                    except requests.RequestException as exc:
                        failure = f"no connection ({exc.__class__.__name__}) while {_request_words(method, url)}"
                        retryable = method in IDEMPOTENT_METHODS
            if response is not None:
                status = response.status_code
                if status == 401 and not refreshed_after_401:
                    # Usually "The access token expired" (clock skew, or revoked early).
                    refreshed_after_401 = True
                    # Only if still the token in hand: a resumed attempt may carry one
                    # that was replaced since, and the new one needs no second refresh.
                    self.keeper.reject(token)
                    self.stats.retries += 1
                    continue
                if status == 403 and _not_allowlisted(response):
                    # Every later call would get the same: no retry, the work stops here.
                    credentials.mark_not_allowlisted(user_id=self.user_id)
                    self._not_allowlisted = True
                    raise NotAllowlisted()
                if status == 429:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    quota = _reason_of(response) == QUOTA_REASON
                elif status in TRANSIENT_STATUSES or (200 <= status < 300 and _is_malformed(response)):
                    failure = f"error {status} while {_request_words(method, url)}"
                    retryable = method in IDEMPOTENT_METHODS
                else:
                    if self._not_allowlisted and 200 <= status < 300:
                        # The operator has listed the listener since: Spotify serves them again.
                        credentials.clear_not_allowlisted(user_id=self.user_id)
                        self._not_allowlisted = False
                    return response

            if retry_after is not None:
                self.stats.rate_limited += 1
                if quota or retry_after > settings.SPOTIFY_MAX_RETRY_AFTER:
                    raise self._pause(retry_after, quota=quota, response=response)
                rate_limit_waits += 1
                delay = rate_limit_wait(retry_after=retry_after, wait_number=rate_limit_waits)
                if rate_limit_waits > MAX_RATE_LIMIT_WAITS or not budget.allows(delay):
                    raise self._rate_limited(delay)
                budget.wait(delay)
                self.stats.retries += 1
                continue

            transient_failures += 1
            delay = backoff_for(transient_failures)
            if not retryable or transient_failures > MAX_TRANSIENT_RETRIES or not budget.allows(delay):
                logger.warning("Spotify unavailable for user %s: %s", self.user_id, failure)
                raise SpotifyUnavailable(f"Spotify is not answering properly ({failure}).")
            budget.wait(delay)
            self.stats.retries += 1

    def _rate_limited(self, delay: float) -> SpotifyRateLimited:
        """Short 429s kept coming: this request's caller postpones (no pause for everyone), and
        never for less than SPOTIFY_MIN_POSTPONE, so a run does not come straight back."""
        seconds = max(int(delay + 0.999), settings.SPOTIFY_MIN_POSTPONE)
        resume_at = timezone.now() + timedelta(seconds=seconds)
        logger.info("Spotify rate limit for user %s: resume at %s", self.user_id, resume_at.isoformat())
        return SpotifyRateLimited(retry_after=seconds, resume_at=resume_at)

    def _pause(self, retry_after: int, *, quota: bool, response: requests.Response | None) -> SpotifyRateLimited:
        """Spotify's quota is spent, or it asked for a wait no worker may sleep through: stop
        every Spotify call of this deployment until then, and say so."""
        seconds = max(retry_after, settings.SPOTIFY_MIN_POSTPONE)
        until = timezone.now() + timedelta(seconds=seconds)
        credentials.pause_spotify(
            until=until,
            reason=SpotifyPause.Reason.QUOTA if quota else SpotifyPause.Reason.RATE_LIMIT,
            retry_after=retry_after,
            message=_message_of(response),
            user_id=self.user_id,
        )
        self._paused_until = until
        return SpotifyRateLimited(retry_after=seconds, resume_at=until, app_wide=True)


def _json_error(response: requests.Response | None) -> dict:
    try:
        body = response.json() if response is not None and response.content else None
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _reason_of(response: requests.Response) -> str | None:
    return quota_reason(_json_error(response))


def _message_of(response: requests.Response | None) -> str:
    error = _json_error(response).get("error")
    message = error.get("message") if isinstance(error, dict) else None
    return message if isinstance(message, str) else ""
