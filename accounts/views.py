"""Pages: the landing page, the dashboard, API-token rotation."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from spotipy import SpotifyException

from accounts import selectors, services
from accounts.exceptions import ReconnectNeeded, SpotifyError, SpotifyRateLimited
from accounts.models import User
from accounts.spotify import get_spotify_client

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlaylistProbe:
    """The playlist count, or why we could not get it. Never raises into the page."""

    count: int | None = None
    error: str = ""
    rate_limited_until: datetime | None = None
    reconnect_needed: bool = False


def _probe_playlists(*, user: User) -> PlaylistProbe:
    try:
        with get_spotify_client(user=user) as client:
            # One item is enough: the paging object carries the total.
            page = client.api.current_user_playlists(limit=1)
    except ReconnectNeeded:
        return PlaylistProbe(reconnect_needed=True)
    except SpotifyRateLimited as exc:
        return PlaylistProbe(rate_limited_until=exc.resume_at)
    except SpotifyError as exc:
        return PlaylistProbe(error=str(exc))
    except SpotifyException as exc:
        logger.warning("Spotify refused the playlist count for user %s: %s", user.pk, exc.http_status)
        return PlaylistProbe(error=f"Spotify answered {exc.http_status}.")
    total = page.get("total") if isinstance(page, dict) else None
    if not isinstance(total, int):
        return PlaylistProbe(error="Spotify sent an unexpected answer.")
    return PlaylistProbe(count=total)


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    return render(request, "accounts/landing.html")


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    state = selectors.get_connection_state(user=user)
    probe = _probe_playlists(user=user) if state.can_call_spotify else None
    if probe is not None and (probe.reconnect_needed or probe.rate_limited_until):
        # The probe just learnt something the stored state did not know yet.
        state = selectors.get_connection_state(user=user)
    context = {
        "state": state,
        "probe": probe,
        "api_token": selectors.get_api_token(user=user),
    }
    return render(request, "accounts/dashboard.html", context)


@login_required
@require_POST
def rotate_api_token(request: HttpRequest) -> HttpResponse:
    had_token = selectors.get_api_token(user=request.user) is not None
    services.rotate_api_token(user=request.user)
    note = " The old one no longer works." if had_token else ""
    messages.success(request, f"A new API token is ready.{note}")
    return redirect("accounts:dashboard")
