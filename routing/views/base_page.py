"""The base page, which the base's and its children's views both answer with, and how a refused
set-up change is answered on it.

How the pages answer, the same everywhere:
- A POST that changes the set-up re-renders its page on a refusal, never redirects, so what
  the listener typed survives: 409 while a route of the base is queued or running (BaseBusy;
  nothing is changed) and for "already a base/child", 404 for what is not (or no longer) the
  listener's, 502 when Spotify would not create a new child, 400 for the rest (as the API). On
  success: a message and a redirect (no double posts).
- The route triggers (Route now, Retry) change no set-up: like the dashboard's import buttons,
  they always answer with a message and a redirect, the active route included.
The words on the pages are routing.display.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from core.errors import page_status
from routing import display, selectors
from routing.forms import AddChildForm, BaseOptionsForm
from routing.models import BasePlaylist
from routing.services import spotify_children, triggers
from routing.services.setup import BaseBusy, RoutingSetupError
from core.runs import RunStatus


def status_url(base: BasePlaylist) -> str:
    """What routing-progress.js polls (routing.api.bases, session auth)."""
    return reverse("api-base-playlist-route-status", args=[base.pk])


def preview_url(base: BasePlaylist) -> str:
    """What filter-editor.js posts drafts to (routing.api.bases, session auth + CSRF)."""
    return reverse("api-base-playlist-preview", args=[base.pk])


def metadata_url(base: BasePlaylist) -> str:
    """What filter-preview.js polls while the artists a preview could not count are looked up."""
    return reverse("api-base-playlist-metadata", args=[base.pk])


def render_base(
    request: HttpRequest,
    base: BasePlaylist,
    *,
    status: int = 200,
    options_form: BaseOptionsForm | None = None,
    add_form: AddChildForm | None = None,
) -> HttpResponse:
    """The base page; with the bound form of a refused POST and its status."""
    children = list(selectors.list_child_playlists(base=base))
    history = display.run_history(base=base, children=children)
    active = triggers.active_route(base=base)
    last = next((row.event for row in history if not row.event.is_active), None)
    choices = spotify_children.owned_playlist_choices(base=base)
    waiting = active is not None and active.status == RunStatus.WAITING
    context = {
        "base": base,
        "pending": selectors.pending_removals(active) if waiting else None,
        "card": display.base_card(base=base, children=children, active=active, last=last),
        "history": history,
        "options_form": options_form
        or BaseOptionsForm(
            initial={
                "first_match_only": base.first_match_only,
                "auto_route_after_import": base.auto_route_after_import,
            }
        ),
        "add_form": add_form or AddChildForm(choices=choices),
        "status_url": status_url(base),
        "busy": active is not None,
    }
    return render(request, "routing/base_playlist.html", context, status=status)


def refuse(request: HttpRequest, base: BasePlaylist, exc: RoutingSetupError, **forms) -> HttpResponse:
    """The base page again with the refusal's message, for a POST that changed nothing."""
    status = page_status(exc)
    messages.error(request, refusal_message(base, exc))
    return render_base(request, base, status=status, **forms)


def refusal_message(base: BasePlaylist, exc: RoutingSetupError) -> str:
    """The refusal's words, unless a route that was in the way has finished since: then the
    page below it shows that run finished, and the message must not say it is still running."""
    if isinstance(exc, BaseBusy):
        active = triggers.active_route(base=base)
        if active is None or active.pk != exc.active.pk:
            kind = exc.active.get_kind_display().lower()
            return display.describe_overtaken_busy(kind=kind, run=exc.active)
    return str(exc)


