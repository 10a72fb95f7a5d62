"""Who may be whom in the admin: people, groups and sign-in links.

A staff member without superuser rights is an operator, not an administrator of operators. Django's
own user and group admins would let any staff member holding "change user" make themselves a
superuser, grant themselves every permission, or set a superuser's password and sign in as them;
allauth's admins would let them repoint a listener's Spotify link to their own Spotify account
(then signing in with Spotify makes them that listener) or read sign-in secrets. So here:

- Users: rights (`is_staff`, `is_superuser`, groups, permissions) are read-only except to
  superusers; other staff and superusers cannot be changed or deleted except by a superuser;
  passwords are set by superusers only (listeners have none: they sign in with Spotify).
- Groups: superusers only (a group's permissions are rights too).
- allauth: the Spotify app's keys come from settings and tokens are never stored in allauth's
  tables, so those two admins are removed; Spotify links and e-mail addresses are read-only and
  for superusers only.
- django-axes (the admin login's limit): read-only and for superusers only. Staff who could
  delete the failed attempts could lift the limit and guess a superuser's password unhindered;
  `manage.py axes_reset_username` lets a locked-out operator in again.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from accounts.models import User
from core.admin import superuser_read_only

RIGHTS = ("is_staff", "is_superuser", "groups", "user_permissions")


def _is_superuser(request) -> bool:
    return request.user.is_active and request.user.is_superuser


def _holds_rights(user: User | None) -> bool:
    return user is not None and (user.is_staff or user.is_superuser)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "display_name", "email", "spotify_access", "is_staff", "last_login")
    # Who Spotify refuses to serve (Development-mode user list): the operator adds them there.
    list_filter = DjangoUserAdmin.list_filter + ("spotify_credential__access",)
    list_select_related = ("spotify_credential",)
    search_fields = ("username", "display_name", "email")
    fieldsets = DjangoUserAdmin.fieldsets + (("Linernotes", {"fields": ("display_name",)}),)

    @admin.display(description="Spotify access", ordering="spotify_credential__access")
    def spotify_access(self, user: User) -> str:
        credential = getattr(user, "spotify_credential", None)
        return credential.get_access_display() if credential is not None else "—"

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if _is_superuser(request):
            return readonly
        return readonly + RIGHTS

    def has_add_permission(self, request) -> bool:
        # A new account with a password is only useful to sign in to the admin: superusers' call.
        return _is_superuser(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and _holds_rights(obj) and not _is_superuser(request):
            return False  # themselves included: nothing of theirs is theirs to raise
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and _holds_rights(obj) and not _is_superuser(request):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        # The bulk action checks the model permission only, not each row's.
        if not _is_superuser(request) and any(_holds_rights(user) for user in queryset):
            raise PermissionDenied
        super().delete_queryset(request, queryset)

    def user_change_password(self, request, id, form_url=""):
        # A password is a way in through the admin's sign-in: only superusers set one.
        if not _is_superuser(request):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    def has_module_permission(self, request) -> bool:
        return _is_superuser(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _is_superuser(request)

    def has_add_permission(self, request) -> bool:
        return _is_superuser(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _is_superuser(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _is_superuser(request)


def _replace_third_party_admin(site: admin.AdminSite) -> None:
    for model in (SocialApp, SocialToken):
        if site.is_registered(model):
            site.unregister(model)
    for model in (SocialAccount, EmailAddress, EmailConfirmation, AccessAttempt, AccessLog, AccessFailureLog):
        if site.is_registered(model):
            base = type(site.get_model_admin(model))
            site.unregister(model)
            site.register(model, superuser_read_only(base))


_replace_third_party_admin(admin.site)
