"""Reading Spotify's privacy export: both formats, the skip rule, resuming, and a generated export read back.

Bad files and their messages: test_spotify_export_bad_files.py.
"""

from __future__ import annotations

import json
import pathlib
import tempfile
import zipfile
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insights.services.spotify_export import (
    ExportError,
    ExportProblem,
    Position,
    Precision,
    ReadTally,
    Upload,
    inspect_export,
    open_export,
    read_plays,
)
from tests.insights.export_factory import (
    AUDIO,
    TRACK_A,
    TRACK_B,
    ExportSpec,
    account_rows,
    extended_row,
    extended_rows,
    synthetic_tracks,
    write_account_export,
    write_extended_export,
    write_zip,
)


class TestExtendedHistory:
    def test_a_play_is_read_with_its_values_in_utc(self, tmp_path):
        upload = write_zip(tmp_path / "my_spotify_data.zip", {AUDIO: [extended_row()]})

        [play] = read_plays(uploads=[upload], expected_username="listener")

        assert play.ended_at == datetime(2021, 3, 4, 18, 22, 11, tzinfo=UTC)
        assert play.ended_at.utcoffset().total_seconds() == 0
        assert (play.track_id, play.track_name, play.artist_name, play.album_name) == (
            TRACK_A, "Song A", "Artist A", "Album A")
        assert (play.ms_played, play.skipped, play.reason_start, play.reason_end) == (
            200_000, False, "clickrow", "trackdone")
        assert (play.shuffle, play.offline, play.precision, play.username) == (True, False, Precision.SECOND, "listener")
        assert play.started_at == datetime(2021, 3, 4, 18, 18, 51, tzinfo=UTC)
        assert play.position == Position(file_index=0, row=0, member=AUDIO)

    def test_milliseconds_and_offsets_are_kept_and_made_utc(self, tmp_path):
        upload = write_zip(tmp_path / "e.zip", {AUDIO: [
            extended_row(ts="2021-03-04T18:22:11.250Z"), extended_row(ts="2021-03-04T20:22:11+02:00")]})

        first, second = read_plays(uploads=[upload], expected_username="listener")

        assert (first.ended_at.microsecond, first.precision) == (250_000, Precision.MILLISECOND)
        assert second.ended_at == datetime(2021, 3, 4, 18, 22, 11, tzinfo=UTC)

    def test_a_play_under_30_seconds_is_a_skip_and_spotify_s_flag_counts_too(self, tmp_path):
        upload = write_zip(tmp_path / "e.zip", {AUDIO: [
            extended_row(ms_played=29_999, reason_end="fwdbtn"),
            extended_row(ms_played=30_000),
            extended_row(ms_played=30_000, skipped=True, reason_end="fwdbtn"),
            extended_row(ms_played=120_000, skipped=None),
        ]})
        tally = ReadTally()

        plays = list(read_plays(uploads=[upload], expected_username="listener", tally=tally))

        assert [play.skipped for play in plays] == [True, False, True, False]
        assert [play.reason_end for play in plays] == ["fwdbtn", "trackdone", "fwdbtn", "trackdone"]
        assert tally.skips == 2

    def test_episodes_and_local_files_are_counted_not_imported(self, tmp_path):
        upload = write_zip(tmp_path / "e.zip", {
            AUDIO: [
                extended_row(),
                extended_row(spotify_track_uri=None, master_metadata_track_name=None, episode_name="Ep 1",
                             spotify_episode_uri="spotify:episode:0Q86acNRm6V9GYx55SXKwf"),
                extended_row(spotify_track_uri=None, master_metadata_track_name=None),
                extended_row(spotify_track_uri=f"spotify:track:{TRACK_B}"),
            ],
            "Spotify Extended Streaming History/Streaming_History_Video_2021.json": [{"ts": "not even read"}],
            "Spotify Extended Streaming History/ReadMeFirst_ExtendedStreamingHistory.pdf": b"%PDF",
        })
        tally = ReadTally()

        plays = list(read_plays(uploads=[upload], expected_username="listener", tally=tally))

        assert [play.track_id for play in plays] == [TRACK_A, TRACK_B]
        assert [play.position.row for play in plays] == [0, 3]
        assert (tally.rows, tally.plays, tally.episodes, tally.without_track) == (4, 2, 1, 1)

    def test_rows_without_a_username_are_read(self, tmp_path):
        row = extended_row()
        del row["username"]
        upload = write_zip(tmp_path / "e.zip", {AUDIO: [row]})

        [play] = read_plays(uploads=[upload], expected_username="listener")

        assert play.username is None

    def test_json_files_are_read_in_spotify_s_order_whatever_their_stored_names(self, tmp_path):
        for number in (10, 2):
            (tmp_path / f"upload-{number}").write_text(json.dumps([extended_row(ts=f"2021-03-{number:02d}T00:00:00Z")]))
        uploads = [Upload(path=tmp_path / f"upload-{n}", name=f"Streaming_History_Audio_2021_{n}.json") for n in (10, 2)]

        plays = list(read_plays(uploads=uploads, expected_username="listener"))

        assert [play.ended_at.day for play in plays] == [2, 10]
        assert [play.position.member for play in plays] == [
            "Streaming_History_Audio_2021_2.json", "Streaming_History_Audio_2021_10.json"]


