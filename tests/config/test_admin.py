from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.accounts.factories import UserFactory


def _registered_models():
    return [model for model in admin.site._registry if model._meta.app_label not in {"sites"}]


@pytest.mark.django_db
@pytest.mark.parametrize("model", _registered_models(), ids=lambda m: m._meta.label)
def test_staff_can_open_every_admin_list_and_add_page(client, model):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    opts = model._meta

    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    assert changelist.status_code == 200
    if admin.site._registry[model].has_add_permission(changelist.wsgi_request):
        add = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        assert add.status_code == 200


@pytest.mark.django_db
def test_a_listener_who_is_not_staff_is_sent_to_the_admin_login(client):
    client.force_login(UserFactory())

    response = client.get("/admin/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
