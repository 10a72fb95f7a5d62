"""Importing a listener's history from Spotify's privacy export: the upload, then the run.

`request_history_import` checks the first rows of each file (format, account, fields) so the
upload form answers at once, and `run_history_import` first reads the whole file with every check
(spotify_export.inspect_export) before it stores any play, so a bad file changes nothing wherever
it breaks; then it reads it from the saved position in batches, each committed with its position
and counts (a run whose worker died goes on from the last batch), and deletes the upload when the
run ends (history_uploads).

Plays already stored are recognised, not doubled: the recently-played list and the export both
time a play by its end, but not to the same instant (the API to the millisecond, a few seconds
apart from the export's second; Account Data only to the minute), so a stored play of the same
track within MATCH_WINDOW of the export's time (in the same minute, for Account Data) is the
same play. That makes a second import of the same file add nothing, as does the fingerprint
check that answers at once for an export already imported.
"""

from __future__ import annotations

import logging
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import SpotifyCredential, User
from core import runs
from core.errors import DomainError
from core.runs import ACTIVE_STATUSES, RunStatus
from insights.models import HistoryImport, Play, PlaySource, UnmatchedPlay
from insights.services.export_matching import NameMatcher
from insights.services.history import close_covered_gaps
from insights.services.history_uploads import delete_upload_file, discard_upload, store_upload, upload_root
from insights.services.track_lookups import request_track_lookup
from insights.services.spotify_export import (
    DEFAULT_LIMITS,
    ExportError,
    ExportPlay,
    ExportProblem,
    Position,
    Precision,
    ReadTally,
    Upload,
    inspect_export,
    open_export,
)
from library.models import Track

logger = logging.getLogger(__name__)

BATCH_SIZE = 2_000
MATCH_WINDOW = timedelta(seconds=10)
MINUTE = timedelta(minutes=1)
# A run gives its worker back after this long (queued again at once, going on from its position):
# a 250,000-play export must never meet the bulk cluster's task timeout.
TURN_SECONDS = 240.0
# Rows of each file the upload form checks before it answers (the run checks them all).
UPLOAD_SAMPLE_ROWS = 200
ALREADY_IMPORTED = "This export was already imported: nothing was added."
UNEXPECTED_MESSAGE = "The import stopped on an unexpected error (details are in the server log)."
UNKNOWN_TRACK_NAME = "Unknown track"
BUSY = "An import of your history is already under way: wait for it to finish."


class HistoryImportRefused(DomainError):
    """The upload cannot be imported; nothing was stored."""

    status = 400
    field = "file"


class HistoryImportBusy(DomainError):
    status = 409


def active_import(*, user: User) -> HistoryImport | None:
    return HistoryImport.objects.filter(user=user, status__in=ACTIVE_STATUSES).first()


def spotify_username(*, user: User) -> str | None:
    """The export's `username` (and Userdata.json's) is the account's Spotify user id."""
    return SpotifyCredential.objects.filter(user=user).values_list("spotify_user_id", flat=True).first()


# --- the upload ------------------------------------------------------------------------------


def request_history_import(*, user: User, upload: UploadedFile) -> HistoryImport:
    """Store the upload and queue its import after commit; HistoryImportRefused (nothing stored)
    for a file that is not the listener's readable export, HistoryImportBusy while another runs.

    An export already imported by this listener ends at once, adding nothing, with a note.
    """
    if active_import(user=user) is not None:
        raise HistoryImportBusy(BUSY)
    original_name = Path(upload.name or "export").name[:255]
    if upload.size is not None and upload.size > DEFAULT_LIMITS.max_upload_bytes:
        raise HistoryImportRefused("This upload is larger than the most an import reads (1.0 GB).")
    relative = store_upload(upload=upload, original_name=original_name)
    try:
        stored = Upload(path=upload_root() / relative, name=original_name)
        inspect_export(uploads=[stored], expected_username=spotify_username(user=user), rows_per_file=UPLOAD_SAMPLE_ROWS)
        fingerprint = open_export(uploads=[stored]).fingerprint()
        done_before = HistoryImport.objects.filter(
            user=user, fingerprint=fingerprint, status=RunStatus.SUCCEEDED
        ).exists()
        fields = dict(user=user, original_name=original_name, fingerprint=fingerprint)
        with transaction.atomic():
            if done_before:
                run = HistoryImport.objects.create(
                    **fields, status=RunStatus.SUCCEEDED, note=ALREADY_IMPORTED, finished_at=timezone.now()
                )
            else:
                run = HistoryImport.objects.create(**fields, upload_path=relative)
                runs.enqueue_on_commit(run)
    except ExportError as exc:
        delete_upload_file(relative=relative)
        raise HistoryImportRefused(exc.message) from None
    except IntegrityError:
        delete_upload_file(relative=relative)
        raise HistoryImportBusy(BUSY) from None
    except BaseException:
        delete_upload_file(relative=relative)
        raise
    if done_before:
        delete_upload_file(relative=relative)
    run.refresh_from_db()
    return run


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Counts:
    added: int
    known: int
    unmatched: int


