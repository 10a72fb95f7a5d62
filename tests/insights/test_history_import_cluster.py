"""A history import on a real bulk `qcluster`: the upload is queued after commit, a worker of the
bulk cluster imports it in batches, and the upload is gone when it ends."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.queues import BULK
from core.runs import ACTIVE_STATUSES, RunStatus
from insights.models import HistoryImport, Play
from insights.services.history_import import request_history_import
from tests.accounts.factories import SpotifyCredentialFactory
from tests.insights.export_factory import ExportSpec, synthetic_tracks, write_extended_export

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
