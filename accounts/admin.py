from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts import credentials, services
from accounts.models import SpotifyCredential, SpotifyPause, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "email", "is_staff", "last_login")
    search_fields = ("username", "display_name", "email")
    fieldsets = DjangoUserAdmin.fieldsets + (("Linernotes", {"fields": ("display_name",)}),)


@admin.register(SpotifyCredential)
class SpotifyCredentialAdmin(admin.ModelAdmin):
    # Tokens are left out of every list, form and search: admins see state, never secrets.
    list_display = (
        "user",
        "spotify_user_id",
        "expires_at",
        "reconnect_needed",
        "last_sign_in_at",
        "updated_at",
    )
    list_filter = ("reconnect_needed",)
    search_fields = ("user__username", "spotify_user_id")
    fields = (
        "user",
        "spotify_user_id",
        "scopes",
        "expires_at",
        "reconnect_needed",
        "reconnect_reason",
        "last_sign_in_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "user",
        "spotify_user_id",
        "scopes",
        "expires_at",
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

    @admin.action(description="Mark reconnect needed (the user must sign in with Spotify again)")
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

    @admin.action(description="Lift now (every Spotify call may go again)")
    def lift(self, request, queryset) -> None:
        lifted = services.lift_spotify_pauses(pauses=queryset)
        self.message_user(
            request, f"{lifted} pause(s) lifted; the work they postponed goes now.", messages.SUCCESS
        )
