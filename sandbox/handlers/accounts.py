"""The Accounts service: the consent page at /authorize and the token endpoint at /api/token."""

from __future__ import annotations

import base64
import binascii
import html
from urllib.parse import urlencode, urlsplit

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from sandbox.errors import OAuthError
from sandbox.state import SandboxState
from sandbox.tokens import ALL_SCOPES
from sandbox.web import json_response

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
_FORWARDED = (
    "client_id",
    "response_type",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)


def authorize(request: Request, state: SandboxState) -> Response:
    params = request.form if request.method == "POST" else request.args
    client_id, redirect_uri = params.get("client_id", ""), params.get("redirect_uri", "")
    # Never redirect to an unchecked URI: those errors are pages, not redirects.
    if client_id != state.options.client_id:
        return _error_page("INVALID_CLIENT: Invalid client")
    if not _redirect_allowed(redirect_uri, state):
        return _error_page("INVALID_CLIENT: Invalid redirect URI")
    oauth_state = params.get("state")
    if params.get("response_type") != "code":
        return _back(redirect_uri, error="unsupported_response_type", state=oauth_state)
    challenge = params.get("code_challenge") or None
    if challenge is not None and params.get("code_challenge_method") != "S256":
        return _back(redirect_uri, error="invalid_request", state=oauth_state)
    scopes = tuple(dict.fromkeys(params.get("scope", "").replace(",", " ").split()))
    if not set(scopes) <= ALL_SCOPES:
        return _back(redirect_uri, error="invalid_scope", state=oauth_state)

    if request.method == "GET" and not state.config.auto_approve:
        return _consent_page(request, state, scopes=scopes)
    if request.method == "POST" and request.form.get("action") != "agree":
        return _back(redirect_uri, error="access_denied", state=oauth_state)
    user = state.config.authorize_user if request.method == "GET" else request.form.get("user", "demo")
    if user not in state.signable_users:
        return _error_page("Unknown sandbox user")
    code = state.tokens.new_code(
        client_id=client_id, redirect_uri=redirect_uri, scopes=scopes, user=user, code_challenge=challenge
    )
    return _back(redirect_uri, code=code, state=oauth_state)


def token(request: Request, state: SandboxState) -> Response:
    try:
        return json_response(200, _token(request, state), {"Cache-Control": "no-store"})
    except OAuthError as error:
        return json_response(error.status, error.body())


def _token(request: Request, state: SandboxState) -> dict:
    form = request.form
    client_id, secret = _client_credentials(request)
    grant_type = form.get("grant_type")
    if not grant_type:
        raise OAuthError("unsupported_grant_type", "grant_type parameter is missing")
    if grant_type not in {"authorization_code", "refresh_token"}:
        raise OAuthError("unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
    if not client_id:
        raise OAuthError("invalid_client", "Invalid client", status=401)
    if client_id != state.options.client_id:
        raise OAuthError("invalid_client", "Invalid client", status=401)
    if secret is not None and secret != state.options.client_secret:
        raise OAuthError("invalid_client", "Invalid client secret", status=401)
    lifetime = state.config.token_lifetime
    grant_lifetime = state.config.refresh_token_lifetime_seconds
    if grant_type == "authorization_code":
        code = form.get("code")
        if not code:
            raise OAuthError("invalid_request", "code parameter is missing")
        grant = state.tokens.redeem_code(
            code=code,
            client_id=client_id,
            redirect_uri=form.get("redirect_uri"),
            code_verifier=form.get("code_verifier"),
        )
        public_client = grant.code_challenge is not None
        if not public_client and secret is None:
            # Without PKCE the client must prove itself with its secret.
            raise OAuthError("invalid_client", "Invalid client secret", status=401)
        return state.tokens.issue(
            client_id=client_id,
            user=grant.user,
            scopes=grant.scopes,
            lifetime=lifetime,
            public_client=public_client,
        )
    refresh_token = form.get("refresh_token")
    if not refresh_token:
        raise OAuthError("invalid_request", "refresh_token must be supplied")
    grant = state.tokens.refresh_grant(refresh_token, client_id=client_id, grant_lifetime=grant_lifetime)
    if not grant.public_client and secret is None:
        raise OAuthError("invalid_client", "Invalid client secret", status=401)
    if state.config.rotate_refresh_tokens:
        # The old refresh token dies with rotation, so clients must keep the new one.
        grant.revoked = True
        return state.tokens.issue(
            client_id=client_id,
            user=grant.user,
            scopes=grant.scopes,
            lifetime=lifetime,
            public_client=grant.public_client,
            authorized_at=grant.authorized_at,
        )
    return state.tokens.issue(
        client_id=client_id,
        user=grant.user,
        scopes=grant.scopes,
        lifetime=lifetime,
        public_client=grant.public_client,
        refresh_token=refresh_token,
    )


def _client_credentials(request: Request) -> tuple[str | None, str | None]:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip()).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client", "Invalid client", status=401) from None
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return request.form.get("client_id"), request.form.get("client_secret")


def _redirect_allowed(uri: str, state: SandboxState) -> bool:
    if state.options.redirect_uris:
        return uri in state.options.redirect_uris
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS


def _back(redirect_uri: str, **params: str | None) -> Response:
    query = urlencode({key: value for key, value in params.items() if value is not None})
    separator = "&" if urlsplit(redirect_uri).query else "?"
    return redirect(f"{redirect_uri}{separator}{query}", code=302)


def _error_page(message: str) -> Response:
    body = (
        f"<!doctype html><title>Error</title><h1>Oops! Something went wrong</h1><p>{html.escape(message)}</p>"
    )
    return Response(body, status=400, content_type="text/html; charset=utf-8")


def _consent_page(request: Request, state: SandboxState, *, scopes: tuple[str, ...]) -> Response:
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(request.args[name])}">'
        for name in _FORWARDED
        if name in request.args
    )
    users = sorted((u for u in state.users.values() if u.signable), key=lambda u: u.id != "demo")
    radios = "".join(
        f'<label><input type="radio" name="user" value="{html.escape(u.id)}"'
        f"{' checked' if u.id == 'demo' else ''}>"
        f" {html.escape(u.display_name)} <small>({html.escape(u.id)})</small></label><br>"
        for u in users
    )
    scope_items = (
        "".join(f"<li><code>{html.escape(scope)}</code></li>" for scope in scopes) or "<li>Basic profile</li>"
    )
    app_name = html.escape(state.options.app_name)
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorize {app_name} — Spotify sandbox</title>
<style>body{{font-family:sans-serif;max-width:32rem;margin:3rem auto;background:#121212;color:#fff}}
button{{padding:.6rem 1.4rem;border-radius:2rem;border:0;margin-right:.5rem}}
button[value=agree]{{background:#1ed760}}fieldset{{border:1px solid #444;margin:1rem 0}}</style></head>
<body><p>Spotify sandbox — no real account is used.</p>
<h1>Connect {app_name} to your Spotify account</h1>
<form method="post" action="/authorize">{hidden}
<fieldset><legend>Sign in as</legend>{radios}</fieldset>
<p>{app_name} will be able to:</p><ul id="scopes">{scope_items}</ul>
<button type="submit" name="action" value="agree">Agree</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</form></body></html>"""
    return Response(body, status=200, content_type="text/html; charset=utf-8")
