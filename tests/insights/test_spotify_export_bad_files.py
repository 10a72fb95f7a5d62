"""A bad upload is refused with a message that says what is wrong, before anything is imported."""

from __future__ import annotations

import io
import json
import zipfile

import ijson
import pytest

from insights.services.spotify_export import (
    ExportError,
    ExportLimits,
    ExportProblem,
    Upload,
    inspect_export,
    read_plays,
)
from insights.services.spotify_export.archive import BoundedStream
from tests.insights.export_factory import AUDIO, AUDIO_2, extended_row, write_zip


def problem(uploads, *, expected_username: str | None = "listener", limits: ExportLimits = ExportLimits()):
    """The ExportError that inspecting the uploads raises (the full read raises the same)."""
    with pytest.raises(ExportError) as inspected:
        inspect_export(uploads=uploads, expected_username=expected_username, limits=limits)
    with pytest.raises(ExportError) as read:
        list(read_plays(uploads=uploads, expected_username=expected_username, limits=limits))
    assert (read.value.problem, str(read.value)) == (inspected.value.problem, str(inspected.value))
    return inspected.value


class TestBadFiles:
    def test_neither_a_zip_nor_json(self, tmp_path):
        (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))

        error = problem([tmp_path / "photo.png"])

        assert error.problem is ExportProblem.NOT_AN_EXPORT
        assert str(error) == "photo.png is neither a zip nor a JSON file from Spotify's privacy export."

    def test_garbage_json(self, tmp_path):
        upload = write_zip(tmp_path / "e.zip", {AUDIO: b'[{"ts": "2021-03-04T18:22:11Z", oops'})

        error = problem([upload])

        assert error.problem is ExportProblem.BAD_JSON
        assert str(error) == f"{AUDIO} is not valid JSON (it breaks after row 0)."

    def test_an_object_instead_of_a_list(self, tmp_path):
        upload = write_zip(tmp_path / "e.zip", {AUDIO: {"plays": [extended_row()]}})

        error = problem([upload])

        assert error.problem is ExportProblem.BAD_JSON
        assert str(error) == f"{AUDIO} holds a JSON object, not the list of plays Spotify's history files hold."

    def test_a_row_without_ts_names_its_file_and_row(self, tmp_path):
        row = extended_row()
        del row["ts"]
        upload = write_zip(tmp_path / "e.zip", {AUDIO: [extended_row(), row]})

        error = problem([upload])

        assert error.problem is ExportProblem.BAD_ROW
        assert str(error) == (f"Row 2 of {AUDIO} has no “ts” (the time the play ended), "
                              "so this is not a history file from Spotify's export.")

    def test_rows_that_are_no_plays_at_all(self, tmp_path):
        (tmp_path / "library.json").write_text(json.dumps([{"artist": "A", "album": "B"}]))

        error = problem([Upload(path=tmp_path / "library.json", name="YourLibrary.json")])

        assert error.problem is ExportProblem.BAD_ROW
        assert "Row 1 of YourLibrary.json" in str(error)

    def test_another_listener_s_export(self, tmp_path):
        upload = write_zip(tmp_path / "e.zip", {AUDIO: [extended_row(), extended_row(username="someone-else-42")]})

        error = problem([upload])

        assert error.problem is ExportProblem.OTHER_ACCOUNT
        assert str(error) == "This export belongs to another Spotify account."
        assert "someone" not in str(error)

    def test_another_listener_s_account_data_by_its_userdata(self, tmp_path):
        upload = write_zip(tmp_path / "a.zip", {
            "Spotify Account Data/Userdata.json": {"username": "someone-else-42"},
            "Spotify Account Data/StreamingHistory_music_0.json": [
                {"endTime": "2024-01-01 12:34", "artistName": "A", "trackName": "B", "msPlayed": 1}],
        })

        assert problem([upload]).problem is ExportProblem.OTHER_ACCOUNT

    def test_two_listeners_in_one_export_without_an_expected_username(self, tmp_path):
        upload = write_zip(tmp_path / "e.zip", {AUDIO: [extended_row()], AUDIO_2: [extended_row(username="b")]})

        assert problem([upload], expected_username=None).problem is ExportProblem.OTHER_ACCOUNT

    def test_a_zip_without_history(self, tmp_path):
        upload = write_zip(tmp_path / "e.zip", {"Spotify Account Data/Playlist1.json": {"playlists": []}})

        error = problem([upload])

        assert error.problem is ExportProblem.NO_HISTORY
        assert str(error).startswith("No streaming history was found")

    def test_an_upload_over_the_cap(self, tmp_path):
        upload = write_zip(tmp_path / "e.zip", {AUDIO: [extended_row()] * 50})
        cap = upload.stat().st_size - 1

        error = problem([upload], limits=ExportLimits(max_upload_bytes=cap))

        assert error.problem is ExportProblem.TOO_LARGE
        assert str(error) == f"This upload is larger than {round(cap / 1024)} KB, the most an import reads."

    def test_the_default_cap_refuses_two_gigabytes_before_reading_it(self, tmp_path):
        upload = tmp_path / "huge.zip"
        with upload.open("wb") as handle:
            handle.truncate(2 * 1024**3)  # sparse: takes no disk, and must not be read

        assert problem([upload]).problem is ExportProblem.TOO_LARGE

    def test_a_member_declaring_more_than_the_cap_is_refused_unread(self, tmp_path):
        upload = write_zip(tmp_path / "e.zip", {AUDIO: [extended_row()] * 500})
        declared = zipfile.ZipFile(upload).getinfo(AUDIO).file_size

        error = problem([upload], limits=ExportLimits(max_member_bytes=declared - 1))

        assert error.problem is ExportProblem.TOO_LARGE
        assert str(error).startswith(f"{AUDIO} in the zip is larger than")

    def test_a_member_that_compresses_like_a_zip_bomb_is_refused_unread(self, tmp_path):
        upload = write_zip(tmp_path / "bomb.zip", {AUDIO: b"[" + b" " * (20 * 1024**2) + b"]"})
        info = zipfile.ZipFile(upload).getinfo(AUDIO)
        assert info.file_size > 200 * info.compress_size  # what makes it a bomb

        error = problem([upload])

        assert error.problem is ExportProblem.TOO_LARGE
        assert "unpacks to far more than a history file could hold" in str(error)

    def test_a_stream_longer_than_its_cap_is_cut_off(self):
        # A forged directory could declare less than a member holds: the stream itself stops it.
        rows = b"[" + b",".join([json.dumps(extended_row()).encode()] * 100) + b"]"
        stream = BoundedStream(io.BytesIO(rows), name="forged.json", limit=len(rows) - 1)  # one byte short

        with pytest.raises(ExportError) as error:
            list(ijson.items(stream, "item"))

        assert error.value.problem is ExportProblem.TOO_LARGE
        assert str(error.value) == "forged.json is larger than 42 KB, the most an import reads."

    def test_a_damaged_zip(self, tmp_path):
        upload = write_zip(tmp_path / "e.zip", {AUDIO: [extended_row()] * 200})
        data = bytearray(upload.read_bytes())
        data[60:120] = bytes(60)  # inside the compressed member
        upload.write_bytes(bytes(data))

        assert problem([upload]).problem in (ExportProblem.DAMAGED, ExportProblem.BAD_JSON)
