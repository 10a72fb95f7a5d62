"""Django-Q2's admin runs no code: its schedules, tasks and queue rows are read-only and for
superusers only, and no "resubmit" action is offered anywhere."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django_q.brokers import get_broker
from django_q.models import Failure, OrmQ, Schedule, Success, Task

from tests.accounts.factories import UserFactory
from tests.core.factories import ScheduleFactory, TaskFactory

pytestmark = pytest.mark.django_db

MODELS = [Schedule, Success, Failure, OrmQ]


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _registered(model) -> None:
    if not admin.site.is_registered(model):
        # Django-Q2 only registers the ORM queue's rows when the ORM is the broker.
        pytest.skip(f"{model.__name__} is not in the admin with this broker")


@pytest.fixture
def staff_with_every_django_q_permission(client):
    """Staff, not superuser, who was given every model permission of Django-Q2 (add schedule too):
    the permissions alone must not open the admin's way to running code."""
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="django_q"))
    client.force_login(staff)
    return client


@pytest.fixture
def superuser(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_staff_without_superuser_rights_get_403_on_the_list_and_add_pages(
    staff_with_every_django_q_permission, model
):
    _registered(model)
    client = staff_with_every_django_q_permission

    assert client.get(_url(model, "changelist")).status_code == 403
    assert client.get(_url(model, "add")).status_code == 403


def test_staff_without_superuser_rights_cannot_open_or_change_a_schedule_or_a_failure(
    staff_with_every_django_q_permission,
):
    client = staff_with_every_django_q_permission
    schedule = ScheduleFactory()
    failure = TaskFactory(failed=True)

    assert client.get(_url(Schedule, "change", schedule.pk)).status_code == 403
    assert client.post(_url(Schedule, "change", schedule.pk), {"func": "os.getenv"}).status_code == 403
    assert client.get(_url(Failure, "change", failure.pk)).status_code == 403
    assert Schedule.objects.get(pk=schedule.pk).func == "core.tasks.cluster_heartbeat"


def test_the_admin_index_shows_django_q_to_superusers_only(staff_with_every_django_q_permission):
    superuser = Client()
    superuser.force_login(UserFactory(is_staff=True, is_superuser=True))

    staff_index = staff_with_every_django_q_permission.get("/admin/").content.decode()
    superuser_index = superuser.get("/admin/").content.decode()

    assert _url(Schedule, "changelist") not in staff_index
    assert _url(Schedule, "changelist") in superuser_index


def test_a_superuser_sees_the_schedules_but_cannot_add_change_or_delete_one(superuser):
    schedule = ScheduleFactory(name="the heartbeat")

    changelist = superuser.get(_url(Schedule, "changelist"))
    page = superuser.get(_url(Schedule, "change", schedule.pk))
    changed = superuser.post(
        _url(Schedule, "change", schedule.pk),
        {"name": "x", "func": "os.getenv", "args": "'FIELD_ENCRYPTION_KEYS'", "schedule_type": "O"},
    )
    added = superuser.post(_url(Schedule, "add"), {"name": "x", "func": "os.getenv", "schedule_type": "O"})
    deleted = superuser.post(_url(Schedule, "delete", schedule.pk), {"post": "yes"})

    assert changelist.status_code == 200 and "the heartbeat" in changelist.content.decode()
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert superuser.get(_url(Schedule, "add")).status_code == 403
    assert (changed.status_code, added.status_code, deleted.status_code) == (403, 403, 403)
    stored = Schedule.objects.get()
    assert (stored.pk, stored.name, stored.func) == (schedule.pk, "the heartbeat", "core.tasks.cluster_heartbeat")


@pytest.mark.parametrize("model", [Success, Failure], ids=lambda m: m.__name__)
def test_a_superuser_reads_tasks_but_no_action_is_offered_and_resubmit_does_nothing(superuser, model):
    task = TaskFactory(failed=model is Failure)
    broker = get_broker()
    queued_before = broker.queue_size()

    changelist = superuser.get(_url(model, "changelist"))
    page = superuser.get(_url(model, "change", task.pk))
    resubmit = superuser.post(
        _url(model, "changelist"), {"action": "resubmit_task", "_selected_action": [task.pk]}
    )
    deleted = superuser.post(_url(model, "delete", task.pk), {"post": "yes"})

    assert changelist.status_code == 200 and task.name in changelist.content.decode()
    assert 'name="action"' not in changelist.content.decode()  # no action menu at all
    assert changelist.context["cl"].model_admin.get_actions(changelist.wsgi_request) == {}
    assert page.status_code == 200
    assert resubmit.status_code in (200, 302) and deleted.status_code == 403
    assert Task.objects.filter(pk=task.pk).exists()  # Django-Q2's resubmit deletes a failure it resends
    assert broker.queue_size() == queued_before


def test_no_admin_of_the_site_offers_resubmit():
    for model, model_admin in admin.site._registry.items():
        names = [getattr(action, "__name__", str(action)) for action in model_admin.actions or ()]
        assert "resubmit_task" not in names, model._meta.label
