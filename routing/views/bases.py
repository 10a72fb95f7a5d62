"""Pages of smart playlists: the bases overview, one base's set-up and options, adding a child,
and the "Route now" button. How they answer: routing.views.base_page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import page_status
from core.throttles import Throttled
from routing import display, selectors
from routing.filters import empty_document
from routing.forms import AddChildForm, BaseOptionsForm, CreateBaseForm
from routing.services import setup, spotify_children, triggers
from routing.services.setup import BaseBusy, PlaylistNotFound, ReplaceNotConfirmed, RoutingSetupError
from routing.services.triggers import RouteTrigger, RouteTriggerError
from routing.throttles import RouteThrottle
from routing.views.base_page import refuse, render_base, status_url


# --- the overview -------------------------------------------------------------------------------
def _render_index(
    request: HttpRequest, *, form: CreateBaseForm | None = None, status: int = 200
) -> HttpResponse:
    candidates = display.base_candidates(user=request.user)
    cards = display.base_cards(user=request.user)
    for card in cards:
        card.status_url = status_url(card.base)
    context = {
        "cards": cards,
        "candidates": candidates,
        "create_form": form or CreateBaseForm(user=request.user, offered=candidates.possible),
    }
    return render(request, "routing/index.html", context, status=status)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _render_index(request)


@login_required
@require_POST
def create_base(request: HttpRequest) -> HttpResponse:
    offered = display.base_candidates(user=request.user).possible
    form = CreateBaseForm(request.POST, user=request.user, offered=offered)
    if not form.is_valid():
        return _render_index(request, form=form, status=400)
    try:
        base = setup.create_base_playlist(
            user=request.user,
            playlist=form.cleaned_data["playlist"],
            first_match_only=form.cleaned_data["first_match_only"],
            auto_route_after_import=form.cleaned_data["auto_route_after_import"],
        )
    except RoutingSetupError as exc:
        status = page_status(exc)
        form.add_error("playlist", str(exc))
        return _render_index(request, form=form, status=status)
    messages.success(request, f"“{base.name}” is now a base playlist: add the playlists it feeds.")
    return redirect("routing:base", pk=base.pk)


# --- one base -----------------------------------------------------------------------------------
@login_required
@require_GET
def base_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_base(request, selectors.get_base(user=request.user, pk=pk))


@login_required
@require_POST
def base_options(request: HttpRequest, pk: int) -> HttpResponse:
    base = selectors.get_base(user=request.user, pk=pk)
    form = BaseOptionsForm(request.POST)
    if not form.is_valid():
        return render_base(request, base, status=400, options_form=form)
    try:
        setup.update_base_options(
            base=base,
            first_match_only=form.cleaned_data["first_match_only"],
            auto_route_after_import=form.cleaned_data["auto_route_after_import"],
        )
    except RoutingSetupError as exc:
        return refuse(request, base, exc, options_form=form)
    messages.success(request, "Options saved.")
    return redirect("routing:base", pk=base.pk)


@login_required
@require_http_methods(["GET", "POST"])
def base_delete(request: HttpRequest, pk: int) -> HttpResponse:
    base = selectors.get_base(user=request.user, pk=pk)
    if request.method == "GET":
        children = list(selectors.list_child_playlists(base=base))
        return render(request, "routing/delete_base.html", {"base": base, "children": children})
    try:
        setup.delete_base(base=base)
    except RoutingSetupError as exc:
        return refuse(request, base, exc)
    messages.success(
        request,
        f"“{base.name}” no longer feeds other playlists. "
        "Its child playlists stay on Spotify with the tracks they have.",
    )
    return redirect("routing:index")


@login_required
@require_POST
def child_add(request: HttpRequest, pk: int) -> HttpResponse:
    base = selectors.get_base(user=request.user, pk=pk)
    form = AddChildForm(request.POST, choices=spotify_children.owned_playlist_choices(base=base))
    if not form.is_valid():
        return render_base(request, base, status=400, add_form=form)
    chosen, mode = form.cleaned_data["playlist"], form.cleaned_data["mode"] or None
    try:
        if chosen is not None:
            child = setup.add_child_playlist(
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
        return render_base(request, base, status=page_status(exc), add_form=form)
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
    return redirect("routing:child", pk=child.pk)


# --- route triggers -----------------------------------------------------------------------------
def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
@require_POST
def base_route(request: HttpRequest, pk: int) -> HttpResponse:
    base = selectors.get_base(user=request.user, pk=pk)
    back = _back(request, reverse("routing:base", args=[base.pk]))
    if not base.is_disabled and not selectors.list_child_playlists(base=base).exists():
        # The button is disabled with this reason; a page from before the last child was
        # detached can still post.
        messages.error(request, display.NO_CHILDREN_TO_ROUTE)
        return redirect(back)
    try:
        RouteThrottle.check(request)  # the API's routes limit and counter
        event, created = triggers.request_route(base=base, trigger=RouteTrigger.BUTTON)
    except PlaylistNotFound as exc:
        raise Http404(str(exc)) from None
    except (Throttled, RouteTriggerError) as exc:
        messages.error(request, str(exc))
    # Queued, or one queued or running already: no message. Both pages it returns to (the base,
    # the overview) show the base's route status and follow it live; a flash saying "being
    # routed" would stay above it once it says Done (a flash is fixed when the page is served).
    return redirect(back)
