from __future__ import annotations

from django.contrib import admin, messages

from accounts import admin_people  # noqa: F401  (users, groups and allauth: who may be whom)
from accounts import credentials, services
from accounts.models import ApiToken, SignInRefusal, SpotifyCredential, SpotifyPause


@admin.register(SpotifyCredential)
class SpotifyCredentialAdmin(admin.ModelAdmin):
    # Tokens are left out of every list, form and search: admins see state, never secrets.
    list_display = (
        "user",
        "spotify_user_id",
        "expires_at",
        "access",
        "reconnect_needed",
        "first_authorized_at",
        "last_sign_in_at",
        "updated_at",
    )
    list_filter = ("access", "reconnect_needed")
    search_fields = ("user__username", "spotify_user_id")
    fields = (
        "user",
        "spotify_user_id",
        "account_id",
        "scopes",
        "expires_at",
        "access",
        "access_changed_at",
        "reconnect_needed",
        "reconnect_reason",
        "first_authorized_at",
        "last_sign_in_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "user",
        "spotify_user_id",
        "account_id",
        "scopes",
        "expires_at",
        # Spotify's answers set these; an admin's edit would only be overwritten by the next one.
        "access",
        "access_changed_at",
        "first_authorized_at",
        "last_sign_in_at",
        "created_at",
        "updated_at",
    )
    actions = ["mark_reconnect_needed"]

    def get_queryset(self, request):
        # Not even loaded: nothing to leak, and a page still works if a key is missing.
        return super().get_queryset(request).defer("access_token", "refresh_token")

    def has_add_permission(self, request) -> bool:
        # Credentials come only from a Spotify sign-in.
        return False

    # permissions: without them Django offers an action to whoever may view the list.
    @admin.action(
        description="Mark reconnect needed (the user must sign in with Spotify again)",
        permissions=("change",),
    )
    def mark_reconnect_needed(self, request, queryset) -> None:
        count = 0
        for credential in queryset:
            credentials.mark_reconnect_needed(credential=credential, reason="Marked by an administrator.")
            count += 1
        self.message_user(request, f"{count} credential(s) marked.", messages.SUCCESS)


@admin.register(SpotifyPause)
class SpotifyPauseAdmin(admin.ModelAdmin):
    """Every time Spotify made this deployment stop, and who met it; staff may lift one early
    (the developer dashboard shows the quota reset before Retry-After ends)."""

    list_display = ("until", "reason", "retry_after", "user", "message", "created_at")
    list_filter = ("reason",)
    readonly_fields = ("until", "reason", "retry_after", "message", "user", "created_at")
    actions = ["lift"]

    def has_add_permission(self, request) -> bool:
        return False  # only Spotify's answers pause it

    @admin.action(description="Lift now (every Spotify call may go again)", permissions=("change",))
    def lift(self, request, queryset) -> None:
        lifted = services.lift_spotify_pauses(pauses=queryset)
        self.message_user(
            request, f"{lifted} pause(s) lifted; the work they postponed goes now.", messages.SUCCESS
        )


@admin.register(SignInRefusal)
class SignInRefusalAdmin(admin.ModelAdmin):
    """Sign-ins Spotify refused to serve: how many listeners are waiting for the operator."""

    list_display = ("created_at", "reason", "spotify_user_id")
    list_filter = ("reason",)
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "reason", "spotify_user_id")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Listeners' API tokens by name, for staff to see which devices hold access and revoke one
    (a lost phone). Never the secret (not stored) nor its digest (not even loaded). Staff cannot
    create or change a token: one made here would let staff act as the listener."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__display_name", "name")
    date_hierarchy = "created_at"
    fields = readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at")
    actions = ["revoke"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("digest")

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        # The list filters on any field from the query string: ?digest__startswith=ab… would
        # spell out a digest a character at a time.
        return not lookup.startswith("digest") and super().lookup_allowed(lookup, value, request)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one way to revoke, through the service
        return actions

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens (requests with them get 401)",
                  permissions=["delete"])  # fmt: skip
    def revoke(self, request, queryset) -> None:
        revoked = services.revoke_api_tokens(tokens=queryset)
        self.message_user(request, f"{revoked} token(s) revoked.", messages.SUCCESS)