class TestAccountData:
    def test_a_play_has_its_names_the_minute_in_utc_and_no_track_id(self, tmp_path):
        upload = write_zip(tmp_path / "my_spotify_data.zip", {
            "Spotify Account Data/StreamingHistory_music_0.json": [
                {"endTime": "2024-01-01 12:34", "artistName": "Artist A", "trackName": "Song A", "msPlayed": 29_999},
                {"endTime": "2024-01-01 12:40", "artistName": "Artist B", "trackName": "Song B", "msPlayed": 30_000},
            ],
            "Spotify Account Data/StreamingHistory_podcast_0.json": [
                {"endTime": "2024-01-01 13:00", "podcastName": "Show", "episodeName": "One", "msPlayed": 1}],
            "Spotify Account Data/Userdata.json": {"username": "listener"},
        })

        first, second = read_plays(uploads=[upload], expected_username="listener")

        assert first.ended_at == datetime(2024, 1, 1, 12, 34, tzinfo=UTC)
        assert (first.track_id, first.track_name, first.artist_name, first.album_name) == (None, "Song A", "Artist A", "")
        assert (first.precision, first.username, first.skipped, second.skipped) == (Precision.MINUTE, None, True, False)

    def test_the_older_streaming_history_files_are_read(self, tmp_path):
        upload = write_zip(tmp_path / "old.zip", {"MyData/StreamingHistory0.json": [
            {"endTime": "2019-05-01 08:00", "artistName": "A", "trackName": "B", "msPlayed": 100_000}]})

        [play] = read_plays(uploads=[upload], expected_username=None)

        assert play.ended_at == datetime(2019, 5, 1, 8, 0, tzinfo=UTC)

    def test_a_zip_with_both_histories_reads_only_the_extended_one(self, tmp_path):
        upload = write_zip(tmp_path / "both.zip", {
            AUDIO: [extended_row()],
            "Spotify Account Data/StreamingHistory_music_0.json": [
                {"endTime": "2021-03-04 18:22", "artistName": "Artist A", "trackName": "Song A", "msPlayed": 200_000}],
        })

        plays = list(read_plays(uploads=[upload], expected_username="listener"))

        assert [play.precision for play in plays] == [Precision.SECOND]


