"""Staff without superuser rights cannot raise anyone's rights, their own included, nor become
another user: not through the user or group admins, not through allauth's."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.models import User
from tests.accounts.factories import UserFactory
from tests.core.factories import StaffFactory
from tests.support.admin_forms import change_form_data

pytestmark = pytest.mark.django_db

EVERY_USER_AND_GROUP_PERMISSION = [
    "accounts.add_user", "accounts.change_user", "accounts.delete_user", "accounts.view_user",
    "auth.add_group", "auth.change_group", "auth.delete_group", "auth.view_group",
]  # fmt: skip


def _user_url(view: str, *args) -> str:
    return reverse(f"admin:accounts_user_{view}", args=args)


@pytest.fixture
def operator(client):
    """Staff holding every user and group permission, but not a superuser."""
    staff = StaffFactory(perms=EVERY_USER_AND_GROUP_PERMISSION)
    client.force_login(staff)
    return staff


@pytest.fixture
def superuser(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_an_operator_edits_a_listener_but_cannot_grant_rights(client, operator):
    listener = UserFactory()
    page = client.get(_user_url("change", listener.pk))
    assert page.status_code == 200
    data = change_form_data(page)
    assert not {"is_staff", "is_superuser", "groups", "user_permissions"} & data.keys()

    data.update(
        display_name="Renamed by the operator",
        is_staff="on",
        is_superuser="on",
        user_permissions=[str(Permission.objects.get(codename="change_user").pk)],
    )
    response = client.post(_user_url("change", listener.pk), data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    listener.refresh_from_db()
    assert listener.display_name == "Renamed by the operator"
    assert not listener.is_staff and not listener.is_superuser
    assert not listener.user_permissions.exists()


def test_an_operator_cannot_change_themselves_other_staff_or_a_superuser(client, operator):
    other_staff = StaffFactory()
    a_superuser = UserFactory(is_staff=True, is_superuser=True)

    for target in (operator, other_staff, a_superuser):
        response = client.post(
            _user_url("change", target.pk),
            {"username": target.username, "is_superuser": "on", "is_staff": "on"},
        )
        assert response.status_code == 403
        target.refresh_from_db()
    operator.refresh_from_db()
    assert not operator.is_superuser
    assert not other_staff.is_superuser


def test_an_operator_sets_no_password_and_adds_no_account(client, operator):
    listener = UserFactory()
    a_superuser = UserFactory(is_staff=True, is_superuser=True)
    hashes = {user.pk: user.password for user in (listener, a_superuser)}

    for target in (listener, a_superuser):
        # Django names this view after auth.User, whatever the user model.
        url = reverse("admin:auth_user_password_change", args=[target.pk])
        assert client.get(url).status_code == 403
        posted = {"password1": "A-new-password-9", "password2": "A-new-password-9", "usable_password": "true"}
        assert client.post(url, posted).status_code == 403
        target.refresh_from_db()
        assert target.password == hashes[target.pk]

    assert client.get(_user_url("add")).status_code == 403
    count = User.objects.count()
    client.post(_user_url("add"), {"username": "new-admin", "password1": "A-new-password-9",
                                   "password2": "A-new-password-9", "usable_password": "true"})  # fmt: skip
    assert User.objects.count() == count


def test_an_operator_deletes_a_listener_but_never_staff(client, operator):
    listener = UserFactory()
    a_superuser = UserFactory(is_staff=True, is_superuser=True)

    assert client.post(_user_url("delete", a_superuser.pk), {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [a_superuser.pk, listener.pk], "post": "yes"}
    assert client.post(_user_url("changelist"), bulk).status_code == 403
    assert User.objects.filter(pk__in=[a_superuser.pk, listener.pk]).count() == 2

    response = client.post(_user_url("delete", listener.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=listener.pk).exists()


def test_groups_are_for_superusers_only(client, operator):
    group = Group.objects.create(name="operators")
    operator.groups.add(group)

    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_group_add")).status_code == 403
    every = [str(pk) for pk in Permission.objects.values_list("pk", flat=True)]
    response = client.post(reverse("admin:auth_group_change", args=[group.pk]),
                           {"name": "operators", "permissions": every})  # fmt: skip
    assert response.status_code == 403
    assert not group.permissions.exists()
    operator.refresh_from_db()
    assert not operator.has_perm("auth.change_permission")


def test_a_superuser_still_grants_rights(client, superuser):
    listener = UserFactory()
    data = change_form_data(client.get(_user_url("change", listener.pk)))
    data.update(is_staff="on")

    assert client.post(_user_url("change", listener.pk), data).status_code == 302
    listener.refresh_from_db()
    assert listener.is_staff
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 200


def test_sign_in_secrets_have_no_admin_and_links_are_read_only_for_superusers(client, superuser):
    assert not admin.site.is_registered(SocialApp)
    assert not admin.site.is_registered(SocialToken)
    listener = UserFactory()
    link = SocialAccount.objects.create(user=listener, provider="spotify", uid="listener-uid")

    assert client.get(reverse("admin:socialaccount_socialaccount_changelist")).status_code == 200
    response = client.post(
        reverse("admin:socialaccount_socialaccount_change", args=[link.pk]),
        {"user": superuser.pk, "provider": "spotify", "uid": "listener-uid", "extra_data": "{}"},
    )
    assert response.status_code == 403
    link.refresh_from_db()
    assert link.user_id == listener.pk


def test_an_operator_with_every_allauth_permission_cannot_repoint_a_spotify_link(client):
    perms = Permission.objects.filter(content_type__app_label__in=["socialaccount", "account"])
    staff = StaffFactory()
    staff.user_permissions.set(perms)
    client.force_login(staff)
    listener = UserFactory()
    link = SocialAccount.objects.create(user=listener, provider="spotify", uid="listener-uid")
    address = EmailAddress.objects.create(user=listener, email="listener@example.org")

    for name in ("socialaccount_socialaccount", "account_emailaddress"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 403
    response = client.post(
        reverse("admin:socialaccount_socialaccount_change", args=[link.pk]),
        {"user": staff.pk, "provider": "spotify", "uid": "listener-uid", "extra_data": "{}"},
    )
    assert response.status_code == 403
    link.refresh_from_db()
    address.refresh_from_db()
    assert link.user_id == listener.pk
    assert address.user_id == listener.pk


def test_staff_with_every_axes_permission_cannot_lift_the_admin_login_limit(client):
    from axes.models import AccessAttempt

    staff = StaffFactory()
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="axes"))
    client.force_login(staff)
    attempt = AccessAttempt.objects.create(
        username="root", ip_address="203.0.113.9", user_agent="x", get_data="", post_data="", failures_since_start=5
    )

    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"}
    assert client.post(reverse("admin:axes_accessattempt_changelist"), bulk).status_code == 403
    assert client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}).status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
