"""Importing a listener's history from Spotify's privacy export: the upload's checks, the run's
batches, resuming, recognising plays stored before, and the upload's removal."""

from __future__ import annotations

import json
import math
import pathlib
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core import recovery
from core.runs import RunStatus
from insights.models import GapReason, HistoryGap, HistoryImport, Play, PlaySource, UnmatchedPlay
from insights.selectors import get_history_import, list_history_imports
from insights.services import history_import
from insights.services.history_import import (
    ALREADY_IMPORTED,
    HistoryImportBusy,
    HistoryImportRefused,
    request_history_import,
    run_history_import,
)
from library.models import Track
from tests.accounts.factories import SpotifyCredentialFactory, UserFactory
from tests.insights.export_factory import (
    AUDIO,
    TRACK_A,
    TRACK_B,
    ExportSpec,
    extended_row,
    extended_rows,
    synthetic_tracks,
    write_extended_export,
    write_zip,
)
from tests.insights.factories import HistoryGapFactory, PlayFactory
from tests.library.factories import TrackFactory

pytestmark = pytest.mark.django_db

ACCOUNT_MUSIC = "Spotify Account Data/StreamingHistory_music_0.json"
USERDATA = "Spotify Account Data/Userdata.json"


class WorkerDied(BaseException):
    """Stops a run where a killed worker would: past `except Exception`, leaving it running."""


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path) -> pathlib.Path:
    settings.HISTORY_IMPORT_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


@pytest.fixture
def listener(queue):
    return SpotifyCredentialFactory(spotify_user_id="listener").user


