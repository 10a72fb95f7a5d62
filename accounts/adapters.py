"""allauth hook-ups: where a Spotify sign-in turns into our User and SpotifyCredential."""

from __future__ import annotations

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.utils import user_email, user_username
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import render
from django.utils import timezone

from accounts import credentials, services
from accounts.access import NOT_ALLOWLISTED_MESSAGE
from accounts.models import SignInRefusal, User
from accounts.spotify_provider.views import NotAllowlistedAtSignIn, PausedAtSignIn


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict) -> User:
        user = super().populate_user(request, sociallogin, data)
        user.display_name = (data.get("name") or "")[:200]
        return user

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form=None) -> User:
        """A new listener: pick a username (no signup form, no email) and store the grant."""
        user = sociallogin.user
        if not form and not user_username(user):
            # Readable and stable: "demo_listener" from the display name, else the Spotify id.
            user_username(
                user,
                get_account_adapter(request).generate_unique_username(
                    [user.display_name, sociallogin.account.uid, "listener"]
                ),
            )
        with transaction.atomic():
            user = super().save_user(request, sociallogin, form=form)
            self._store_grant(user=user, sociallogin=sociallogin)
        services.on_spotify_sign_in(user=user, created=True)
        return user

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        """Always: a new Spotify account becomes a new listener at once, never through allauth's
        signup form. That form is reached by storing the pending sign-in, Spotify tokens included,
        in the session (signed, not encrypted), where no token may be."""
        return True

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """A returning listener (allauth has found the account): refresh the stored grant.

        New users are handled in save_user, once they have a primary key.
        """
        if not sociallogin.is_existing:
            self._without_email(sociallogin)
            return
        user = sociallogin.user
        display_name = str(sociallogin.account.extra_data.get("display_name") or "")
        with transaction.atomic():
            services.set_display_name(user=user, display_name=display_name)
            self._store_grant(user=user, sociallogin=sociallogin)
        services.on_spotify_sign_in(user=user, created=False)

    def on_authentication_error(
        self, request: HttpRequest, provider, error=None, exception=None, extra_context=None
    ) -> None:
        """A sign-in Spotify refused because the app does not serve this account: the listener
        reads why (allauth's page would blame a stale link), and the operator gets it counted."""
        if isinstance(exception, NotAllowlistedAtSignIn):
            credentials.record_sign_in_refusal(reason=SignInRefusal.Reason.NOT_ALLOWLISTED)
            response = render(
                request, "accounts/sign_in_refused.html", {"message": NOT_ALLOWLISTED_MESSAGE}, status=403
            )
            raise ImmediateHttpResponse(response)
        if isinstance(exception, PausedAtSignIn):
            until = timezone.localtime(exception.until)
            message = (
                f"Spotify asked this Linernotes server to pause until {until:%H:%M %Z} (its quota is "
                "shared by every listener). Sign in again then."
            )
            context = {"message": message, "heading": "Spotify asked us to wait", "hint": "Nothing was stored."}
            response = render(request, "accounts/sign_in_refused.html", context, status=503)
            raise ImmediateHttpResponse(response)
        super().on_authentication_error(
            request, provider, error=error, exception=exception, extra_context=extra_context
        )

    @staticmethod
    def _without_email(sociallogin: SocialLogin) -> None:
        """A new listener gets no email, whatever Spotify sent (the provider already drops it).

        An email another user has is the one thing that makes allauth refuse an automatic sign-up
        (and then park the sign-in, tokens included, in the session for its signup form). Joining
        the two accounts by that address is not safe: Spotify does not vouch for it (allauth treats
        it as unverified), so whoever typed someone's address into their Spotify profile would
        sign in as that someone. Taking the address into the new listener is not possible (it is
        taken) and not needed: Linernotes never mails anyone. So the Spotify account becomes a
        listener of its own, keyed by its Spotify id, and every later sign-in of it finds that
        listener. An operator who wants their admin user and their listener to be one account
        gives the listener staff rights instead.
        """
        sociallogin.email_addresses = []
        if sociallogin.user is not None:
            user_email(sociallogin.user, "")

    def _store_grant(self, *, user: User, sociallogin: SocialLogin) -> None:
        try:
            self._store_tokens(user=user, sociallogin=sociallogin)
        finally:
            self._forget_tokens(sociallogin)

    @staticmethod
    def _forget_tokens(sociallogin: SocialLogin) -> None:
        """Once stored (encrypted, in SpotifyCredential), the grant leaves the SocialLogin: allauth
        goes on with it (its signals, and a login stage it may stash in the session, which
        serialises the SocialLogin, token included), and none of that may carry a token."""
        sociallogin.spotify_grant = None
        if sociallogin.token is not None:
            sociallogin.token.token = ""
            sociallogin.token.token_secret = ""

    def _store_tokens(self, *, user: User, sociallogin: SocialLogin) -> None:
        grant = getattr(sociallogin, "spotify_grant", None)
        if grant is None:
            # A SocialLogin restored from the session loses our attribute; fall back to
            # allauth's token object, which carries the same token and expiry.
            token = sociallogin.token
            if token is None or not token.token:  # none, or already stored and forgotten
                return
            expires_in = 3600
            if token.expires_at:
                expires_in = int((token.expires_at - timezone.now()).total_seconds())
            access_token, refresh_token, scope = token.token, token.token_secret, ""
        else:
            access_token, refresh_token = grant.access_token, grant.refresh_token
            expires_in, scope = grant.expires_in, grant.scope
        credentials.store_spotify_tokens(
            user=user,
            access_token=access_token,
            refresh_token=refresh_token,
            expires_in=expires_in,
            scopes=scope,
            spotify_user_id=sociallogin.account.uid,
            # Spotify's stable account id (May 2026), kept for linking; not sent by older answers.
            account_id=str(sociallogin.account.extra_data.get("account_id") or ""),
        )
