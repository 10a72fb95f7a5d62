"""Writes for accounts: sign-in bookkeeping, API tokens (credential writes: accounts.credentials)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_q.models import Schedule

from accounts.models import ApiToken, SpotifyCredential, SpotifyPause, User
from accounts.signals import spotify_signed_in
from core import runs
from core.errors import DomainError

# New secrets start with this, so a secret scanner (or a listener) recognises one in a paste.
SECRET_MARKER = "lnt_"
# last_used_at is written at most this often per token: a script polling every second would
# otherwise write a row per request.
LAST_USE_PRECISION = timedelta(minutes=1)


class ApiTokenRefused(DomainError):
    """A token that cannot be created as asked (400; `field` names the input when it is one)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def set_display_name(*, user: User, display_name: str) -> None:
    if display_name and user.display_name != display_name:
        user.display_name = display_name[:200]
        user.save(update_fields=["display_name"])


def on_spotify_sign_in(*, user: User, created: bool) -> None:
    """Runs after every Spotify sign-in, once the tokens are stored.

    Records the time and tells listeners (the import, in `sync`) through a signal, so
    accounts needs no knowledge of what happens after a sign-in.
    """
    SpotifyCredential.objects.filter(user=user).update(last_sign_in_at=timezone.now())
    spotify_signed_in.send(sender=User, user=user, created=created)


def create_api_token(*, user: User, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new API token of `user` for one device or script, and its secret: the only time the
    secret exists outside the client, so the caller shows it once and keeps it nowhere.

    Refused (ApiTokenRefused, 400): a blank name, a name the listener already uses, an expiry
    not in the future, or ApiToken.PER_LISTENER tokens already."""
    name = name.strip()
    if not name:
        raise ApiTokenRefused("Name the token after the device or script that will use it.", field="name")
    if len(name) > ApiToken.NAME_MAX_LENGTH:
        raise ApiTokenRefused(f"At most {ApiToken.NAME_MAX_LENGTH} characters.", field="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise ApiTokenRefused("The expiry must be in the future.", field="expires_at")
    secret = SECRET_MARKER + secrets.token_urlsafe(32)
    with transaction.atomic():
        # The listener's row, locked: two creations at once cannot both pass the count.
        User.objects.select_for_update().filter(pk=user.pk).first()
        mine = ApiToken.objects.filter(user=user)
        if mine.count() >= ApiToken.PER_LISTENER:
            raise ApiTokenRefused(
                f"You have {ApiToken.PER_LISTENER} API tokens, the most allowed: revoke one you no "
                "longer use, then create this one."
            )
        if mine.filter(name=name).exists():
            raise ApiTokenRefused(
                f"You already have a token named “{name}”: choose another name.", field="name"
            )
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=ApiToken.prefix_of(secret),
            digest=ApiToken.digest_of(secret),
            expires_at=expires_at,
        )
    return token, secret


def revoke_api_tokens(*, tokens: Iterable[ApiToken]) -> int:
    """Revoke `tokens` (the caller chose them: the owner's own, or staff in the admin); requests
    with them are refused from now on. How many were revoked."""
    deleted, _ = ApiToken.objects.filter(pk__in=[token.pk for token in tokens]).delete()
    return deleted


def note_api_token_use(*, token: ApiToken, now: datetime) -> None:
    """Record that `token` authenticated a request at `now`, at most once per LAST_USE_PRECISION:
    the conditional update lets only one of several simultaneous requests write."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USE_PRECISION:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USE_PRECISION)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def lift_spotify_pauses(*, pauses) -> int:
    """End `pauses` (a queryset) now, as staff do once Spotify's dashboard shows the quota reset
    before Retry-After said: every run, poll and ingest they postponed goes at once. How many
    pauses were in force."""
    now = timezone.now()
    with transaction.atomic():
        in_force = pauses.filter(until__gt=now)
        last_end = in_force.order_by("-until").values_list("until", flat=True).first()
        lifted = in_force.update(until=now)
        if last_end is not None and not SpotifyPause.objects.filter(until__gt=now).exists():
            runs.bring_forward(limited_by="spotify", postponed_until=last_end)
            Schedule.objects.filter(
                name__endswith=SpotifyPause.SCHEDULE_SUFFIX, next_run__gt=now, next_run__lte=last_end
            ).update(next_run=now)
    return lifted