def _upload(path: pathlib.Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/zip")


def _stored_files(root: pathlib.Path) -> list[pathlib.Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def _plays(user) -> set[tuple]:
    plays = Play.objects.filter(user=user)
    return set(plays.values_list("track_id", "played_at", "ms_played", "skipped", "source"))


def _expected_plays(spec: ExportSpec) -> set[tuple]:
    expected = set()
    for row in extended_rows(spec):
        uri = row["spotify_track_uri"]
        if not uri:
            continue
        ended_at = datetime.strptime(row["ts"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        skipped = row["skipped"] or row["ms_played"] < 30_000
        expected.add((uri.rsplit(":", 1)[1], ended_at, row["ms_played"], skipped, PlaySource.EXPORT))
    return expected


@pytest.fixture
def small_export(tmp_path) -> tuple[ExportSpec, pathlib.Path]:
    spec = ExportSpec(rows=240, tracks=synthetic_tracks(count=30, seed=3), seed=3, rows_per_file=100)
    path = tmp_path / "my_spotify_data.zip"
    write_extended_export(spec, path)
    return spec, path


def _import(user, path: pathlib.Path, **kwargs) -> HistoryImport:
    run = request_history_import(user=user, upload=_upload(path))
    return run_history_import(import_id=run.pk, **kwargs)


def test_a_small_export_imports_its_plays_and_deletes_the_upload(listener, small_export, import_dir, queue):
    spec, path = small_export

    run = request_history_import(user=listener, upload=_upload(path))

    # The upload form looked at the first rows only: the run counts them all before storing any.
    assert run.status == RunStatus.QUEUED and (run.checked, run.total_rows) == (False, 0)
    assert len(_stored_files(import_dir)) == 1
    done = run_history_import(import_id=run.pk, batch_size=50)
    assert done.checked and done.total_rows == spec.rows
    expected = _expected_plays(spec)
    assert done.status == RunStatus.SUCCEEDED, done.error
    assert _plays(listener) == expected
    assert (done.rows_read, done.plays_added, done.already_known) == (spec.rows, len(expected), 0)
    assert done.skips == sum(1 for play in expected if play[3]) > 0
    assert done.episodes > 0 and done.percent == 100
    assert _stored_files(import_dir) == [] and done.upload_path == ""
    # Tracks the mirror lacked were created with the export's names, for a later metadata fetch.
    some = next(iter(expected))[0]
    assert Track.objects.get(spotify_id=some).name == next(t.name for t in spec.tracks if t.id == some)


def test_the_same_export_uploaded_again_adds_nothing_and_says_so(
    listener, small_export, import_dir, queue, django_capture_on_commit_callbacks
):
    _, path = small_export
    _import(listener, path, batch_size=50)
    before = _plays(listener)

    with django_capture_on_commit_callbacks(execute=True):
        again = request_history_import(user=listener, upload=_upload(path))

    assert again.status == RunStatus.SUCCEEDED and again.note == ALREADY_IMPORTED
    assert _plays(listener) == before and again.plays_added == 0
    assert _stored_files(import_dir) == [] and queue.of("insights.tasks.run_history_import") == []


def test_reading_an_export_a_second_time_recognises_every_play(listener, small_export, queue):
    """Past the fingerprint (say, the same history zipped anew): the plays themselves are known."""
    _, path = small_export
    first = _import(listener, path, batch_size=50)
    HistoryImport.objects.filter(pk=first.pk).update(fingerprint="another")

    second = _import(listener, path, batch_size=70)

    assert second.status == RunStatus.SUCCEEDED
    assert second.plays_added == 0 and second.already_known == first.plays_added
    assert Play.objects.filter(user=listener).count() == first.plays_added


def test_an_interrupted_import_resumes_and_ends_with_the_same_plays_as_an_uninterrupted_one(
    listener, small_export, queue
):
    spec, path = small_export
    batches = []

    def die_after_the_second_batch() -> None:
        batches.append(1)
        if len(batches) == 2:
            raise WorkerDied

    run = request_history_import(user=listener, upload=_upload(path))
    with pytest.raises(WorkerDied):
        run_history_import(import_id=run.pk, batch_size=50, after_batch=die_after_the_second_batch)
    halfway = HistoryImport.objects.get(pk=run.pk)
    assert halfway.status == RunStatus.RUNNING and 0 < halfway.rows_read < spec.rows
    assert Play.objects.filter(user=listener).count() == halfway.plays_added == 100

    # The recovery finds it without a heartbeat and queues it again; it goes on from its position.
    HistoryImport.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(days=1))
    assert recovery.recover_stalled(HistoryImport) == [run.pk]
    resumed = run_history_import(import_id=run.pk, batch_size=50)

    other = UserFactory()  # no Spotify connection: the export's own username is taken as it is
    uninterrupted = _import(other, pathlib.Path(path), batch_size=50)
    assert resumed.status == uninterrupted.status == RunStatus.SUCCEEDED
    assert _plays(listener) == _plays(other) == _expected_plays(spec)
    counts = ("rows_read", "plays_read", "plays_added", "already_known", "skips", "episodes", "without_track",
              "covered_from", "covered_to")
    assert [getattr(resumed, name) for name in counts] == [getattr(uninterrupted, name) for name in counts]


def test_plays_already_polled_from_spotify_are_recognised_within_seconds(listener, tmp_path, queue):
    track_a, track_b = TrackFactory(spotify_id=TRACK_A), TrackFactory(spotify_id=TRACK_B)
    polled_at = datetime(2021, 3, 4, 18, 22, 14, 500_000, tzinfo=UTC)  # 3.5 s after the export's end
    PlayFactory(user=listener, track=track_a, played_at=polled_at)
    PlayFactory(user=listener, track=track_b, played_at=datetime(2021, 3, 4, 18, 40, 0, tzinfo=UTC))
    path = write_zip(tmp_path / "export.zip", {AUDIO: [
        extended_row(ts="2021-03-04T18:22:11Z"),  # the polled play of track A
        extended_row(ts="2021-03-04T18:30:00Z"),  # track A again, not polled
        extended_row(ts="2021-03-04T18:40:30Z", spotify_track_uri=f"spotify:track:{TRACK_B}"),  # 30 s off
    ]})

    done = _import(listener, path)

    assert done.status == RunStatus.SUCCEEDED
    assert (done.plays_added, done.already_known) == (2, 1)
    plays_of_a = Play.objects.filter(user=listener, track=track_a).order_by("played_at")
    assert list(plays_of_a.values_list("played_at", "source")) == [
        (polled_at, PlaySource.API), (datetime(2021, 3, 4, 18, 30, tzinfo=UTC), PlaySource.EXPORT)
    ]
    assert Play.objects.filter(user=listener, track=track_b).count() == 2


def test_plays_shorter_than_thirty_seconds_are_stored_as_skips(listener, tmp_path, queue):
    path = write_zip(tmp_path / "export.zip", {AUDIO: [
        extended_row(ts="2021-03-04T18:00:00Z", ms_played=12_000, skipped=False),
        extended_row(ts="2021-03-04T18:10:00Z", ms_played=200_000, skipped=False),
        extended_row(ts="2021-03-04T18:20:00Z", ms_played=200_000, skipped=True),
    ]})

    done = _import(listener, path)

    assert done.skips == 2
    plays = Play.objects.filter(user=listener).order_by("played_at")
    assert list(plays.values_list("ms_played", "skipped")) == [
        (12_000, True), (200_000, False), (200_000, True)
    ]


def test_account_data_plays_are_matched_by_name_and_the_rest_kept_with_their_names(listener, tmp_path, queue):
    known = TrackFactory(name="Song A", artist__name="Artist A")
    TrackFactory(name="Song A", artist__name="Someone Else")  # same title, another artist
    polled_at = datetime(2024, 1, 1, 12, 35, 41, tzinfo=UTC)
    PlayFactory(user=listener, track=known, played_at=polled_at)
    rows = [
        {"endTime": "2024-01-01 12:30", "artistName": "Artist A", "trackName": "Song A", "msPlayed": 200_000},
        {"endTime": "2024-01-01 12:35", "artistName": "Artist A", "trackName": "Song A", "msPlayed": 200_000},
        {"endTime": "2024-01-01 12:40", "artistName": "Nobody", "trackName": "Unheard", "msPlayed": 5_000},
    ]
    path = write_zip(
        tmp_path / "my_spotify_data.zip", {USERDATA: {"username": "listener"}, ACCOUNT_MUSIC: rows}
    )

    done = _import(listener, path)
    HistoryImport.objects.filter(pk=done.pk).update(fingerprint="another")  # read it all again
    again = _import(listener, path)

    assert (done.plays_added, done.already_known, done.unmatched) == (1, 1, 1)
    plays = Play.objects.filter(user=listener).order_by("played_at")
    assert list(plays.values_list("track_id", "played_at")) == [
        (known.pk, datetime(2024, 1, 1, 12, 30, tzinfo=UTC)), (known.pk, polled_at)
    ]
    unmatched = UnmatchedPlay.objects.get(user=listener)
    assert (unmatched.track_name, unmatched.artist_name, unmatched.ms_played, unmatched.skipped) == (
        "Unheard", "Nobody", 5_000, True
    )
    assert (again.plays_added, again.unmatched, again.already_known) == (0, 0, 3)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("my_spotify_data.zip", b"this is not a zip", "neither a zip nor a JSON file"),
        ("my_spotify_data.zip", None, "another Spotify account"),
    ],
)
def test_a_bad_file_is_refused_and_stores_nothing(
    listener, tmp_path, import_dir, queue, name, content, message
):
    path = tmp_path / name
    if content is None:
        write_zip(path, {AUDIO: [extended_row(username="someone-else")]})
    else:
        path.write_bytes(content)

    with pytest.raises(HistoryImportRefused, match=message):
        request_history_import(user=listener, upload=_upload(path))

    assert not HistoryImport.objects.exists() and not Play.objects.exists()
    assert _stored_files(import_dir) == [] and queue.calls == []


def test_a_file_that_breaks_after_the_rows_the_upload_form_reads_fails_its_run_and_stores_nothing(
    listener, tmp_path, import_dir, queue
):
    from insights.services.history_import import UPLOAD_SAMPLE_ROWS

    good = [extended_row(username="listener", ts=f"2024-01-0{1 + i // 200}T10:{(i // 60) % 60:02d}:{i % 60:02d}Z")
            for i in range(UPLOAD_SAMPLE_ROWS + 50)]
    rows = good + [extended_row(username="someone-else")]
    path = write_zip(tmp_path / "my_spotify_data.zip", {AUDIO: rows})

    run = request_history_import(user=listener, upload=_upload(path))  # the first rows are fine
    done = run_history_import(import_id=run.pk, batch_size=50)

    assert done.status == RunStatus.FAILED and "another Spotify account" in done.error
    assert not Play.objects.exists() and done.plays_added == 0 and not done.checked
    assert _stored_files(import_dir) == []


def test_a_second_upload_while_one_is_under_way_is_refused(listener, small_export, import_dir, queue):
    _, path = small_export
    request_history_import(user=listener, upload=_upload(path))

    with pytest.raises(HistoryImportBusy):
        request_history_import(user=listener, upload=_upload(path))

    assert HistoryImport.objects.count() == 1 and len(_stored_files(import_dir)) == 1


def test_an_import_that_fails_deletes_its_upload_all_the_same(listener, small_export, import_dir, queue):
    _, path = small_export
    run = request_history_import(user=listener, upload=_upload(path))
    (import_dir / run.upload_path).write_bytes(b"damaged since the upload")

    done = run_history_import(import_id=run.pk)

    assert done.status == RunStatus.FAILED and done.error
    assert _stored_files(import_dir) == [] and not Play.objects.exists()


def test_a_cancelled_import_deletes_its_upload(listener, small_export, import_dir, queue):
    from core import runs

    _, path = small_export
    run = request_history_import(user=listener, upload=_upload(path))

    assert runs.cancel(run)
    assert _stored_files(import_dir) == []


def test_a_stranger_cannot_see_another_listeners_import(listener, small_export, queue):
    _, path = small_export
    run = request_history_import(user=listener, upload=_upload(path))
    stranger = UserFactory()

    assert get_history_import(user=stranger, import_id=run.pk) is None
    assert list(list_history_imports(user=stranger)) == []
    assert get_history_import(user=listener, import_id=run.pk) == run


def test_a_run_gives_its_turn_after_a_while_and_goes_on_from_its_position(
    listener, small_export, queue, monkeypatch
):
    spec, path = small_export
    monkeypatch.setattr(history_import, "TURN_SECONDS", -1.0)  # every batch is past the turn
    run = request_history_import(user=listener, upload=_upload(path))

    first = run_history_import(import_id=run.pk, batch_size=100)
    assert first.status == RunStatus.QUEUED and first.rows_read > 0 and first.upload_path
    for _ in range(5):
        if HistoryImport.objects.get(pk=run.pk).status != RunStatus.QUEUED:
            break
        run_history_import(import_id=run.pk, batch_size=100)

    done = HistoryImport.objects.get(pk=run.pk)
    assert done.status == RunStatus.SUCCEEDED and done.rows_read == spec.rows
    assert _plays(listener) == _expected_plays(spec)
    assert json.dumps(done.position)  # the last position, kept for the record


def test_an_extended_history_after_account_data_recognises_the_plays_stored_at_their_minute(
    listener, tmp_path, queue
):
    TrackFactory(spotify_id=TRACK_A, name="Song A", artist__name="Artist A")
    account = write_zip(tmp_path / "account.zip", {
        USERDATA: {"username": "listener"},
        ACCOUNT_MUSIC: [{"endTime": "2021-03-04 18:22", "artistName": "Artist A", "trackName": "Song A",
                         "msPlayed": 200_000}],
    })
    extended = write_zip(tmp_path / "extended.zip", {AUDIO: [
        extended_row(ts="2021-03-04T18:22:11Z"), extended_row(ts="2021-03-04T18:29:00Z"),
    ]})

    first, second = _import(listener, account), _import(listener, extended)

    assert (first.plays_added, second.plays_added, second.already_known) == (1, 1, 1)
    assert Play.objects.filter(user=listener).count() == 2


def test_a_batch_costs_the_same_few_queries_however_many_plays_it_holds(
    listener, tmp_path, queue, django_assert_max_num_queries
):
    spec = ExportSpec(rows=1_200, tracks=synthetic_tracks(count=300, seed=4), seed=4, rows_per_file=1_200)
    path = tmp_path / "my_spotify_data.zip"
    write_extended_export(spec, path)
    run = request_history_import(user=listener, upload=_upload(path))

    # Claim and load, username, the whole file's check, the batch (tracks known, plays known,
    # checkpoint), the gaps it covers, the end, the upload's removal and the lookup of the tracks
    # it met first (one active? how many? queued, in a savepoint); the inserts are bulk, in as many statements as the
    # backend needs (SQLite allows ~100 rows in one): never a query per play.
    inserts = math.ceil(1_200 / 100) + math.ceil(300 / 100)
    with django_assert_max_num_queries(24 + inserts):
        done = run_history_import(import_id=run.pk, batch_size=2_000)

    assert done.status == RunStatus.SUCCEEDED and done.plays_added > 1_000


def test_the_gaps_the_export_covers_are_closed_and_those_reaching_into_it_shrink(
    listener, tmp_path, queue
):
    def at(hour: int, minute: int) -> datetime:
        return datetime(2021, 3, 4, hour, minute, tzinfo=UTC)

    inside = HistoryGapFactory(user=listener, starts_at=at(18, 5), ends_at=at(18, 15))
    past_the_end = HistoryGapFactory(user=listener, starts_at=at(18, 15), ends_at=at(19, 0))
    before_the_start = HistoryGapFactory(user=listener, starts_at=at(17, 50), ends_at=at(18, 5))
    outside = HistoryGapFactory(user=listener, starts_at=at(17, 0), ends_at=at(17, 30))
    still_open = HistoryGapFactory(
        user=listener, reason=GapReason.DISCONNECTED, starts_at=at(18, 12), ends_at=None
    )
    path = write_zip(tmp_path / "export.zip", {AUDIO: [
        extended_row(ts="2021-03-04T18:00:00Z"), extended_row(ts="2021-03-04T18:20:00Z"),
    ]})

    done = _import(listener, path)

    assert done.gaps_closed == 4 and (done.covered_from, done.covered_to) == (at(18, 0), at(18, 20))
    assert not HistoryGap.objects.filter(pk=inside.pk).exists()
    gaps = {gap.pk: (gap.starts_at, gap.ends_at) for gap in HistoryGap.objects.filter(user=listener)}
    assert gaps == {
        past_the_end.pk: (at(18, 20), at(19, 0)),
        before_the_start.pk: (at(17, 50), at(18, 0)),
        outside.pk: (at(17, 0), at(17, 30)),
        still_open.pk: (at(18, 20), None),
    }
