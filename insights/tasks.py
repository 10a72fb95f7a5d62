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
from core.fanout import FanOut
from core import recovery
from insights.models import HistoryImport, ListeningIngest, TrackLookup
from insights.services import (
    after_import,
    history,
    history_import,
    ingests,
    insight_writer,
    rounds,
    snapshots,
    track_lookups,
)


class TaskFailed(Exception):
    """The task ran to its end but its work failed; the message is the task's summary."""


@job(label="Listening ingest", user_of=user_of_row(model="insights.ListeningIngest", name="ingest_id"))
def run_ingest(ingest_id: int) -> str:
    """Run the asked-for ingest `ingest_id` (insights.services.ingests). A second delivery finds
    it claimed or finished and does nothing; one postponed by Spotify's pause runs again from
    its schedule, for the same day."""
    ingest = ingests.run_ingest(ingest_id=ingest_id)
    if ingest is None:
        return f"listening ingest #{ingest_id}: no such ingest"
    summary = f"listening ingest #{ingest_id} of user #{ingest.user_id}: {ingest.status}" + (
        f", {ingest.snapshots} snapshots for {ingest.snapshot_date}" if ingest.status == RunStatus.SUCCEEDED else ""
    ) + (f" ({ingest.error})" if ingest.error else "")
    if ingest.status == RunStatus.FAILED:
        raise TaskFailed(summary)
    return summary


@job(label="History import", user_of=user_of_row(model="insights.HistoryImport", name="import_id"))
def run_history_import(import_id: int) -> str:
    """Import the uploaded export of `import_id` (insights.services.history_import), from its saved
    position. A second delivery finds it claimed or finished and does nothing; a run that gave
    its turn is queued again and goes on from where it stopped."""
    run = history_import.run_history_import(import_id=import_id)
    if run is None:
        return f"history import #{import_id}: no such import"
    summary = (
        f"history import #{import_id} of user #{run.user_id}: {run.status}, "
        f"{run.rows_read}/{run.total_rows} rows, "
        f"{run.plays_added} play(s) added, {run.already_known} already known, {run.unmatched} unmatched"
    ) + (f" ({run.error})" if run.error else "")
    if run.status == RunStatus.FAILED:
        raise TaskFailed(summary)
    return summary


@job(label="Track lookup", user_of=user_of_row(model="insights.TrackLookup", name="lookup_id"))
def run_track_lookup(lookup_id: int, turn: int | None = None) -> str:
    """One turn of the lookup of a listener's name-only tracks (insights.services.track_lookups).
    A task of an older turn, or a second delivery, finds it moved on and does nothing."""
    lookup = track_lookups.run_track_lookup(lookup_id=lookup_id, turn=turn)
    if lookup is None:
        return f"track lookup #{lookup_id}: no such lookup"
    summary = (
        f"track lookup #{lookup_id} of user #{lookup.user_id}: {lookup.status}, "
        f"{lookup.looked_up} looked up, {lookup.unknown} unknown to Spotify, of {lookup.total}"
    ) + (f" ({lookup.error})" if lookup.error else "")
    if lookup.status == RunStatus.FAILED:
        raise TaskFailed(summary)
    return summary


@job(label="Recover history imports")
def recover_history_imports() -> str:
    """Every 5 minutes: queue again the imports and track lookups whose worker or task was lost
    (core.recovery); each goes on from its saved position."""
    requeued = recovery.recover_stalled(HistoryImport) + recovery.requeue_lost(HistoryImport)
    looked = recovery.recover_stalled(TrackLookup) + recovery.requeue_lost(TrackLookup)
    return f"{len(requeued)} history import(s) and {len(looked)} track lookup(s) queued again"


@job(label="Listening ingest (asked before runs)", user_of=user_argument())
def ingest_listening(user_id: int, snapshot_date: str | None = None) -> str:
    """What the ingest task was before asked-for ingests became runs: a task (or a postponed
    schedule) stored by an older version becomes the listener's ingest run."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return f"listening ingest of user #{user_id}: no such user"
    day = date.fromisoformat(snapshot_date) if snapshot_date else None
    ingest, created = ingests.request_ingest(user=user, snapshot_date=day)
    return f"listening ingest of user #{user_id}: {'queued' if created else 'already queued'} as #{ingest.pk}"


@job(label="Recover listening ingests")
def recover_listening_ingests() -> str:
    """Every 5 minutes: queue again the ingests whose worker or task was lost (core.recovery)."""
    requeued = recovery.recover_stalled(ListeningIngest) + recovery.requeue_lost(ListeningIngest)
    return f"{len(requeued)} listening ingest(s) queued again"


@job(label="Daily listening ingest (all users)")
def ingest_all_users(snapshot_date: str | None = None, only_missing: bool = False) -> str:
    """Daily at 02:00 (schedule "daily listening ingest"): queue a task per chunk of connected
    listeners (insights.services.rounds); a round Spotify paused runs again for the rest (its
    arguments)."""
    day = date.fromisoformat(snapshot_date) if snapshot_date else timezone.localdate()
    queued = rounds.queue_ingest_round(snapshot_date=day, only_missing=only_missing)
    if isinstance(queued, FanOut):
        return f"listening ingest of {day}: {queued}"
    return _ingest_summary(queued)


@job(label="Daily listening ingest (listeners)")
def ingest_listening_of(user_ids: list[int], snapshot_date: str, only_missing: bool = False) -> str:
    """One chunk of the daily round: these listeners' snapshots of `snapshot_date`; one
    listener's failure does not stop the others, and fails the chunk's task for staff to see."""
    done = snapshots.ingest_all_users(
        snapshot_date=date.fromisoformat(snapshot_date), only_missing=only_missing, user_ids=user_ids
    )
    return _ingest_summary(done)


def _ingest_summary(done: snapshots.IngestRound) -> str:
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
    """Hourly (schedule "poll listening history"): queue a poll task per chunk of listeners with
    a Spotify credential (insights.services.rounds)."""
    queued = rounds.queue_history_round()
    if isinstance(queued, FanOut):
        return f"history polls: {queued}"
    return str(queued)  # Spotify's pause: nobody asked, the round runs again when it ends


@job(label="Listening history poll (listeners)")
def poll_histories_of(user_ids: list[int]) -> str:
    """One chunk of the hourly round; one listener's failure does not stop the others, and
    fails the chunk's task for staff to see."""
    summary = history.poll_all_histories(user_ids=user_ids)
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
