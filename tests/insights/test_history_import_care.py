"""What surrounds a history import: how often a listener may upload, where uploads go when a
listener leaves, Account Data names matched as a listener reads them, and the lookup it queues."""

from __future__ import annotations

import pathlib
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from insights.models import HistoryImport, Play, TrackLookup, UnmatchedPlay
from insights.services.export_matching import fold
from insights.services.history_import import request_history_import, run_history_import
from library.models import Track
from tests.accounts.factories import SpotifyCredentialFactory
from tests.insights.export_factory import AUDIO, extended_row, write_zip
from tests.library.factories import PlaylistItemFactory, TrackFactory
from tests.support.throttles import api_for, clear_throttle_counts

pytestmark = pytest.mark.django_db

API = "/api/history/imports/"
ACCOUNT_MUSIC = "Spotify Account Data/StreamingHistory_music_0.json"
USERDATA = "Spotify Account Data/Userdata.json"


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path) -> pathlib.Path:
    settings.HISTORY_IMPORT_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


@pytest.fixture
def listener(queue):
    return SpotifyCredentialFactory(spotify_user_id="listener").user


def _upload(path: pathlib.Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/zip")


def _files(root: pathlib.Path) -> list[pathlib.Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_uploads_past_the_limit_are_refused_on_the_api_and_the_page_alike(listener, tmp_path, settings, client):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "history_uploads": "2/day"}
    clear_throttle_counts()
    junk = tmp_path / "notes.json"
    junk.write_text("{}")
    api = api_for(listener)

    assert api.post(API, {"file": _upload(junk)}, format="multipart").status_code == 400  # counted
    client.force_login(listener)
    client.post("/history/import", {"file": _upload(junk)})  # the page shares the count
    refused = api.post(API, {"file": _upload(junk)}, format="multipart")

    assert refused.status_code == 429 and "Retry-After" in refused
    assert "uploaded 2 exports of your history" in refused.json()["detail"]
    page = client.post("/history/import", {"file": _upload(junk)}, follow=True).content.decode()
    assert "uploaded 2 exports of your history" in page
    assert api.get(API).status_code == 200  # reading is never limited


def test_deleting_a_listener_deletes_the_upload_their_import_still_held(
    listener, tmp_path, import_dir, django_capture_on_commit_callbacks
):
    path = write_zip(tmp_path / "my_spotify_data.zip", {AUDIO: [extended_row()]})
    run = request_history_import(user=listener, upload=_upload(path))
    assert len(_files(import_dir)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        listener.delete()
        assert len(_files(import_dir)) == 1  # not before the deletion is committed

    assert not HistoryImport.objects.filter(pk=run.pk).exists() and _files(import_dir) == []


def test_a_rolled_back_deletion_keeps_the_upload(listener, tmp_path, import_dir, django_capture_on_commit_callbacks):
    path = write_zip(tmp_path / "my_spotify_data.zip", {AUDIO: [extended_row()]})
    request_history_import(user=listener, upload=_upload(path))

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        listener.delete()
        raise RuntimeError("the deletion fails")

    assert len(_files(import_dir)) == 1


@pytest.mark.parametrize(
    ("spelled", "expected"),
    [
        ("Beyoncé", "beyonce"),
        ("  Don't   Stop Me Now ", "dont stop me now"),
        ("AC/DC", "ac dc"),
        ("Sigur Rós", "sigur ros"),
        ("ＡＢＣ", "abc"),  # full-width letters
    ],
)
def test_names_fold_as_a_listener_reads_them(spelled, expected):
    assert fold(spelled) == expected


def test_account_data_names_match_the_listeners_tracks_whatever_their_case_and_accents(listener, tmp_path, queue):
    track = TrackFactory(name="Déjà Vu", artist__name="Beyoncé")
    PlaylistItemFactory(playlist__user=listener, track=track)
    # Another listener's track with the same folded names is not this listener's to match.
    TrackFactory(name="Deja vu", artist__name="BEYONCE")
    rows = [
        {"endTime": "2024-01-01 12:30", "artistName": "beyonce", "trackName": "deja vu", "msPlayed": 200_000},
        {"endTime": "2024-01-01 12:40", "artistName": "Nobody", "trackName": "Deja Vu", "msPlayed": 200_000},
    ]
    path = write_zip(tmp_path / "my_spotify_data.zip", {USERDATA: {"username": "listener"}, ACCOUNT_MUSIC: rows})

    run = request_history_import(user=listener, upload=_upload(path))
    done = run_history_import(import_id=run.pk)

    assert (done.plays_added, done.unmatched) == (1, 1)
    assert list(Play.objects.filter(user=listener).values_list("track_id", "played_at")) == [
        (track.pk, datetime(2024, 1, 1, 12, 30, tzinfo=UTC))
    ]
    assert UnmatchedPlay.objects.get(user=listener).artist_name == "Nobody"


def test_an_import_that_met_new_tracks_queues_their_lookup_on_the_bulk_queue(
    listener, tmp_path, queue, django_capture_on_commit_callbacks
):
    path = write_zip(tmp_path / "my_spotify_data.zip", {AUDIO: [extended_row()]})
    run = request_history_import(user=listener, upload=_upload(path))

    with django_capture_on_commit_callbacks(execute=True):
        run_history_import(import_id=run.pk)

    lookup = TrackLookup.objects.get(user=listener)
    assert lookup.total == 1 and Track.objects.get().album_id is None
    assert [call[1] for call in queue.of("insights.tasks.run_track_lookup")] == [lookup.pk]


def test_the_history_shows_a_track_known_by_name_only_as_not_known_yet(listener, client):
    from tests.insights.factories import PlayFactory

    PlayFactory(user=listener, track=Track.objects.create(spotify_id="3" * 22, name="From the export"))
    client.force_login(listener)

    html = client.get("/history/").content.decode()

    assert "From the export" in html and html.count("not known yet") == 2  # artists and album


def test_a_name_of_punctuation_only_matches_nothing_by_its_folded_form(listener, tmp_path, queue):
    track = TrackFactory(name="!!!", artist__name="???")
    PlaylistItemFactory(playlist__user=listener, track=track)
    rows = [{"endTime": "2024-01-01 12:30", "artistName": "...", "trackName": "***", "msPlayed": 200_000}]
    path = write_zip(tmp_path / "my_spotify_data.zip", {USERDATA: {"username": "listener"}, ACCOUNT_MUSIC: rows})

    done = run_history_import(import_id=request_history_import(user=listener, upload=_upload(path)).pk)

    assert (done.plays_added, done.unmatched) == (0, 1)


def test_the_upload_form_reads_only_the_first_rows_of_a_file_of_episodes(listener, tmp_path, monkeypatch):
    from insights.services import history_import
    from insights.services.spotify_export import Upload, inspect_export

    episode = extended_row(spotify_track_uri=None, master_metadata_track_name=None,
                           episode_name="A talk", spotify_episode_uri="spotify:episode:1")
    path = write_zip(tmp_path / "my_spotify_data.zip", {AUDIO: [episode] * 500})

    summary = inspect_export(
        uploads=[Upload(path=path, name=path.name)], expected_username="listener",
        rows_per_file=history_import.UPLOAD_SAMPLE_ROWS,
    )

    assert summary.tally.rows == history_import.UPLOAD_SAMPLE_ROWS and summary.tally.episodes == summary.tally.rows


def test_skipped_plays_do_not_count_toward_a_tracks_plays(listener):
    from insights.selectors.history import play_counts
    from tests.insights.factories import PlayFactory

    track = TrackFactory()
    PlayFactory(user=listener, track=track)
    PlayFactory(user=listener, track=track, skipped=True, ms_played=5_000)

    assert play_counts(user_id=listener.pk, track_ids=[track.pk]) == {track.pk: 1}
