"""The staff dashboard: Spotify's pause of the deployment if one is in force, the LLM router at a
glance, and the background jobs of the last day.

Here, not in core, because it shows llm's router beside core's job records (core imports
nothing of ours); the job overview itself is core.selectors.staff_overview.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import selectors as account_selectors
from core.selectors import clusters_overview, staff_overview
from llm import selectors as llm_selectors


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    # 404, not 403, for a signed-in listener, as on /staff/llm/: the page does not exist for them.
    if not request.user.is_staff:
        raise Http404
    return render(
        request,
        "insights/staff_dashboard.html",
        {
            "router": llm_selectors.router_status(),
            "jobs": staff_overview(),
            "clusters": clusters_overview(),
            "spotify_pause": account_selectors.get_current_pause(),
        },
    )
