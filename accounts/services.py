"""Writes for accounts: sign-in bookkeeping, API tokens (credential writes: accounts.credentials)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule
from rest_framework.authtoken.models import Token

from accounts.models import SpotifyCredential, SpotifyPause, User
from accounts.signals import spotify_signed_in
from core import runs


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


def get_or_create_api_token(*, user: User) -> tuple[Token, bool]:
    """The user's API token and whether it was just created."""
    return Token.objects.get_or_create(user=user)


def rotate_api_token(*, user: User) -> Token:
    """Replace the user's API token; scripts using the old one stop working at once."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


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