class TestResume:
    @pytest.fixture
    def export(self, tmp_path):
        spec = ExportSpec(rows=90, tracks=synthetic_tracks(count=12, seed=3), seed=5, rows_per_file=20,
                          episode_share=0.2, local_share=0.1)
        write_extended_export(spec, tmp_path / "export.zip")
        return open_export(uploads=[tmp_path / "export.zip"])

    def test_resuming_after_any_play_yields_exactly_the_plays_after_it(self, export):
        everything = list(export.plays(expected_username="listener"))
        assert len({play.position.file_index for play in everything}) == 5

        for index, play in enumerate(everything):
            rest = list(export.plays(expected_username="listener", start_after=play.position))
            assert rest == everything[index + 1:]

    def test_a_checkpoint_of_position_and_tally_adds_up_to_a_full_read(self, export):
        full = ReadTally()
        list(export.plays(expected_username="listener", tally=full))
        before = ReadTally()
        for count, play in enumerate(export.plays(expected_username="listener", tally=before)):
            if count == 40:
                break  # "interrupted": the checkpoint is the play held and the tally at that moment
        checkpoint = Position.from_json(json.loads(json.dumps(before.last_position.as_json())))
        assert checkpoint == play.position
        after = ReadTally()

        list(export.plays(expected_username="listener", start_after=checkpoint, tally=after))

        assert before.rows + after.rows == full.rows
        assert before.plays + after.plays == full.plays == 41 + after.plays
        assert before.episodes + after.episodes == full.episodes
        assert before.without_track + after.without_track == full.without_track

    def test_resuming_after_the_last_row_yields_nothing(self, export):
        full = ReadTally()
        list(export.plays(expected_username="listener", tally=full))

        assert list(export.plays(expected_username="listener", start_after=full.last_position)) == []

    def test_resuming_against_other_files_is_refused(self, export):
        elsewhere = Position(file_index=1, row=3, member="Streaming_History_Audio_2030_1.json")

        with pytest.raises(ExportError) as error:
            list(export.plays(expected_username="listener", start_after=elsewhere))

        assert error.value.problem is ExportProblem.CHANGED

    def test_the_fingerprint_names_the_content(self, tmp_path):
        spec = ExportSpec(rows=30, tracks=synthetic_tracks(count=5))
        write_extended_export(spec, tmp_path / "one.zip")
        write_extended_export(spec, tmp_path / "again.zip")
        write_extended_export(ExportSpec(rows=30, tracks=spec.tracks, seed=1), tmp_path / "other.zip")

        one, again, other = (open_export(uploads=[tmp_path / name]).fingerprint()
                             for name in ("one.zip", "again.zip", "other.zip"))

        assert one == again != other


def test_inspecting_counts_what_the_import_will_read(tmp_path):
    spec = ExportSpec(rows=120, tracks=synthetic_tracks(count=9), rows_per_file=50, episode_share=0.1, seed=2)
    names = write_extended_export(spec, tmp_path / "export.zip")
    rows = list(extended_rows(spec))
    tracks = [row for row in rows if row["spotify_track_uri"]]

    summary = inspect_export(uploads=[tmp_path / "export.zip"], expected_username="listener")

    assert summary.files == tuple(names)
    assert summary.uncompressed_bytes == sum(info.file_size for info in zipfile.ZipFile(tmp_path / "export.zip").infolist()
                                             if info.filename in names)
    assert (summary.tally.rows, summary.tally.plays) == (120, len(tracks))
    assert summary.tally.episodes == sum(1 for row in rows if row["spotify_episode_uri"])
    assert summary.tally.skips == sum(1 for row in tracks if row["skipped"] or row["ms_played"] < 30_000)
    assert summary.tally.first_ended_at == datetime.fromisoformat(tracks[0]["ts"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.integers(min_value=1, max_value=250),
    rows_per_file=st.integers(min_value=1, max_value=80),
    seed=st.integers(min_value=0, max_value=2**16),
    username=st.sampled_from(["listener", None]),
    start_year=st.integers(min_value=2009, max_value=2030),
)
def test_any_generated_export_reads_back_as_generated(rows, rows_per_file, seed, username, start_year):
    spec = ExportSpec(
        rows=rows, tracks=synthetic_tracks(count=7, seed=seed), seed=seed, username=username,
        rows_per_file=rows_per_file, start=datetime(start_year, 6, 1, tzinfo=UTC),
        end=datetime(start_year + 2, 6, 1, tzinfo=UTC),
    )
    expected_extended = [
        (datetime.fromisoformat(row["ts"]), row["spotify_track_uri"].removeprefix("spotify:track:"))
        for row in extended_rows(spec) if row["spotify_track_uri"]
    ]
    expected_account = [
        (datetime.strptime(row["endTime"], "%Y-%m-%d %H:%M").replace(tzinfo=UTC), row["trackName"])
        for row in account_rows(spec)
    ]
    with tempfile.TemporaryDirectory() as directory:
        extended_zip, account_zip = pathlib.Path(directory, "extended.zip"), pathlib.Path(directory, "account.zip")
        write_extended_export(spec, extended_zip)
        write_account_export(spec, account_zip)

        extended = list(read_plays(uploads=[extended_zip], expected_username="listener"))
        account = list(read_plays(uploads=[account_zip], expected_username=username))

    assert len(extended) == len(expected_extended)
    assert {(play.ended_at, play.track_id) for play in extended} == set(expected_extended)
    assert len(account) == len(expected_account) == rows
    assert {(play.ended_at, play.track_name) for play in account} == set(expected_account)
