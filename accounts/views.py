"""Pages: the landing page, the dashboard, API-token rotation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts import selectors, services


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    return render(request, "accounts/landing.html")


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    # The Spotify card (state and playlist count) is spotify's `{% connection_card %}`.
    context = {"api_token": selectors.get_api_token(user=request.user)}
    return render(request, "accounts/dashboard.html", context)


@login_required
@require_POST
def rotate_api_token(request: HttpRequest) -> HttpResponse:
    had_token = selectors.get_api_token(user=request.user) is not None
    services.rotate_api_token(user=request.user)
    note = " The old one no longer works." if had_token else ""
    messages.success(request, f"A new API token is ready.{note}")
    return redirect("accounts:dashboard")
