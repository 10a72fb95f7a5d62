"""Spotify's privacy export (a zip, or its JSON files) read as normalised plays, in bounded memory.

    export = open_export(uploads=[Upload(path=stored, name="my_spotify_data.zip")])
    tally = ReadTally()
    for play in export.plays(expected_username="listener", start_after=saved_position, tally=tally):
        ...  # write per batch; save play.position with the tally to resume after it

`inspect_export(...)` makes every check of a full read without keeping a play, for the upload
form to refuse a bad file before an import starts. Failures are ExportError, whose message is
for the listener. Nothing here touches the database: matching and storing plays is the caller's.
"""

from insights.services.spotify_export.archive import DEFAULT_LIMITS, ExportLimits, HistoryFile, Upload
from insights.services.spotify_export.errors import ExportError, ExportProblem
from insights.services.spotify_export.reader import (
    ExportSummary,
    SpotifyExport,
    inspect_export,
    open_export,
    read_plays,
)
from insights.services.spotify_export.rows import SKIP_BELOW_MS, ExportPlay, Position, Precision, ReadTally, RowFormat

__all__ = [
    "DEFAULT_LIMITS",
    "SKIP_BELOW_MS",
    "ExportError",
    "ExportLimits",
    "ExportPlay",
    "ExportProblem",
    "ExportSummary",
    "HistoryFile",
    "Position",
    "Precision",
    "ReadTally",
    "RowFormat",
    "SpotifyExport",
    "Upload",
    "inspect_export",
    "open_export",
    "read_plays",
]
