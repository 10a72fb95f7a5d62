"""Pages of one child playlist: the filter editor, moving a child up or down, detaching it.

They answer as routing.views.base_page says (refusals re-render with 400/404/409; success
redirects with a message).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import page_status
from routing import display, selectors
from routing.filters import (
    FilterProblem,
    FilterValidationError,
    describe_fields,
    describe_problems,
    validate_filters,
)
from routing.forms import ChildForm, MoveChildForm, WhyTrackForm
from routing.models import ChildPlaylist
from routing.services import setup, triggers, why
from routing.services.preview import PreviewFailed
from routing.services.setup import BaseBusy, ReplaceNotConfirmed, RoutingSetupError
from routing.views.base_page import (
    metadata_url,
    preview_url,
    refusal_message,
    refuse,
    render_base,
    status_url,
)


def _render_editor(
    request: HttpRequest,
    child: ChildPlaylist,
    *,
    form: ChildForm | None = None,
    filter_errors: list[FilterProblem] | None = None,
    status: int = 200,
) -> HttpResponse:
    base = child.base
    siblings = [c for c in selectors.list_child_playlists(base=base) if c.pk != child.pk]
    names = display.artist_names(display.filter_artist_ids([child.filters]))
    if form is None:
        form = ChildForm(
            initial={"name": child.name, "mode": child.mode, "filters": json.dumps(child.filters, indent=2)}
        )
    fields = describe_fields(mode=settings.SPOTIFY_APP_MODE)
    choices = display.editor_choices(base=base)
    # Names of the artists the saved document already names, even when not on the base any more.
    known = {artist_id for artist_id, _ in choices["artists"]}
    choices["artists"] += [[artist_id, name] for artist_id, name in names.items() if artist_id not in known]
    active = triggers.active_route(base=base)
    tracks, tracks_problem = None, ""
    try:
        tracks = why.child_tracks(child=child)
    except PreviewFailed as exc:  # the base is gone or unreadable, or filters invalid in this mode
        tracks_problem = str(exc)
    context = {
        "tracks": tracks,
        "tracks_problem": tracks_problem,
        "why_form": WhyTrackForm(),
        "mode_problems": _mode_problems(child),
        "child": child,
        "base": base,
        "siblings": siblings,
        "form": form,
        "filter_errors": filter_errors or [],
        # The same sentences for filter-editor.js, with their paths, to show beside their rows.
        "filter_error_list": [problem.to_dict() for problem in filter_errors or []],
        "summary": display.describe_filters(child.filters, artist_names=names),
        # The preview counts only songs; the base page counts every item it mirrors.
        "unroutable_note": display.describe_unroutable_items(kinds=selectors.base_item_kinds(base=base)),
        "fields": fields,
        "choices": choices,
        "app_mode": settings.SPOTIFY_APP_MODE,
        "active": active,
        "active_summary": display.describe_route(active) if active else "",
        "busy": active is not None,
        "status_url": status_url(base),
        "preview_url": preview_url(base),
        "metadata_url": metadata_url(base),
    }
    return render(request, "routing/child.html", context, status=status)


def _mode_problems(child: ChildPlaylist) -> list[FilterProblem]:
    """Why the saved filters cannot route in this app mode (popularity saved in Extended mode,
    the app now in Development mode): the route stops before writing, and the page says why."""
    try:
        validate_filters(child.filters, mode=settings.SPOTIFY_APP_MODE)
    except FilterValidationError as exc:
        return describe_problems(exc, document=child.filters)
    return []


@login_required
@require_http_methods(["GET", "POST"])
def child_edit(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.get_child(user=request.user, pk=pk)
    if request.method == "GET":
        return _render_editor(request, child)
    form = ChildForm(request.POST)
    if not form.is_valid():
        return _render_editor(request, child, form=form, status=400)
    try:
        saved = setup.update_child(
            child=child,
            name=form.cleaned_data["name"],
            mode=form.cleaned_data["mode"],
            filters=form.cleaned_data["filters"],
            replace_contents=form.cleaned_data["replace_contents"],
        )
    except FilterValidationError as exc:
        # Every problem, naming its condition as the live preview does; the service wrote nothing.
        problems = describe_problems(exc, document=form.cleaned_data["filters"])
        return _render_editor(request, child, form=form, filter_errors=problems, status=400)
    except RoutingSetupError as exc:
        status = page_status(exc)
        if isinstance(exc, BaseBusy):
            messages.error(request, refusal_message(child.base, exc))
        else:
            form.add_error("replace_contents" if isinstance(exc, ReplaceNotConfirmed) else None, str(exc))
        return _render_editor(request, child, form=form, status=status)
    messages.success(request, f"Saved “{saved.name}”.")
    return redirect("routing:child", pk=saved.pk)


@login_required
@require_POST
def child_move(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.get_child(user=request.user, pk=pk)
    base = child.base
    form = MoveChildForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Move a child up or down.")
        return render_base(request, base, status=400)
    order = list(selectors.list_child_playlists(base=base).values_list("pk", flat=True))
    index = order.index(child.pk)
    other = index - 1 if form.cleaned_data["direction"] == "up" else index + 1
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
    # At the edge the order is unchanged, but it still goes through the service: a move
    # while the base routes is refused the same way wherever the child stands.
    try:
        setup.reorder_children(base=base, child_ids=order)
    except RoutingSetupError as exc:
        return refuse(request, base, exc)
    return redirect("routing:base", pk=base.pk)


@login_required
@require_POST
def child_delete(request: HttpRequest, pk: int) -> HttpResponse:
    child = selectors.get_child(user=request.user, pk=pk)
    try:
        setup.delete_child(child=child)
    except RoutingSetupError as exc:
        return refuse(request, child.base, exc)
    messages.success(
        request, f"Detached “{child.name}”: routing no longer touches it; it stays on Spotify as it is."
    )
    return redirect("routing:base", pk=child.base_id)