def run_history_import(
    *, import_id: int, batch_size: int = BATCH_SIZE, after_batch: Callable[[], None] | None = None
) -> HistoryImport | None:
    """Run the queued import to its end: succeeded, failed with the reason, or queued again after
    its turn (TURN_SECONDS). `after_batch` is called after each committed batch (tests use it to
    stop a run as a dying worker would)."""
    claim = runs.claim(HistoryImport, pk=import_id, select_related=("user",))
    if claim is None:
        return HistoryImport.objects.filter(pk=import_id).first()
    run = claim.run
    try:
        finished = _import(claim=claim, run=run, batch_size=batch_size, after_batch=after_batch)
    except ExportError as exc:
        # The first step reads it all before any play is stored, so a bad file changed nothing
        # (a file damaged after that step would stop here with its batches so far kept).
        claim.fail(exc.message)
        discard_upload(import_id=import_id)
    except runs.ClaimLost:
        logger.warning("History import #%s was taken from %s; stopping.", import_id, claim.worker)
    except Exception as exc:
        if claim.retry_after_conflict(exc):
            return HistoryImport.objects.get(pk=import_id)
        logger.exception("History import #%s stopped on an unexpected error.", import_id)
        claim.fail(UNEXPECTED_MESSAGE)
        discard_upload(import_id=import_id)
        raise
    else:
        if finished:
            claim.succeed()
            discard_upload(import_id=import_id)
            # The tracks the export named first get their album and artists in the background.
            request_track_lookup(user=run.user)
    return HistoryImport.objects.get(pk=import_id)


def _import(
    *, claim: runs.Claim, run: HistoryImport, batch_size: int, after_batch: Callable[[], None] | None
) -> bool:
    """True when every row is stored; False when the run gave its turn and was queued again."""
    if not run.upload_path:
        raise ExportError(ExportProblem.CHANGED, "The uploaded file is gone: upload the export again.")
    stored = Upload(path=upload_root() / run.upload_path, name=run.original_name)
    username = spotify_username(user=run.user)
    # The turn's clock starts before the check: a big export's check takes minutes, and counts
    # toward the turn, so the task gives its worker back after one batch more, far from the
    # cluster's time limit; the check is saved at once and never made twice.
    started = time.monotonic()
    if not run.checked:
        summary = inspect_export(uploads=[stored], expected_username=username)
        claim.heartbeat(checked=True, total_rows=summary.tally.rows)
    export = open_export(uploads=[stored])
    start_after = Position.from_json(run.position) if run.position else None
    tally = ReadTally(
        rows=run.rows_read,
        plays=run.plays_read,
        skips=run.skips,
        episodes=run.episodes,
        without_track=run.without_track,
        last_position=start_after,
        first_ended_at=run.covered_from,
        last_ended_at=run.covered_to,
    )
    counts = Counts(added=run.plays_added, known=run.already_known, unmatched=run.unmatched)
    batch: list[ExportPlay] = []
    names = NameMatcher(user=run.user)
    for play in export.plays(expected_username=username, start_after=start_after, tally=tally):
        batch.append(play)
        if len(batch) < batch_size:
            continue
        # Holding the batch's last play, the tally counts exactly the rows up to it: a checkpoint.
        store_batch(claim=claim, user=run.user, plays=batch, tally=tally, counts=counts, names=names)
        batch = []
        if after_batch is not None:
            after_batch()
        if time.monotonic() - started > TURN_SECONDS:
            if not claim.yield_turn():
                raise runs.ClaimLost(f"{claim.label} is no longer claimed by {claim.worker}")
            return False
    store_batch(claim=claim, user=run.user, plays=batch, tally=tally, counts=counts, names=names)
    if tally.first_ended_at is not None and tally.last_ended_at is not None:
        closed = close_covered_gaps(user=run.user, start=tally.first_ended_at, end=tally.last_ended_at)
        claim.heartbeat(gaps_closed=closed)
    return True


def store_batch(
    *,
    claim: runs.Claim,
    user: User,
    plays: Sequence[ExportPlay],
    tally: ReadTally,
    counts: Counts,
    names: NameMatcher | None = None,
) -> None:
    """One batch's plays stored, with the position and counts, in one transaction. `names`
    matches Account Data's plays (one per turn keeps its index of the listener's tracks)."""
    names = names or NameMatcher(user=user)
    by_name = names.match(plays=[play for play in plays if play.track_id is None])
    with transaction.atomic():
        matched: list[tuple[ExportPlay, str]] = []
        unmatched: list[ExportPlay] = []
        for play in plays:
            track_id = play.track_id or by_name.get((play.track_name, play.artist_name))
            if track_id is None:
                unmatched.append(play)
            else:
                matched.append((play, track_id))
        _ensure_tracks(plays=[play for play in plays if play.track_id])
        _store_plays(user=user, plays=matched, counts=counts)
        _store_unmatched(user=user, plays=unmatched, counts=counts)
        position = tally.last_position.as_json() if tally.last_position else None
        claim.heartbeat(
            position=position,
            rows_read=tally.rows,
            plays_read=tally.plays,
            skips=tally.skips,
            episodes=tally.episodes,
            without_track=tally.without_track,
            plays_added=counts.added,
            already_known=counts.known,
            unmatched=counts.unmatched,
            covered_from=tally.first_ended_at,
            covered_to=tally.last_ended_at,
        )


