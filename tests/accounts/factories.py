"""Factories of accounts: listeners, their Spotify credentials and API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

import factory
from django.conf import settings
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import ApiToken, SpotifyCredential, SpotifyPause, User


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



def new_secret() -> str:
    return "lnt_" + secrets.token_urlsafe(32)


class ApiTokenFactory(DjangoModelFactory):
    """An API token stored as the service stores it (prefix and digest of `secret`). Pass the
    secret to send it: `ApiTokenFactory(user=u, secret=s)`, or use `api_token_secret(u)`.
    Unlike the service, it makes expired tokens: `expires_at` in the past."""

    class Meta:
        model = ApiToken

    class Params:
        secret = factory.LazyFunction(new_secret)

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"device {n}")
    prefix = factory.LazyAttribute(lambda o: ApiToken.prefix_of(o.secret))
    digest = factory.LazyAttribute(lambda o: ApiToken.digest_of(o.secret))


def api_token_secret(user: User, **fields) -> str:
    """A new API token of `user`; the secret a script would send."""
    secret = new_secret()
    ApiTokenFactory(user=user, secret=secret, **fields)
    return secret
