"""Staff may do on a page or through the API only what the admin lets them do: the same Django
model permission ("llm.change_provider", "sync.change_syncevent"...) decides in all three places.

- The API: `StaffPermission` subclasses made by `staff_permission(...)` (DRF), one permission
  per HTTP method.
- The pages: `@staff_page("app.codename")`.
- The admin: `OperatorActionsMixin` on read-only admins whose actions change state (retry,
  cancel), since Django would otherwise offer an action to anyone who may view the list.

`is_staff` alone grants nothing here: it only lets someone into the admin and onto the staff
pages' 403. A superuser has every permission.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps

from django.contrib.auth import get_permission_codename
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission


def has_staff_perm(user, perm: str) -> bool:
    """A signed-in, active staff member holding `perm` ("app_label.codename")."""
    return bool(user and user.is_authenticated and user.is_active and user.is_staff and user.has_perm(perm))


class StaffPermission(BasePermission):
    """Allows a request when its user is staff with the permission its method needs.

    `perms` maps an HTTP method to "app_label.codename"; a method that is not listed is refused.
    An anonymous caller is refused too, and DRF answers 401 (NotAuthenticated) for them, 403 for
    the signed-in.
    """

    perms: Mapping[str, str] = {}
    message = "You need the staff permission for this."

    def has_permission(self, request, view) -> bool:
        perm = self.perms.get(request.method)
        if perm is None and request.method in ("HEAD", "OPTIONS"):
            perm = self.perms.get("GET")
        return perm is not None and has_staff_perm(request.user, perm)


def staff_permission(*, read: str | None = None, write: str | None = None) -> type[StaffPermission]:
    """A StaffPermission needing `read` for GET (and HEAD, OPTIONS) and `write` for POST, PUT,
    PATCH and DELETE: `staff_permission(read="llm.view_provider", write="llm.change_provider")`."""
    perms: dict[str, str] = {}
    if read:
        perms["GET"] = read
    if write:
        perms.update(dict.fromkeys(("POST", "PUT", "PATCH", "DELETE"), write))
    return type("StaffPermission", (StaffPermission,), {"perms": perms})


def staff_page(perm: str) -> Callable:
    """A page for staff holding `perm`: anonymous visitors are sent to sign in; a signed-in
    listener who is not staff gets 404 (like any page that is not theirs, it does not exist for
    them); staff without the permission get 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_staff:
                raise Http404
            if not has_staff_perm(request.user, perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class OperatorActionsMixin:
    """For a read-only ModelAdmin whose actions change state: the actions declare
    `permissions=("operate",)` and need the model's change permission, although the
    admin itself never offers a change form (has_change_permission is False there)."""

    def has_operate_permission(self, request: HttpRequest) -> bool:
        opts = self.model._meta
        return has_staff_perm(request.user, f"{opts.app_label}.{get_permission_codename('change', opts)}")
