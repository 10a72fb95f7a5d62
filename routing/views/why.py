"""The route preview for one track: per child of a base, whether a route would send the track the
listener names and which condition decided (routing.services.why; the API's preview answers the
same with `track`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from routing import selectors
from routing.forms import WhyTrackForm
from routing.services.preview import PreviewFailed
from routing.services.why import TrackNotFound, why_track


@login_required
@require_GET
def why(request: HttpRequest, pk: int) -> HttpResponse:
    base = selectors.get_base(user=request.user, pk=pk)
    asked = "track" in request.GET
    form = WhyTrackForm(request.GET if asked else None)
    answer, problem, status = None, "", 200
    if asked and not form.is_valid():
        status = 400
    elif asked:
        try:
            answer = why_track(base=base, query=form.cleaned_data["track"])
        except TrackNotFound as exc:
            form.add_error("track", str(exc))
            status = 400
        except PreviewFailed as exc:
            # The base has no readable copy, or a child's filters stop routes in this app mode.
            problem, status = str(exc), exc.status
    context = {"base": base, "form": form, "answer": answer, "problem": problem}
    return render(request, "routing/why.html", context, status=status)
