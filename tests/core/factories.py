"""Factories for the core app."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.contrib.auth.models import Permission
from django.utils import timezone
from django_q.models import Schedule, Task
from factory.django import DjangoModelFactory

from core.models import JobRecord, JobStatus
from tests.accounts.factories import UserFactory


class JobRecordFactory(DjangoModelFactory):
    """A finished import of a minute ago that took 2 s. Traits: `failed`, `queued`, `running`;
    `ago=timedelta(...)` moves it back in time."""

    class Meta:
        model = JobRecord

    task_id = factory.Sequence(lambda n: f"{n:032x}")
    func = "sync.tasks.run_import"
    label = "Import"
    status = JobStatus.SUCCEEDED
    enqueued_at = factory.LazyAttribute(lambda o: o.now - o.ago - timedelta(seconds=3))
    started_at = factory.LazyAttribute(lambda o: o.now - o.ago - timedelta(seconds=2))
    finished_at = factory.LazyAttribute(lambda o: o.now - o.ago)
    result = "import #1: completed"

    class Params:
        now = factory.LazyFunction(timezone.now)
        ago = timedelta(minutes=1)
        failed = factory.Trait(
            status=JobStatus.FAILED,
            result="",
            error='Spotify answered 502 : Traceback (most recent call last):\n  File "sync/tasks.py"',
        )
        queued = factory.Trait(status=JobStatus.QUEUED, started_at=None, finished_at=None, result="")
        running = factory.Trait(status=JobStatus.RUNNING, finished_at=None, result="")


class TaskFactory(DjangoModelFactory):
    """A task Django-Q2 ran a minute ago (its Success row); `failed=True` makes it a Failure."""

    class Meta:
        model = Task

    id = factory.Sequence(lambda n: f"{n:032x}")
    name = factory.Sequence(lambda n: f"task-{n}")
    func = "core.tasks.cluster_heartbeat"
    args = ()
    kwargs = factory.LazyFunction(dict)
    result = "ok"
    cluster = "linernotes"
    started = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))
    stopped = factory.LazyFunction(timezone.now)
    success = True

    class Params:
        failed = factory.Trait(success=False, result="Traceback (most recent call last): ...")


class ScheduleFactory(DjangoModelFactory):
    """A schedule of the heartbeat every minute."""

    class Meta:
        model = Schedule

    name = factory.Sequence(lambda n: f"schedule-{n}")
    func = "core.tasks.cluster_heartbeat"
    schedule_type = Schedule.MINUTES
    minutes = 1
    repeats = -1
    next_run = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=1))


class StaffFactory(UserFactory):
    """A staff member (not a superuser) holding exactly `perms`, as "app_label.codename":
    `StaffFactory(perms=["llm.view_provider"])`. None: staff with no permission at all."""

    is_staff = True

    @factory.post_generation
    def perms(user, create: bool, extracted: list[str] | None, **kwargs) -> None:
        for perm in extracted or ():
            app_label, codename = perm.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
