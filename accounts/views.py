"""Pages: the landing page, the dashboard, API tokens (create: the secret shown once; revoke)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import selectors, services
from accounts.forms import ApiTokenForm
from accounts.models import ApiToken
from core.errors import page_status


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    # The docs are linked for visitors only where a visitor may read them (the demo).
    return render(request, "accounts/landing.html", {"api_docs_public": settings.API_DOCS_PUBLIC})


def _render_dashboard(
    request: HttpRequest, *, form: ApiTokenForm | None = None, status: int = 200
) -> HttpResponse:
    # The Spotify card (state and playlist count) is spotify's `{% connection_card %}`.
    context = {
        "api_tokens": selectors.list_api_tokens(user=request.user),
        "api_token_form": form or ApiTokenForm(),
        "api_token_limit": ApiToken.PER_LISTENER,
    }
    return render(request, "accounts/dashboard.html", context, status=status)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return _render_dashboard(request)


@never_cache
@login_required
@require_POST
def create_api_token(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _render_dashboard(request, form=form, status=400)
    try:
        token, secret = services.create_api_token(
            user=request.user, name=form.cleaned_data["name"], expires_at=form.expires_at()
        )
    except services.ApiTokenRefused as exc:
        form.add_error("name" if exc.field == "name" else None, str(exc))
        return _render_dashboard(request, form=form, status=page_status(exc))
    # Rendered here, not carried through a redirect: a message would keep the secret in the
    # session (or a cookie). never_cache keeps it out of the browser's cache and proxies.
    return render(request, "accounts/api_token_created.html", {"token": token, "secret": secret})


@login_required
@require_POST
def revoke_api_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.get_api_token(user=request.user, pk=pk)
    if token is None:  # another listener's looks the same as none
        raise Http404("No such token.")
    services.revoke_api_tokens(tokens=[token])
    messages.success(
        request, f"The token “{token.name}” is revoked: requests with it are refused from now on."
    )
    return redirect("accounts:dashboard")
