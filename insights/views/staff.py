"""The staff dashboard: Spotify's pause of the deployment if one is in force, the LLM router at a
glance, and the background jobs of the last day.

Here, not in core, because it shows llm's router beside core's job records (core imports
nothing of ours); the job overview itself is core.selectors.staff_overview.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import selectors as account_selectors
from core.permissions import staff_page
from core.selectors import clusters_overview, staff_overview
from llm import selectors as llm_selectors


# The page is the job records' overview (their admin's view permission); the router and the
# Spotify pause cards show only to staff who may view those in the admin as well.
@staff_page("core.view_jobrecord")
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "insights/staff_dashboard.html",
        {
            "router": llm_selectors.router_status() if user.has_perm("llm.view_provider") else None,
            "jobs": staff_overview(),
            "clusters": clusters_overview(),
            "spotify_pause": (
                account_selectors.get_current_pause() if user.has_perm("accounts.view_spotifypause") else None
            ),
        },
    )
