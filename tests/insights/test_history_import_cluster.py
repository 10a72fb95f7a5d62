"""A history import on a real bulk `qcluster`: the upload is queued after commit, a worker of the
bulk cluster imports it in batches, and the upload is gone when it ends; killed mid-run, the next
cluster goes on from its position, and the same export again adds nothing."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.queues import BULK
from core.runs import ACTIVE_STATUSES, RunStatus
from insights.models import HistoryImport, Play, TrackLookup
from insights.services.history_import import ALREADY_IMPORTED, request_history_import
from tests.accounts.factories import SpotifyCredentialFactory
from tests.fixtures.cluster import sandbox_cluster_env
from tests.insights.export_factory import ExportSpec, synthetic_tracks, write_extended_export
from tests.insights.test_history_import import _expected_plays
from tests.sync.cluster_support import signed_in, wait_for

pytestmark = pytest.mark.cluster


def test_the_bulk_cluster_imports_an_uploaded_export_and_deletes_the_upload(
    start_qcluster, tmp_path, settings
):
    imports = tmp_path / "imports"
    settings.HISTORY_IMPORT_DIR = str(imports)
    spec = ExportSpec(rows=3_000, tracks=synthetic_tracks(count=200, seed=5), seed=5, rows_per_file=1_000)
    path = tmp_path / "my_spotify_data.zip"
    write_extended_export(spec, path)
    listener = SpotifyCredentialFactory(spotify_user_id="listener").user
    cluster = start_qcluster(env={"HISTORY_IMPORT_DIR": str(imports)}, queues=(BULK,))

    run = request_history_import(user=listener, upload=SimpleUploadedFile(path.name, path.read_bytes()))

    assert run.task_id  # handed to the broker once the row was committed
    deadline = time.monotonic() + 120
    while HistoryImport.objects.filter(pk=run.pk, status__in=ACTIVE_STATUSES).exists():
        assert time.monotonic() < deadline, cluster.log()
        time.sleep(0.3)
    done = HistoryImport.objects.get(pk=run.pk)
    assert done.status == RunStatus.SUCCEEDED, (done.error, cluster.log())
    assert done.rows_read == done.total_rows == spec.rows
    assert Play.objects.filter(user=listener).count() == done.plays_added > 2_000
    assert not any(path.is_file() for path in imports.rglob("*"))


def test_an_import_killed_with_its_cluster_resumes_on_the_next_one_and_a_second_upload_adds_nothing(
    sandbox, start_qcluster, tmp_path, settings, django_capture_on_commit_callbacks
):
    imports = tmp_path / "imports"
    settings.HISTORY_IMPORT_DIR = str(imports)
    spec = ExportSpec(
        rows=20_000, tracks=synthetic_tracks(count=300, seed=6), seed=6, rows_per_file=5_000, username="demo"
    )
    path = tmp_path / "my_spotify_data.zip"
    write_extended_export(spec, path)
    listener = signed_in(sandbox, "demo")
    env = {**sandbox_cluster_env(sandbox), "HISTORY_IMPORT_DIR": str(imports)}
    first = start_qcluster(env=env, queues=(BULK,))

    run = request_history_import(user=listener, upload=SimpleUploadedFile(path.name, path.read_bytes()))
    partway = wait_for(
        run.pk, lambda r: r.status == RunStatus.RUNNING and r.plays_added > 0, clusters=[first], model=HistoryImport
    )
    first.kill()  # mid-run: SIGKILL, nothing cleans up
    assert partway.rows_read < spec.rows
    killed_at = HistoryImport.objects.get(pk=run.pk)
    assert killed_at.status == RunStatus.RUNNING and killed_at.rows_read < spec.rows  # nobody noticed yet
    second = start_qcluster(env=env, queues=(BULK,))

    # The new cluster's workers find the dead one's import as they spawn and go on from its position.
    done = wait_for(run.pk, lambda r: not r.is_active, clusters=[first, second], timeout=180, model=HistoryImport)
    assert done.status == RunStatus.SUCCEEDED, (done.error, second.log())
    assert done.rows_read == done.total_rows == spec.rows
    assert set(Play.objects.filter(user=listener).values_list("track_id", "played_at")) == {
        (track_id, ended_at) for track_id, ended_at, *_ in _expected_plays(spec)
    }
    assert not any(path.is_file() for path in imports.rglob("*"))

    with django_capture_on_commit_callbacks(execute=True):
        again = request_history_import(user=listener, upload=SimpleUploadedFile(path.name, path.read_bytes()))
    assert again.status == RunStatus.SUCCEEDED and again.plays_added == 0 and again.note == ALREADY_IMPORTED
    assert Play.objects.filter(user=listener).count() == done.plays_added

    # The tracks it met first were asked of Spotify on the bulk cluster (the sandbox knows none
    # of these made-up ids: each is counted unknown and kept with its name).
    lookup = wait_for(
        TrackLookup.objects.get(user=listener).pk, lambda r: not r.is_active, clusters=[second], model=TrackLookup
    )
    assert lookup.status == RunStatus.SUCCEEDED, (lookup.error, second.log())
    assert lookup.unknown == lookup.total == len({track_id for track_id, *_ in _expected_plays(spec)})
