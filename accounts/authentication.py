"""DRF authentication by API token: `Authorization: Token <secret>`, as scripts sent before.

Subclasses DRF's TokenAuthentication for its header parsing, its 401 challenge ("Token") and
drf-spectacular's `tokenAuth` scheme; the check itself is ours: the stored digest, never the
secret (accounts.models.ApiToken).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

if TYPE_CHECKING:
    from accounts.models import ApiToken, User

# Longer than any secret we issue; a header past it is refused before hashing.
SECRET_MAX_LENGTH = 200


class ApiTokenAuthentication(TokenAuthentication):
    # DRF loads this class while importing rest_framework.views (APIView's defaults), which
    # core.errors and the models' neighbours import early: accounts' modules load on first use.

    def get_model(self) -> type[ApiToken]:
        from accounts.models import ApiToken

        return ApiToken  # never DRF's Token model

    def authenticate_credentials(self, key: str) -> tuple[User, ApiToken]:
        from accounts import selectors, services

        token = selectors.find_api_token(secret=key) if len(key) <= SECRET_MAX_LENGTH else None
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        now = timezone.now()
        if token.expired(now=now):
            when = timezone.localtime(token.expires_at).isoformat(timespec="minutes")
            raise exceptions.AuthenticationFailed(
                f"This token (“{token.name}”) expired at {when}: create a new one on the dashboard."
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        services.note_api_token_use(token=token, now=now)
        return token.user, token