def _ensure_tracks(*, plays: Sequence[ExportPlay]) -> None:
    """Tracks the mirror lacks, created with the export's name only. Such a row has no album, no
    artists and a zero duration until a metadata fetch fills it (that fetch is not part of the
    import: it must share Spotify's budget, and the history does not wait for it)."""
    names = {play.track_id: play.track_name for play in plays}
    if not names:
        return
    known = set(Track.objects.filter(spotify_id__in=names).values_list("spotify_id", flat=True))
    # In id order, as library.services writes the catalog: a playlist import inserting some of
    # the same tracks meanwhile takes them in the same order, so neither waits on the other.
    Track.objects.bulk_create(
        [
            Track(spotify_id=track_id, name=names[track_id] or UNKNOWN_TRACK_NAME)
            for track_id in sorted(names)
            if track_id not in known
        ],
        ignore_conflicts=True,
    )


def _window(play: ExportPlay) -> tuple[datetime, datetime]:
    """The stored times that are this play: Account Data's minute, or MATCH_WINDOW around the end."""
    if play.precision is Precision.MINUTE:
        return play.ended_at, play.ended_at + MINUTE - timedelta(microseconds=1)
    return play.ended_at - MATCH_WINDOW, play.ended_at + MATCH_WINDOW


def _is_known(times: list[datetime], minutes: set[datetime], play: ExportPlay) -> bool:
    """Whether a stored play of the same track is this one: in its window, or (imported earlier
    from Account Data) at its minute. `times` sorted; `minutes` the imported plays at a whole minute."""
    low, high = _window(play)
    index = bisect_left(times, low)
    if index < len(times) and times[index] <= high:
        return True
    return play.ended_at.replace(second=0, microsecond=0) in minutes


def _store_plays(*, user: User, plays: Sequence[tuple[ExportPlay, str]], counts: Counts) -> None:
    if not plays:
        return
    low = min(play.ended_at for play, _ in plays) - MINUTE
    high = max(play.ended_at for play, _ in plays) + MINUTE
    stored: dict[str, list[datetime]] = defaultdict(list)
    # Only imported plays: a polled play's time to the millisecond is at a whole minute by chance.
    minutes: dict[str, set[datetime]] = defaultdict(set)
    for track_id, played_at, source in Play.objects.filter(
        user=user, track_id__in={track_id for _, track_id in plays}, played_at__range=(low, high)
    ).values_list("track_id", "played_at", "source"):
        stored[track_id].append(played_at)
        if source == PlaySource.EXPORT and played_at.second == played_at.microsecond == 0:
            minutes[track_id].add(played_at)
    for times in stored.values():
        times.sort()
    rows: dict[tuple[str, datetime], Play] = {}
    for play, track_id in plays:
        key = (track_id, play.ended_at)
        if key in rows or _is_known(stored.get(track_id, []), minutes.get(track_id, set()), play):
            counts.known += 1
            continue
        rows[key] = Play(
            user=user,
            track_id=track_id,
            played_at=play.ended_at,
            ms_played=play.ms_played,
            skipped=play.skipped,
            source=PlaySource.EXPORT,
        )
    # The constraint still decides: a poll storing the same play meanwhile is skipped, not doubled.
    Play.objects.bulk_create(rows.values(), ignore_conflicts=True, batch_size=500)
    counts.added += len(rows)


def _store_unmatched(*, user: User, plays: Sequence[ExportPlay], counts: Counts) -> None:
    if not plays:
        return
    stored = set(
        UnmatchedPlay.objects.filter(user=user, played_at__in={play.ended_at for play in plays}).values_list(
            "track_name", "artist_name", "played_at"
        )
    )
    rows: dict[tuple[str, str, datetime], UnmatchedPlay] = {}
    for play in plays:
        key = (play.track_name, play.artist_name, play.ended_at)
        if key in rows or key in stored:
            counts.known += 1
            continue
        rows[key] = UnmatchedPlay(
            user=user,
            track_name=play.track_name,
            artist_name=play.artist_name,
            played_at=play.ended_at,
            ms_played=play.ms_played,
            skipped=play.skipped,
        )
    UnmatchedPlay.objects.bulk_create(rows.values(), ignore_conflicts=True, batch_size=500)
    counts.unmatched += len(rows)
