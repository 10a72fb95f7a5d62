"""Django-Q entry points of insights: take ids, call one service. Safe to run twice.

A task whose work failed raises TaskFailed with its summary instead of returning it, so
Django-Q and the job records show it as failed (the staff dashboard lists failed jobs); a
round over every listener fails when any listener's part failed for a reason other than a
lost Spotify connection, which is the listener's to mend, not the operator's.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from accounts.models import User
from core.jobs import job, user_argument, user_of_row
from core.runs import RunStatus
from insights.services import after_import, history, insight_writer, snapshots


class TaskFailed(Exception):
    """The task ran to its end but its work failed; the message is the task's summary."""


@job(label="Listening ingest", user_of=user_argument())
def ingest_listening(user_id: int, snapshot_date: str | None = None) -> str:
    """Store the day's (today's) three listening snapshots of one user (a re-run updates them). A
    Spotify failure raises ListeningIngestFailed, so the queue records the task as failed, with
    its reason; Spotify's pause postpones it, for the same day, to the pause's end instead."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return f"listening ingest of user #{user_id}: no such user"
    day = date.fromisoformat(snapshot_date) if snapshot_date else timezone.localdate()
    try:
        stored = snapshots.ingest_snapshot(user=user, snapshot_date=day)
    except snapshots.ListeningIngestFailed as exc:
        if exc.retry_at is None:
            raise
        at = snapshots.postpone_ingest(user_id=user_id, retry_at=exc.retry_at, snapshot_date=day)
        return f"listening ingest of user #{user_id}: postponed to {at.isoformat(timespec='seconds')} ({exc.reason})"
    return f"listening ingest of user #{user_id}: {len(stored)} snapshots for {stored[0].snapshot_date}"


@job(label="Daily listening ingest (all users)")
def ingest_all_users(snapshot_date: str | None = None, only_missing: bool = False) -> str:
    """Daily at 02:00 (schedule "daily listening ingest"): every connected user, one failure
    does not stop the others; a round Spotify paused runs again for the rest (its arguments)."""
    day = date.fromisoformat(snapshot_date) if snapshot_date else None
    done = snapshots.ingest_all_users(snapshot_date=day, only_missing=only_missing)
    failures = "; ".join(f"user #{user_id}: {reason}" for user_id, reason in done.failed.items())
    summary = f"listening ingest: {len(done.ingested)} user(s) ingested, {len(done.failed)} failed" + (
        f" ({failures})" if failures else ""
    )
    if done.postponed:
        summary += f", {len(done.postponed)} postponed to {done.resumes_at.isoformat(timespec='seconds')}"
    if done.failed:
        raise TaskFailed(summary)
    return summary


@job(label="Insight", user_of=user_of_row(model="insights.GeneratedInsight", name="insight_id"))
def generate_insight(insight_id: int) -> str:
    """Write the queued insight `insight_id`. A second delivery finds it claimed or written and
    does nothing; one postponed while every LLM provider is down runs again from its schedule."""
    insight = insight_writer.write_insight(insight_id=insight_id)
    if insight is None:
        return f"insight #{insight_id}: no such insight"
    summary = f"insight #{insight_id} ({insight.kind}, {insight.tone}): {insight.status}" + (
        f" ({insight.error})" if insight.error else ""
    )
    if insight.status == RunStatus.FAILED:
        raise TaskFailed(summary)
    return summary


@job(label="Weekly summaries")
def generate_weekly_summaries() -> str:
    """Sundays at 09:00 (schedule "weekly summaries"): a weekly summary of every listener's
    latest short-term snapshot; one already written costs no LLM call."""
    queued, existing = insight_writer.generate_weekly_summaries()
    return f"weekly summaries: {queued} queued, {existing} already written or under way"


@job(label="Listening history poll", user_of=user_argument())
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


@job(label="Listening history poll (all users)")
def poll_all_histories() -> str:
    """Hourly (schedule "poll listening history"): every listener with a Spotify credential;
    one listener's failure does not stop the others."""
    summary = history.poll_all_histories()
    if summary.outcomes[history.PollOutcome.FAILED]:
        raise TaskFailed(str(summary))
    return str(summary)


@job(label="Listening refresh after import", user_of=user_argument())
def refresh_listening(user_id: int, *_: object) -> str:
    """After a listener's first import of the day, once its analyses settled: history,
    snapshots, a wellness insight (see insights.services.after_import). Extra arguments are
    those of tasks queued before the refresh listened for analyses_settled."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return f"listening refresh of user #{user_id}: no such user"
    return f"listening refresh of user #{user_id}: " + after_import.refresh_listening(user=user)
