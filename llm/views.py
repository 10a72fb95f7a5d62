"""The staff page with the LLM router's status card."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.permissions import staff_page
from llm import selectors


# The provider admin's view permission; the latest calls need the call records' own.
@staff_page("llm.view_provider")
def status(request: HttpRequest) -> HttpResponse:
    calls = selectors.recent_calls(limit=20) if request.user.has_perm("llm.view_llmcall") else None
    return render(request, "llm/status.html", {"status": selectors.router_status(), "calls": calls})
