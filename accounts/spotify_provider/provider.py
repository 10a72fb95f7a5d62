from __future__ import annotations

from allauth.socialaccount.providers.spotify.provider import SpotifyAccount, SpotifyOAuth2Provider
from django.conf import settings

from accounts.spotify_provider.views import SpotifyAdapter


class SpotifyProvider(SpotifyOAuth2Provider):
    id = "spotify"
    name = "Spotify"
    account_class = SpotifyAccount
    oauth2_adapter_class = SpotifyAdapter
    # PKCE is also set in SOCIALACCOUNT_PROVIDERS; this keeps it on if that setting is trimmed.
    pkce_enabled_default = True

    def get_scope(self) -> list[str]:
        # Read per request from our own setting, the one source of truth for scopes.
        return list(settings.SPOTIFY_SCOPES)

    def extract_common_fields(self, data: dict) -> dict:
        # "name" feeds display_name in our adapter. Spotify's email (Extended-mode apps only) is
        # not taken: it is unverified, and an address another user has would send allauth to its
        # signup form, which keeps the pending sign-in, tokens included, in the session
        # (accounts.adapters.SocialAccountAdapter says more).
        return {"name": data.get("display_name") or ""}


provider_classes = [SpotifyProvider]
