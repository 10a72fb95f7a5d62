"""Pages of smart playlists: the bases overview and one base's set-up, its runs and its triggers.

How the pages answer, the same everywhere:
- A POST that changes the set-up re-renders its page on a refusal, never redirects, so what
  the listener typed survives: 409 while a route of the base is queued or running (BaseBusy;
  nothing is changed) and for "already a base/child", 404 for what is not (or no longer) the
  listener's, 502 when Spotify would not create a new child, 400 for the rest (as the API). On
  success: a message and a redirect (no double posts).
- The route triggers (Sync, Retry) change no set-up: like the dashboard's import buttons,
  they always answer with a message and a redirect, the active route included.
The filter editor's views are sync.routing_child_views; the words on the pages are
sync.routing_display.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sync import routing_display, selectors
from sync.filters import empty_document
from sync.models import ROUTING_KINDS, BasePlaylist, SyncKind, SyncStatus
from sync.routing_forms import AddChildForm, BaseOptionsForm, CreateBaseForm
from sync.services import restore, route_triggers, routing_setup, spotify_children
from sync.services.route_triggers import RouteTrigger, RouteTriggerError
from sync.services.routing_setup import (
    BaseAlreadyExists,
    BaseBusy,
    ChildAlreadyAttached,
    PlaylistAlreadyRouted,
    PlaylistNotFound,
    ReplaceNotConfirmed,
    RoutingSetupError,
)


def refusal_status(exc: RoutingSetupError) -> int:
    """The HTTP status of a set-up refusal, as the routing API answers it."""
    if isinstance(exc, PlaylistNotFound):
        raise Http404(str(exc))
    if isinstance(exc, spotify_children.SpotifyChildCreateFailed):
        return 502  # Spotify's failure, not the listener's: trying again later may work
    if isinstance(exc, BaseBusy | BaseAlreadyExists | ChildAlreadyAttached | PlaylistAlreadyRouted):
        return 409
    return 400


def own_base(request: HttpRequest, pk: int) -> BasePlaylist:
    base = selectors.get_base_playlist(user=request.user, base_id=pk)
    if base is None:
        raise Http404("No such base playlist.")
    return base


def status_url(base: BasePlaylist) -> str:
    """What routing-progress.js polls (sync.routing_api, session auth)."""
    return reverse("api-base-playlist-sync-status", args=[base.pk])


def preview_url(base: BasePlaylist) -> str:
    """What filter-editor.js posts drafts to (sync.routing_api, session auth + CSRF)."""
    return reverse("api-base-playlist-preview", args=[base.pk])


# --- the overview -------------------------------------------------------------------------------
def _render_index(
    request: HttpRequest, *, form: CreateBaseForm | None = None, status: int = 200
) -> HttpResponse:
    candidates = routing_display.base_candidates(user=request.user)
    cards = routing_display.base_cards(user=request.user)
    for card in cards:
        card.status_url = status_url(card.base)
    context = {
        "cards": cards,
        "candidates": candidates,
        "create_form": form or CreateBaseForm(user=request.user, offered=candidates.possible),
    }
    return render(request, "sync/routing/index.html", context, status=status)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _render_index(request)


@login_required
@require_POST
def create_base(request: HttpRequest) -> HttpResponse:
    offered = routing_display.base_candidates(user=request.user).possible
    form = CreateBaseForm(request.POST, user=request.user, offered=offered)
    if not form.is_valid():
        return _render_index(request, form=form, status=400)
    try:
        base = routing_setup.create_base_playlist(
            user=request.user,
            playlist=form.cleaned_data["playlist"],
            first_match_only=form.cleaned_data["first_match_only"],
            auto_route_after_import=form.cleaned_data["auto_route_after_import"],
        )
    except RoutingSetupError as exc:
        status = refusal_status(exc)
        form.add_error("playlist", str(exc))
        return _render_index(request, form=form, status=status)
    messages.success(request, f"“{base.name}” is now a base playlist: add the playlists it feeds.")
    return redirect("sync:routing-base", pk=base.pk)


# --- one base -----------------------------------------------------------------------------------
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
    history = routing_display.run_history(base=base, children=children)
    active = route_triggers.active_route(base=base)
    last = next((row.event for row in history if not row.event.is_active), None)
    choices = spotify_children.owned_playlist_choices(base=base)
    waiting = active is not None and active.status == SyncStatus.AWAITING_CONFIRMATION
    context = {
        "base": base,
        "pending": selectors.pending_removals(active) if waiting else None,
        "card": routing_display.base_card(base=base, children=children, active=active, last=last),
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
    return render(request, "sync/routing/base_playlist.html", context, status=status)


def refuse(request: HttpRequest, base: BasePlaylist, exc: RoutingSetupError, **forms) -> HttpResponse:
    """The base page again with the refusal's message, for a POST that changed nothing."""
    status = refusal_status(exc)
    messages.error(request, str(exc))
    return render_base(request, base, status=status, **forms)


