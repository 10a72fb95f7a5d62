"""The whole admin, walked by staff holding every model permission but not superuser rights:
no page shows a secret, and no page lets them run code (Django-Q2's) or act as someone else."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse

from accounts.services import create_api_token
from tests.accounts.factories import SpotifyCredentialFactory, UserFactory
from tests.core.factories import ScheduleFactory, StaffFactory, TaskFactory
from tests.devices.factories import DeviceSessionFactory
from tests.llm.factories import ProviderFactory

pytestmark = pytest.mark.django_db

ACCESS_TOKEN = "sweep-access-token-5f1c"
REFRESH_TOKEN = "sweep-refresh-token-9ab2"
PROVIDER_KEY = "sk-sweep-provider-key-77d0"
TASK_RESULT = "sweep-task-result-holding-a-secret"


@pytest.fixture
def secrets_held():
    """One of everything a secret lives in, and the strings no page may show."""
    listener = UserFactory()
    SpotifyCredentialFactory(user=listener, access_token=ACCESS_TOKEN, refresh_token=REFRESH_TOKEN)
    provider = ProviderFactory()
    provider.set_api_key(PROVIDER_KEY)
    provider.save()
    token, api_secret = create_api_token(user=listener, name="phone")
    DeviceSessionFactory(user=listener)
    SocialAccount.objects.create(user=listener, provider="spotify", uid="sweep-uid")
    EmailAddress.objects.create(user=listener, email="sweep@example.org")
    ScheduleFactory()
    TaskFactory(result=TASK_RESULT)
    TaskFactory(failed=True, result=TASK_RESULT)
    held = [
        ACCESS_TOKEN, REFRESH_TOKEN, PROVIDER_KEY, TASK_RESULT, api_secret, token.digest,
        settings.SECRET_KEY, settings.SPOTIFY_CLIENT_SECRET,
        *settings.FIELD_ENCRYPTION_KEYS,
    ]  # fmt: skip
    return [secret for secret in held if secret]  # the test settings may leave some blank


def _admin_pages(model, model_admin) -> list[str]:
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    urls = [reverse(f"{name}_changelist"), reverse(f"{name}_add")]
    for pk in model._default_manager.values_list("pk", flat=True)[:3]:
        urls.append(reverse(f"{name}_change", args=[pk]))
        urls.append(reverse(f"{name}_history", args=[pk]))
    return urls


def test_staff_with_every_permission_meet_no_secret_on_any_admin_page(client, secrets_held):
    staff = StaffFactory()
    staff.user_permissions.set(Permission.objects.all())
    client.force_login(staff)

    # The staff console outside the admin too: its pages and the staff API.
    pages = [reverse("admin:index"), "/staff/", "/staff/llm/", "/api/llm/status"]
    for model, model_admin in admin.site._registry.items():
        pages += _admin_pages(model, model_admin)
    for user_pk in UserFactory._meta.model.objects.values_list("pk", flat=True):
        pages.append(reverse("admin:auth_user_password_change", args=[user_pk]))

    seen = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 302, 403), (url, response.status_code)
        body = response.content.decode(errors="replace")
        for secret in secrets_held:
            assert secret not in body, (url, "shows a secret")
        seen += response.status_code == 200
    assert seen > 40  # the walk really opened pages, not only refusals


@pytest.mark.parametrize("url_name", [
    "admin:django_q_schedule_add", "admin:django_q_success_changelist",
    "admin:django_q_failure_changelist", "admin:auth_group_add",
])  # fmt: skip
def test_staff_with_every_permission_reach_no_way_to_run_code_or_grant_rights(client, url_name):
    staff = StaffFactory()
    staff.user_permissions.set(Permission.objects.all())
    client.force_login(staff)
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        pytest.skip(f"{url_name} is not in the admin")
    assert client.get(url).status_code == 403
