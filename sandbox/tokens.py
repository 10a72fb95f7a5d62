"""Authorization codes, access tokens and refresh tokens of the sandbox Accounts service."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import secrets
import time

from sandbox.errors import ApiError, OAuthError

CODE_LIFETIME = 600
ALL_SCOPES = frozenset(
    {
        "app-remote-control",
        "playlist-read-private",
        "playlist-read-collaborative",
        "playlist-modify-public",
        "playlist-modify-private",
        "user-library-read",
        "user-library-modify",
        "user-read-private",
        "user-read-email",
        "user-follow-read",
        "user-follow-modify",
        "user-top-read",
        "user-read-playback-position",
        "user-read-playback-state",
        "user-read-recently-played",
        "user-read-currently-playing",
        "user-modify-playback-state",
        "ugc-image-upload",
        "streaming",
    }
)


@dataclasses.dataclass(slots=True)
class CodeGrant:
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    user: str
    code_challenge: str | None
    expires_at: float
    used: bool = False


@dataclasses.dataclass(slots=True)
class RefreshGrant:
    client_id: str
    user: str
    scopes: tuple[str, ...]
    # PKCE clients are public: they refresh with their client_id alone.
    public_client: bool
    revoked: bool = False
    # When the user first authorised the grant this token belongs to (epoch seconds): a
    # refresh_token_lifetime_seconds counts from here, not from this token's issue.
    authorized_at: float = 0.0


@dataclasses.dataclass(slots=True)
class AccessGrant:
    client_id: str
    user: str
    scopes: frozenset[str]
    expires_at: float
    revoked: bool = False


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class TokenStore:
    def __init__(self) -> None:
        self.codes: dict[str, CodeGrant] = {}
        self.access: dict[str, AccessGrant] = {}
        self.refresh: dict[str, RefreshGrant] = {}
        # (client_id, user) -> when the user first authorised the app's current grant.
        self.authorized_at: dict[tuple[str, str], float] = {}

    def clear(self) -> None:
        self.codes.clear()
        self.access.clear()
        self.refresh.clear()
        self.authorized_at.clear()

    def new_code(
        self,
        *,
        client_id: str,
        redirect_uri: str,
        scopes: tuple[str, ...],
        user: str,
        code_challenge: str | None,
    ) -> str:
        code = "AQ" + secrets.token_urlsafe(48)
        self.codes[code] = CodeGrant(
            client_id, redirect_uri, scopes, user, code_challenge, time.time() + CODE_LIFETIME
        )
        return code

    def redeem_code(
        self, *, code: str, client_id: str, redirect_uri: str | None, code_verifier: str | None
    ) -> CodeGrant:
        grant = self.codes.get(code)
        if grant is None or grant.used or grant.expires_at < time.time() or grant.client_id != client_id:
            raise OAuthError("invalid_grant", "Invalid authorization code")
        # Single use: a second attempt fails even if this one is rejected below.
        grant.used = True
        if redirect_uri != grant.redirect_uri:
            raise OAuthError("invalid_grant", "Invalid redirect URI")
        if grant.code_challenge is not None:
            if not code_verifier:
                raise OAuthError("invalid_request", "code_verifier required")
            if s256(code_verifier) != grant.code_challenge:
                raise OAuthError("invalid_grant", "code_verifier was incorrect")
        return grant

    def issue(
        self,
        *,
        client_id: str,
        user: str,
        scopes: tuple[str, ...],
        lifetime: int,
        public_client: bool,
        refresh_token: str | None = None,
        authorized_at: float | None = None,
    ) -> dict:
        """A token response; a new refresh token only when none is passed in.

        A new refresh token from an authorisation is a new grant: its lifetime counts from now,
        as Spotify counts the six months from the authorisation that issued the token (earlier
        refresh tokens keep their own start and end). A rotated one (`authorized_at` given)
        keeps the start of the token it replaces: refreshing never extends a grant.
        """
        access_token = "BQ" + secrets.token_urlsafe(96)
        self.access[access_token] = AccessGrant(client_id, user, frozenset(scopes), time.time() + lifetime)
        body = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": lifetime,
            "scope": " ".join(scopes),
        }
        if refresh_token is None:
            refresh_token = "AQ" + secrets.token_urlsafe(96)
            if authorized_at is None:
                authorized_at = self._authorization(client_id=client_id, user=user)
            self.refresh[refresh_token] = RefreshGrant(
                client_id, user, scopes, public_client, authorized_at=authorized_at
            )
            body["refresh_token"] = refresh_token
        return body

    def refresh_grant(self, token: str, *, client_id: str, grant_lifetime: int | None = None) -> RefreshGrant:
        grant = self.refresh.get(token)
        if grant is None or grant.client_id != client_id:
            raise OAuthError("invalid_grant", "Invalid refresh token")
        if grant.revoked or _ended(grant.authorized_at, grant_lifetime):
            # Spotify words an ended grant as it words a revoked one.
            raise OAuthError("invalid_grant", "Refresh token revoked")
        return grant

    def _authorization(self, *, client_id: str, user: str) -> float:
        started = self.authorized_at[(client_id, user)] = time.time()
        return started

    def authenticate(self, header: str | None) -> AccessGrant:
        """The grant behind `Authorization: Bearer ...`, or the 401 Spotify would send."""
        if not header:
            raise _unauthorized("No token provided")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("Only valid bearer authentication supported")
        grant = self.access.get(token.strip())
        if grant is None or grant.revoked:
            raise _unauthorized("Invalid access token")
        if grant.expires_at <= time.time():
            raise _unauthorized("The access token expired")
        return grant

    def revoke(self, *, refresh_token: str | None = None, access_token: str | None = None) -> bool:
        if refresh_token is not None and refresh_token in self.refresh:
            grant = self.refresh[refresh_token]
            grant.revoked = True
            # The grant is gone: the user's next authorisation starts a new one.
            self.authorized_at.pop((grant.client_id, grant.user), None)
            return True
        if access_token is not None and access_token in self.access:
            self.access[access_token].revoked = True
            return True
        return False


def _ended(authorized_at: float, grant_lifetime: int | None) -> bool:
    return grant_lifetime is not None and time.time() >= authorized_at + grant_lifetime


def _unauthorized(message: str) -> ApiError:
    return ApiError(
        401,
        message,
        headers={
            "WWW-Authenticate": (
                f'Bearer realm="spotify", error="invalid_token", error_description="{message}"'
            )
        },
    )
