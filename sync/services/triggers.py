"""Starting imports: sign-in, the "Sync now" button, the API, and retries.

One import at a time per user is the database's job (the partial unique index
`sync_one_active_import_per_user`): a trigger inserts inside a savepoint and, if the
index refuses the row, returns the import that is already queued or running. Nothing
here checks first and inserts after, so racing triggers cannot start two runs.
The task is enqueued only once the row is committed, so a worker never looks for an
event that is not there yet.
"""

from __future__ import annotations

from typing import Any

import logging

from django.db import IntegrityError, transaction

from core.errors import DomainError
from accounts import selectors as account_selectors
from accounts.models import User
from accounts.selectors import ConnectionStatus
from sync.models import ImportScope, SyncEvent, SyncKind
from core.runs import ACTIVE_STATUSES, RunStatus
from sync.services import run_state
from sync.services.import_state import CARRIED_OVER, CHANGED_PLAYLISTS, FULL_SCOPE_DONE, RENAMED_PLAYLISTS

logger = logging.getLogger(__name__)

RUN_IMPORT_TASK = "sync.tasks.run_import"
RETRYABLE_STATUSES = (RunStatus.FAILED, RunStatus.CANCELLED)
ENQUEUE_FAILED_REASON = "The import could not be queued (the task broker did not answer). Try again."


class Trigger:
    SIGN_IN = "sign_in"
    BUTTON = "button"
    API = "api"
    RETRY = "retry"
    SCHEDULE = "schedule"


class RunRefused(DomainError):
    """An import could not be started or retried now (409); the message is for people. `active`
    is the import already in the way, when that is why (answered as `active_event`)."""

    status = 409
    active: SyncEvent | None = None

    def extra(self) -> dict[str, Any]:
        return {"active_event": self.active.pk} if self.active is not None else {}


class ImportTriggerError(RunRefused):
    """Base class of the domain errors of starting an import; the message is for people."""


class ImportNotPossible(ImportTriggerError):
    """The user cannot be imported now (no Spotify connection, or it needs renewing)."""


class ImportNotRetryable(ImportTriggerError):
    """Only a failed or cancelled import, not yet retried, can be retried."""


class ImportAlreadyActive(ImportTriggerError):
    """Another import of this user is queued or running; it carries that import."""

    def __init__(self, message: str, *, active: SyncEvent) -> None:
        super().__init__(message)
        self.active = active


def request_import(*, user: User, trigger: str, scope: ImportScope | None = None) -> tuple[SyncEvent, bool]:
    """Queue an import for `user`, or return the one already queued or running.

    Returns ``(event, created)``. Without a scope, a user who never completed an import
    gets a full one and everybody else an incremental one. Raises ImportNotPossible when
    the user has no usable Spotify connection.
    """
    _ensure_connected(user=user)
    if scope is None:
        scope = _default_scope(user=user)
    event, created = _create_or_get_active(
        user=user, trigger=trigger, scope=ImportScope(scope), details=_announcements_left(user=user)
    )
    if created or run_state.task_looks_lost(event):
        enqueue_import(event=event)
    return event, created


def retry_import(*, event: SyncEvent) -> SyncEvent:
    """Start a new import continuing a failed (or cancelled) one; it records `retry_of`.

    Raises ImportNotRetryable for any other event (or one already retried), and
    ImportAlreadyActive when another import of the user is queued or running.
    """
    current = SyncEvent.objects.filter(pk=event.pk).values("kind", "status", "user_id", "details").first()
    if current is None:
        raise ImportNotRetryable("This import no longer exists.")
    if current["kind"] != SyncKind.IMPORT:
        raise ImportNotRetryable("Only imports can be retried here.")
    if current["status"] not in RETRYABLE_STATUSES:
        label = RunStatus(current["status"]).label.lower()
        raise ImportNotRetryable(
            f"Import #{event.pk} is {label}; only a failed or cancelled import can be retried."
        )
    already = SyncEvent.objects.filter(retry_of_id=event.pk).values_list("pk", flat=True).first()
    if already is not None:
        raise ImportNotRetryable(f"Import #{event.pk} was already retried as import #{already}.")
    user = User.objects.get(pk=current["user_id"])
    _ensure_connected(user=user)
    # A full import lists the playlists it already replaced; the retry skips those too. The
    # playlists the failed run changed or found renamed are announced when the retry finishes.
    earlier = current["details"] or {}
    carried = {key: earlier[key] for key in CARRIED_OVER if earlier.get(key)}
    if event.scope != ImportScope.FULL:
        carried.pop(FULL_SCOPE_DONE, None)
    retry, created = _create_or_get_active(
        user=user,
        trigger=Trigger.RETRY,
        scope=ImportScope(event.scope),
        retry_of=event,
        details=carried,
    )
    if not created:
        raise ImportAlreadyActive(
            f"Import #{retry.pk} is already {retry.get_status_display().lower()}; wait for it to finish.",
            active=retry,
        )
    enqueue_import(event=retry)
    return retry


def enqueue_import(*, event: SyncEvent) -> None:
    """Enqueue the run once the current transaction commits (at once outside one)."""
    run_state.enqueue_run(event_id=event.pk, task=RUN_IMPORT_TASK, label="import", failed_reason=ENQUEUE_FAILED_REASON)


def _create_or_get_active(
    *,
    user: User,
    trigger: str,
    scope: ImportScope,
    retry_of: SyncEvent | None = None,
    details: dict | None = None,
) -> tuple[SyncEvent, bool]:
    # The active import can finish between our refused insert and the read that looks
    # for it; then the next insert succeeds. Three rounds are plenty for that window.
    for _ in range(3):
        try:
            with transaction.atomic():
                event = SyncEvent.objects.create(
                    kind=SyncKind.IMPORT,
                    user=user,
                    scope=scope,
                    trigger=trigger,
                    retry_of=retry_of,
                    details=details or {},
                )
            return event, True
        except IntegrityError:
            active = _active_import(user=user)
            if active is not None:
                return active, False
    raise RuntimeError(f"Could not create or find the active import of user {user.pk}")


def _announcements_left(*, user: User) -> dict:
    """What the listener's last import, failed or cancelled (and not retried), changed or found
    renamed before it stopped: committed, so unchanged for the next run, which announces them."""
    last = (
        SyncEvent.objects.filter(user=user, kind=SyncKind.IMPORT)
        .exclude(status__in=ACTIVE_STATUSES)
        .values("status", "details", "retried_by")
        .first()
    )
    if last is None or last["status"] not in RETRYABLE_STATUSES or last["retried_by"] is not None:
        return {}
    earlier = last["details"] or {}
    return {key: earlier[key] for key in (CHANGED_PLAYLISTS, RENAMED_PLAYLISTS) if earlier.get(key)}


def _active_import(*, user: User) -> SyncEvent | None:
    return SyncEvent.objects.filter(user=user, kind=SyncKind.IMPORT, status__in=ACTIVE_STATUSES).first()


def _default_scope(*, user: User) -> ImportScope:
    completed = SyncEvent.objects.filter(user=user, kind=SyncKind.IMPORT, status=RunStatus.SUCCEEDED)
    return ImportScope.INCREMENTAL if completed.exists() else ImportScope.FULL


def _ensure_connected(*, user: User) -> None:
    state = account_selectors.get_connection_state(user=user)
    if state.status == ConnectionStatus.NOT_CONNECTED:
        raise ImportNotPossible("Connect Spotify first: there is no Spotify account to import from.")
    if state.status == ConnectionStatus.RECONNECT_NEEDED:
        raise ImportNotPossible("Spotify access needs renewing: sign in with Spotify again, then sync.")
