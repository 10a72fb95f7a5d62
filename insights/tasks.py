"""Django-Q entry points of insights: take ids, call one service. Safe to run twice.

A task whose work failed raises TaskFailed with its summary instead of returning it, so
Django-Q and the job records show it as failed (the staff dashboard lists failed jobs); a
round over every listener fails when any listener's part failed for a reason other than a
lost Spotify connection, which is the listener's to mend, not the operator's.
"""

from __future__ import annotations

from django.conf import settings

from accounts.models import User
from insights.models import InsightStatus
from insights.services import after_import, history, insight_writer, jobs, snapshots


class TaskFailed(Exception):
    """The task ran to its end but its work failed; the message is the task's summary."""


def fail_lost_jobs() -> str:
    """Every 5 minutes (schedule "fail lost job records"): records left running by a task that
    timed out or a worker that died are marked failed, so staff see them."""
    return f"{jobs.fail_lost_jobs()} lost job record(s) failed"


def ingest_listening(user_id: int) -> str:
    """Store today's three listening snapshots of one user (a re-run updates them). A Spotify
    failure raises ListeningIngestFailed, so the queue records the task as failed, with its reason."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return f"listening ingest of user #{user_id}: no such user"
    stored = snapshots.ingest_snapshot(user=user)
    return f"listening ingest of user #{user_id}: {len(stored)} snapshots for {stored[0].snapshot_date}"


def ingest_all_users() -> str:
    """Daily at 02:00 (schedule "daily listening ingest"): every connected user, one failure
    does not stop the others."""
    done = snapshots.ingest_all_users()
    failures = "; ".join(f"user #{user_id}: {reason}" for user_id, reason in done.failed.items())
    summary = f"listening ingest: {len(done.ingested)} user(s) ingested, {len(done.failed)} failed" + (
        f" ({failures})" if failures else ""
    )
    if done.failed:
        raise TaskFailed(summary)
    return summary


def generate_insight(insight_id: int) -> str:
    """Write the queued insight `insight_id`. A second delivery finds it claimed or written and
    does nothing; one postponed while every LLM provider is down runs again from its schedule."""
    insight = insight_writer.write_insight(insight_id=insight_id)
    if insight is None:
        return f"insight #{insight_id}: no such insight"
    summary = f"insight #{insight_id} ({insight.kind}, {insight.tone}): {insight.status}" + (
        f" ({insight.error})" if insight.error else ""
    )
    if insight.status == InsightStatus.FAILED:
        raise TaskFailed(summary)
    return summary


def generate_weekly_summaries() -> str:
    """Sundays at 09:00 (schedule "weekly summaries"): a weekly summary of every listener's
    latest short-term snapshot; one already written costs no LLM call."""
    queued, existing = insight_writer.generate_weekly_summaries()
    return f"weekly summaries: {queued} queued, {existing} already written or under way"


def prune_job_records() -> str:
    """Mondays at 03:00 (schedule "prune job records"): drop job records, and Django-Q's failed
    tasks, older than JOB_RECORD_DAYS (30 by default)."""
    pruned = jobs.prune_job_records(days=settings.JOB_RECORD_DAYS)
    return f"{pruned.job_records} job record(s) and {pruned.failed_tasks} failed task(s) pruned"


def poll_history(user_id: int) -> str:
    """Store one listener's plays since the last poll, and any gap. Safe to run twice: plays are
    unique per (user, track, played_at) and the second run starts from the first one's cursor."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return f"history poll of user #{user_id}: no such user"
    result = history.poll_history(user=user)
    return f"history poll of user #{user_id}: {result.outcome} ({result.stored} new play(s))" + (
        f" ({result.error})" if result.error else ""
    )


def poll_all_histories() -> str:
    """Hourly (schedule "poll listening history"): every listener with a Spotify credential;
    one listener's failure does not stop the others."""
    summary = history.poll_all_histories()
    if summary.outcomes[history.PollOutcome.FAILED]:
        raise TaskFailed(str(summary))
    return str(summary)


def refresh_listening(user_id: int, import_finished_at: float) -> str:
    """After a listener's first import of the day: history, snapshots, a wellness insight
    (see insights.services.after_import); re-schedules itself while analyses are under way."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return f"listening refresh of user #{user_id}: no such user"
    return f"listening refresh of user #{user_id}: " + after_import.refresh_listening(
        user=user, import_finished_at=import_finished_at
    )