@login_required
@require_GET
def base_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_base(request, own_base(request, pk))


@login_required
@require_POST
def base_options(request: HttpRequest, pk: int) -> HttpResponse:
    base = own_base(request, pk)
    form = BaseOptionsForm(request.POST)
    if not form.is_valid():
        return render_base(request, base, status=400, options_form=form)
    try:
        routing_setup.update_base_options(
            base=base,
            first_match_only=form.cleaned_data["first_match_only"],
            auto_route_after_import=form.cleaned_data["auto_route_after_import"],
        )
    except RoutingSetupError as exc:
        return refuse(request, base, exc, options_form=form)
    messages.success(request, "Options saved.")
    return redirect("sync:routing-base", pk=base.pk)


@login_required
@require_http_methods(["GET", "POST"])
def base_delete(request: HttpRequest, pk: int) -> HttpResponse:
    base = own_base(request, pk)
    if request.method == "GET":
        children = list(selectors.list_child_playlists(base=base))
        return render(request, "sync/routing/delete_base.html", {"base": base, "children": children})
    try:
        routing_setup.delete_base(base=base)
    except RoutingSetupError as exc:
        return refuse(request, base, exc)
    messages.success(
        request,
        f"“{base.name}” no longer feeds other playlists. "
        "Its child playlists stay on Spotify with the tracks they have.",
    )
    return redirect("sync:routing")


@login_required
@require_POST
def child_add(request: HttpRequest, pk: int) -> HttpResponse:
    base = own_base(request, pk)
    form = AddChildForm(request.POST, choices=spotify_children.owned_playlist_choices(base=base))
    if not form.is_valid():
        return render_base(request, base, status=400, add_form=form)
    chosen, mode = form.cleaned_data["playlist"], form.cleaned_data["mode"] or None
    try:
        if chosen is not None:
            child = routing_setup.add_child_playlist(
                base=base,
                spotify_id=chosen.spotify_id,
                name=chosen.name,
                mode=mode,
                filters=empty_document(),
                replace_contents=form.cleaned_data["replace_contents"],
            )
        else:
            child = spotify_children.create_child_on_spotify(
                base=base, name=form.cleaned_data["new_name"], mode=mode, filters=empty_document()
            )
    except RoutingSetupError as exc:
        if isinstance(exc, BaseBusy):
            return refuse(request, base, exc, add_form=form)
        form.add_error("replace_contents" if isinstance(exc, ReplaceNotConfirmed) else None, str(exc))
        return render_base(request, base, status=refusal_status(exc), add_form=form)
    made = "Created it on Spotify and attached" if chosen is None else "Attached"
    how = (
        "It will hold exactly the base's matching tracks"
        if child.mode == "rebuild"
        else "Matching tracks will be added to it; nothing of it is ever removed"
    )
    messages.success(
        request,
        f"{made} “{child.name}” ({child.get_mode_display().lower()}). {how}: every track of the base "
        "until you add conditions.",
    )
    return redirect("sync:routing-child", pk=child.pk)


# --- route triggers -----------------------------------------------------------------------------
def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
@require_POST
def base_sync(request: HttpRequest, pk: int) -> HttpResponse:
    base = own_base(request, pk)
    try:
        event, created = route_triggers.request_route(base=base, trigger=RouteTrigger.BUTTON)
    except PlaylistNotFound as exc:
        raise Http404(str(exc)) from None
    except RouteTriggerError as exc:
        messages.error(request, str(exc))
    else:
        if created:
            messages.success(request, f"Route #{event.pk} queued: “{base.name}” is being routed.")
        else:
            messages.info(
                request,
                f"Route #{event.pk} of this base is already {event.get_status_display().lower()}; "
                "here is its progress.",
            )
    return redirect(_back(request, reverse("sync:routing-base", args=[base.pk])))


@login_required
@require_POST
def route_retry(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.get_sync_event(user=request.user, event_id=pk)
    if event is None or event.kind not in ROUTING_KINDS or event.base_id is None:
        raise Http404("No such route.")
    try:
        if event.kind == SyncKind.RESTORE:
            retry = restore.retry_restore(event=event)
        else:
            retry = route_triggers.retry_route(event=event)
    except RouteTriggerError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Retrying as route #{retry.pk}: it reads every child again and continues where #{pk} stopped.",
        )
    return redirect("sync:routing-base", pk=event.base_id)
