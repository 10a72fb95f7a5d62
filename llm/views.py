"""The staff page with the LLM router's status card."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from llm import selectors


@login_required
def status(request: HttpRequest) -> HttpResponse:
    # 404, not 403, for a signed-in listener: like any page that is not theirs, it does not exist.
    if not request.user.is_staff:
        raise Http404
    return render(
        request,
        "llm/status.html",
        {"status": selectors.router_status(), "calls": selectors.recent_calls(limit=20)},
    )
