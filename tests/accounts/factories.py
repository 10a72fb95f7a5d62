"""Factories of accounts: listeners and their Spotify credentials."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.conf import settings
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import SpotifyCredential, SpotifyPause, User


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"listener{n}")
    display_name = factory.Sequence(lambda n: f"Listener {n}")
    password = factory.django.Password("not-used-spotify-only")


class SpotifyPauseFactory(factory.django.DjangoModelFactory):
    """Spotify's quota pause of the whole deployment, an hour from now by default."""

    class Meta:
        model = SpotifyPause

    until = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    reason = SpotifyPause.Reason.QUOTA
    retry_after = 3600
    message = "Quota exceeded"


class SpotifyCredentialFactory(DjangoModelFactory):
    """A connected user. Tokens are made up: calls to the sandbox need `sandbox.issue_token()`.

    Traits: `expired=True` (access token past its expiry), `reconnect=True` (grant revoked),
    `rate_limited=True` (Spotify asked us to pause for an hour).
    """

    class Meta:
        model = SpotifyCredential
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    spotify_user_id = factory.Sequence(lambda n: f"spotify-user-{n}")
    access_token = factory.Sequence(lambda n: f"made-up-access-token-{n:04d}")
    refresh_token = factory.Sequence(lambda n: f"made-up-refresh-token-{n:04d}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    scopes = factory.LazyFunction(lambda: " ".join(sorted(settings.SPOTIFY_SCOPES)))

    class Params:
        expired = factory.Trait(
            expires_at=factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=5))
        )
        reconnect = factory.Trait(reconnect_needed=True, reconnect_reason="Spotify refused the stored grant.")
        # Spotify paused the whole deployment for an hour, on a request of this listener's.
        rate_limited = factory.Trait(
            pause=factory.RelatedFactory(SpotifyPauseFactory, user=factory.SelfAttribute("..user"))
        )

