from __future__ import annotations

from dataclasses import dataclass

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.base import ProviderException
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.spotify.views import SpotifyOAuth2Adapter
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from accounts import credentials
from accounts import selectors as account_selectors
from accounts.access import is_not_allowlisted
from accounts.models import SpotifyPause
from core.retry_after import parse_retry_after


class NotAllowlistedAtSignIn(ProviderException):
    """Spotify refused the profile request of a sign-in: the app is in Development mode and
    this Spotify account is not on its user list. Our adapter shows the listener why."""


class PausedAtSignIn(ProviderException):
    """Spotify has paused this deployment (its quota): the sign-in's profile request is not sent,
    or met the quota itself; our adapter tells the listener when to come back."""

    def __init__(self, until) -> None:
        super().__init__(f"Spotify paused this deployment until {until.isoformat()}")
        self.until = until


@dataclass(frozen=True)
class SpotifyGrant:
    """The token response of the sign-in, kept on the SocialLogin for our adapter to store.

    allauth's SocialToken has no room for the granted scopes, and we do not let allauth
    store tokens at all (SOCIALACCOUNT_STORE_TOKENS = False).
    """

    access_token: str
    refresh_token: str
    expires_in: int
    scope: str

    def __repr__(self) -> str:
        return f"<SpotifyGrant expires_in={self.expires_in} scope={self.scope!r}>"


class SpotifyAdapter(SpotifyOAuth2Adapter):
    provider_id = "spotify"

    # Properties, read at request time: deployments and tests point these at the sandbox.
    @property
    def authorize_url(self) -> str:  # type: ignore[override]
        return f"{settings.SPOTIFY_ACCOUNTS_URL}/authorize"

    @property
    def access_token_url(self) -> str:  # type: ignore[override]
        return f"{settings.SPOTIFY_ACCOUNTS_URL}/api/token"

    @property
    def profile_url(self) -> str:  # type: ignore[override]
        return f"{settings.SPOTIFY_API_URL}/me"

    def get_callback_url(self, request, app) -> str:
        # Spotify matches redirect URIs exactly; behind a proxy the built URL can differ.
        return settings.SPOTIFY_REDIRECT_URI or super().get_callback_url(request, app)

    def complete_login(self, request, app, token, **kwargs):
        # The profile request is a Web API call like any other: not while Spotify has paused us.
        paused_until = account_selectors.spotify_paused_until()
        if paused_until is not None:
            raise PausedAtSignIn(paused_until)
        with get_adapter().get_requests_session() as session:
            response = session.get(self.profile_url, headers={"Authorization": f"Bearer {token.token}"})
        if response.status_code == 429:
            raise PausedAtSignIn(_pause_from(response))
        if response.status_code == 403 and is_not_allowlisted(
            status=403, body=_json_or_none(response), text=response.text
        ):
            raise NotAllowlistedAtSignIn("Spotify does not serve this account (not on the app's user list)")
        if response.status_code != 200:
            raise ProviderException(f"Spotify profile request failed with {response.status_code}")
        try:
            profile = response.json()
        except ValueError:
            raise ProviderException("Spotify sent an unreadable profile") from None
        if not isinstance(profile, dict) or not profile.get("id"):
            raise ProviderException("Spotify sent a profile without an id")
        login = self.get_provider().sociallogin_from_response(request, profile)
        token_response = kwargs.get("response") or {}
        login.spotify_grant = SpotifyGrant(
            access_token=token.token,
            refresh_token=token.token_secret or "",
            expires_in=int(token_response.get("expires_in") or 3600),
            scope=str(token_response.get("scope") or ""),
        )
        return login


def _pause_from(response) -> datetime:
    """A 429 on the profile request: a quota one (or a long wait) pauses the deployment, as a
    client request's would (spotify.http); a short one only this sign-in."""
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    body = _json_or_none(response)
    error = body.get("error") if isinstance(body, dict) else None
    quota = isinstance(error, dict) and error.get("reason") == "QUOTA_EXCEEDED"
    until = timezone.now() + timedelta(seconds=max(retry_after, settings.SPOTIFY_MIN_POSTPONE))
    if quota or retry_after > settings.SPOTIFY_MAX_RETRY_AFTER:
        credentials.pause_spotify(
            until=until,
            reason=SpotifyPause.Reason.QUOTA if quota else SpotifyPause.Reason.RATE_LIMIT,
            retry_after=retry_after,
            message=str(error.get("message") or "") if isinstance(error, dict) else "",
        )
    return until


def _json_or_none(response):
    try:
        return response.json()
    except ValueError:
        return None


oauth2_login = OAuth2LoginView.adapter_view(SpotifyAdapter)
oauth2_callback = OAuth2CallbackView.adapter_view(SpotifyAdapter)
