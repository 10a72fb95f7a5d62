"""A history import whose batch PostgreSQL rolled back in a deadlock goes on in a new turn and
ends with the same plays and counts as an import that met none; the tracks it meets first are
inserted in id order, as the catalog is written, so it takes no part in such a deadlock."""

from __future__ import annotations

import pathlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.runs import RunStatus
from insights.models import HistoryImport
from insights.services import history_import
from insights.services.history_import import request_history_import, run_history_import
from tests.accounts.factories import SpotifyCredentialFactory, UserFactory
from tests.insights.export_factory import AUDIO, extended_row, write_zip
from tests.support.db_errors import deadlock
from tests.insights.test_history_import import _expected_plays, _import, _plays, _upload, small_export  # noqa: F401

pytestmark = pytest.mark.django_db

COUNTS = ("rows_read", "plays_read", "plays_added", "already_known", "skips", "episodes", "without_track",
          "covered_from", "covered_to")  # fmt: skip


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path) -> pathlib.Path:
    settings.HISTORY_IMPORT_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


def test_a_batch_that_lost_a_deadlock_is_stored_again_in_a_new_turn(
    small_export, queue, monkeypatch, django_capture_on_commit_callbacks
):
    spec, path = small_export
    listener = SpotifyCredentialFactory(spotify_user_id="listener").user
    real, batches = history_import._store_plays, []

    def third_batch_deadlocks(**kwargs):
        batches.append(1)
        if len(batches) == 3:  # inside the batch's transaction: its tracks and plays roll back
            raise deadlock()
        return real(**kwargs)

    monkeypatch.setattr(history_import, "_store_plays", third_batch_deadlocks)
    run = request_history_import(user=listener, upload=_upload(path))

    with django_capture_on_commit_callbacks(execute=True):
        stopped = run_history_import(import_id=run.pk, batch_size=50)

    assert (stopped.status, stopped.error, stopped.claimed_by) == (RunStatus.QUEUED, "", "")
    assert stopped.plays_added == 100 and stopped.upload_path  # two batches kept, the file too
    assert [call[1] for call in queue.of("insights.tasks.run_history_import")][-1:] == [run.pk]

    resumed = run_history_import(import_id=run.pk, batch_size=50)
    uninterrupted = _import(UserFactory(), pathlib.Path(path), batch_size=50)

    assert resumed.status == uninterrupted.status == RunStatus.SUCCEEDED
    assert _plays(listener) == _expected_plays(spec)
    assert [getattr(resumed, name) for name in COUNTS] == [getattr(uninterrupted, name) for name in COUNTS]
    assert not HistoryImport.objects.get(pk=run.pk).upload_path  # deleted once it ended


def test_the_tracks_an_export_meets_first_are_inserted_in_id_order(tmp_path, queue):
    listener = SpotifyCredentialFactory(spotify_user_id="listener").user
    ids = ["7zLastInTheFile0000000", "0aFirstByItsId00000000", "3mMiddle00000000000000"]
    path = write_zip(
        tmp_path / "export.zip",
        {AUDIO: [extended_row(ts=f"2021-03-04T18:2{n}:00Z", spotify_track_uri=f"spotify:track:{tid}")
                 for n, tid in enumerate(ids)]},
    )  # fmt: skip

    with CaptureQueriesContext(connection) as queries:
        done = _import(listener, path)

    assert done.status == RunStatus.SUCCEEDED, done.error
    (insert,) = [
        sql
        for sql in (query["sql"] for query in queries.captured_queries)
        if sql.startswith("INSERT") and '"library_track"' in sql
    ]
    assert sorted(ids, key=insert.index) == sorted(ids)
