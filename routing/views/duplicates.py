"""Pages of duplicates: every playlist's repeated tracks and those shared between playlists, the
confirmation of a removal (exactly which rows go), and the undo of one.

The page reads the mirror only; a removal is queued (routing.services.dedupe) and writes from the
queue, never from this request. Another listener's playlist or run is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import get_credential
from core.runs import RunStatus
from core.throttles import Throttled
from library import selectors as library_selectors
from routing import selectors
from routing.naming import first_up, run_name
from routing.services import restore as restores
from routing.services.dedupe import request_dedupe
from routing.services.triggers import RouteTrigger, RouteTriggerError
from routing.throttles import RouteThrottle

# Shared tracks listed per playlist on the page; the rest are counted (the API lists them all).
SHARED_SHOWN = 10


def _spotify_user_id(request: HttpRequest) -> str:
    credential = get_credential(user=request.user)
    return credential.spotify_user_id if credential else ""


@login_required
@require_GET
def duplicates(request: HttpRequest) -> HttpResponse:
    latest = selectors.latest_playlist_runs(user=request.user)
    found = [
        entry
        for entry in library_selectors.list_duplicates(
            user=request.user, spotify_user_id=_spotify_user_id(request), including=set(latest)
        )
        # A playlist tidied of every copy stays listed, with its run and Undo, until the next
        # sync after it (or while the run is under way): an old run alone lists nothing.
        if entry.groups or entry.shared or _in_view(entry.playlist, latest.get(entry.playlist.spotify_id))
    ]
    playlists = [
        {
            "found": entry,
            "run": latest.get(entry.playlist.spotify_id),
            "synced_before_run": _synced_before(entry.playlist, latest.get(entry.playlist.spotify_id)),
            "shared": entry.shared[:SHARED_SHOWN],
            "more_shared": max(0, len(entry.shared) - SHARED_SHOWN),
        }
        for entry in found
    ]
    context = {
        "playlists": playlists,
        "with_repeats": sum(1 for entry in found if entry.groups),
        "sharing": sum(1 for entry in found if entry.shared),
    }
    return render(request, "routing/duplicates.html", context)


def _synced_before(playlist, run) -> bool:
    """The playlist changed on Spotify (our own run wrote to it) after the mirror last read it: a
    removal planned on the mirror's version would be refused (and after an undo, the page lists
    the version before it)."""
    if run is None or run.status != RunStatus.SUCCEEDED or not getattr(run, "has_backup", False):
        return False
    return playlist.items_imported_at is None or playlist.items_imported_at < run.finished_at


def _in_view(playlist, run) -> bool:
    return run is not None and (run.is_active or _synced_before(playlist, run))


@login_required
@require_http_methods(["GET", "POST"])
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    playlist = library_selectors.get_playlist(user=request.user, playlist_id=pk)
    if playlist is None:
        raise Http404("No such playlist.")
    if request.method == "POST":
        try:
            positions = [int(value) for value in request.POST.getlist("position")]
        except ValueError:
            messages.error(request, "Choose the copies to remove from the list.")
            return redirect("routing:duplicates-remove", pk=pk)
        try:
            RouteThrottle.check(request)  # it writes to Spotify like a route: the same limit
            event = request_dedupe(
                user=request.user,
                playlist=playlist,
                positions=positions,
                snapshot_id=request.POST.get("snapshot_id", ""),
                trigger=RouteTrigger.BUTTON,
            )
        except (Throttled, RouteTriggerError) as exc:
            messages.error(request, str(exc))
            return redirect("routing:duplicates-remove", pk=pk)
        rows = len(positions)
        messages.success(
            request,
            f"{first_up(run_name(event))} takes {rows} cop{'y' if rows == 1 else 'ies'} out of "
            f"“{playlist.name}” on Spotify, after backing it up: you can undo it below.",
        )
        return redirect("routing:duplicates")
    listed = library_selectors.list_duplicates(
        user=request.user, spotify_user_id=_spotify_user_id(request), playlist=playlist
    )
    context = {"playlist": playlist, "found": listed[0] if listed else None}
    return render(request, "routing/duplicates_remove.html", context)


@login_required
@require_POST
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.get_playlist_run(user=request.user, pk=pk)
    try:
        RouteThrottle.check(request)
        restores.request_restore(event=event, trigger=RouteTrigger.BUTTON)
    except (Throttled, RouteTriggerError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Undo of {run_name(event)}: “{event.base_name}” goes back to what it held before it "
            "(backed up first, so the undo can be undone too).",
        )
    return redirect("routing:duplicates")
