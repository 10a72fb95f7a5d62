"""Finding the history files in an upload, and opening them as bounded byte streams.

An upload is a zip of Spotify's privacy export, or one or more of its JSON files. Every size is
checked before a byte is decompressed: the upload's own, and each history member's declared size
and compression ratio from the zip's central directory. A member that decompresses past what
it declared (a forged directory) is stopped by the stream itself, so no crafted zip can make us
hold or read more than the caps.
"""

from __future__ import annotations

import json
import pathlib
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from insights.services.spotify_export.errors import ExportError, ExportProblem
from insights.services.spotify_export.rows import RowFormat

GB = 1024**3
MB = 1024**2
EXTENDED_NAME = re.compile(r"Streaming_History_Audio_.*\.json", re.IGNORECASE)
# StreamingHistory_music_0.json, and before 2023 StreamingHistory0.json (music and podcasts mixed)
ACCOUNT_NAME = re.compile(r"StreamingHistory(_music_)?\d*\.json", re.IGNORECASE)
USERDATA_NAME = "Userdata.json"
USERDATA_LIMIT = MB
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class ExportLimits:
    """Caps on what an import reads. The defaults refuse a 2 GB upload.

    A 250,000-play Extended history is ~150 MB of JSON and ~15 MB zipped; Spotify splits it into
    files of ~16,000 plays (~10 MB) each.
    """

    max_upload_bytes: int = GB
    max_member_bytes: int = 512 * MB  # one history file, uncompressed
    max_total_bytes: int = 4 * GB  # all history files, uncompressed
    # JSON compresses ~10-20x; a zip bomb by thousands. Small members are let through at any ratio.
    max_ratio: int = 200
    ratio_floor_bytes: int = 8 * MB


DEFAULT_LIMITS = ExportLimits()


@dataclass(frozen=True, slots=True)
class HistoryFile:
    """A history file to read: a member of a zip, or an uploaded JSON file."""

    name: str  # the member's name in the zip, or the uploaded file's name
    path: pathlib.Path  # the zip, or the JSON file itself
    in_zip: bool
    size: int  # uncompressed bytes, from the zip's directory or the file system
    format: RowFormat | None  # None: a JSON file whose rows will say


@dataclass(frozen=True, slots=True)
class Upload:
    """One uploaded file: where it is stored, and the name the listener's file had."""

    path: pathlib.Path
    name: str = ""

    @property
    def display_name(self) -> str:
        return self.name or self.path.name


def _size_text(size: int) -> str:
    if size >= GB:
        return f"{size / GB:.1f} GB"
    return f"{round(size / MB)} MB" if size >= MB else f"{max(1, round(size / 1024))} KB"


def _too_large(what: str, limit: int) -> ExportError:
    return ExportError(ExportProblem.TOO_LARGE, f"{what} is larger than {_size_text(limit)}, the most an import reads.")


def _natural_key(name: str) -> list:
    """Sort "…_2.json" before "…_10.json", so files are read in Spotify's order."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def _basename(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _member_format(name: str) -> RowFormat | None:
    base = _basename(name)
    if name.startswith("__MACOSX/") or base.startswith("._"):
        return None  # macOS's resource forks, not JSON
    if EXTENDED_NAME.fullmatch(base):
        return RowFormat.EXTENDED
    if ACCOUNT_NAME.fullmatch(base):
        return RowFormat.ACCOUNT
    return None


def _check_member(info: zipfile.ZipInfo, limits: ExportLimits) -> None:
    if info.file_size > limits.max_member_bytes:
        raise _too_large(f"{info.filename} in the zip", limits.max_member_bytes)
    if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(1, info.compress_size):
        raise ExportError(
            ExportProblem.TOO_LARGE,
            f"{info.filename} in the zip unpacks to far more than a history file could hold, so the zip was refused.",
        )


def _zip_files(upload: Upload, limits: ExportLimits) -> tuple[list[HistoryFile], str | None]:
    """The zip's history files (Extended ones only when it has both), and Userdata's username."""
    try:
        with zipfile.ZipFile(upload.path) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
            found = [(info, _member_format(info.filename)) for info in infos]
            found = [(info, fmt) for info, fmt in found if fmt is not None]
            # The Extended history holds everything Account Data has, to the second: reading both
            # would count every recent play twice under two clocks.
            if any(fmt is RowFormat.EXTENDED for _, fmt in found):
                found = [(info, fmt) for info, fmt in found if fmt is RowFormat.EXTENDED]
            for info, _ in found:
                _check_member(info, limits)
            total = sum(info.file_size for info, _ in found)
            if total > limits.max_total_bytes:
                raise _too_large("The history in this zip", limits.max_total_bytes)
            username = _userdata_username(archive, infos)
    except zipfile.BadZipFile:
        raise ExportError(ExportProblem.DAMAGED, f"{upload.display_name} is a damaged zip file.") from None
    files = [
        HistoryFile(name=info.filename, path=upload.path, in_zip=True, size=info.file_size, format=fmt)
        for info, fmt in found
    ]
    return files, username


def _userdata_username(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> str | None:
    """Account Data's rows name no one; its Userdata.json does."""
    for info in infos:
        if _basename(info.filename) == USERDATA_NAME and info.file_size <= USERDATA_LIMIT:
            try:
                with archive.open(info) as member:
                    data = json.loads(member.read(USERDATA_LIMIT + 1))
            except (ValueError, RuntimeError):
                return None  # not ours to judge: the history files are what is imported
            username = data.get("username") if isinstance(data, dict) else None
            return username if isinstance(username, str) and username else None
    return None


def find_history_files(
    *, uploads: Sequence[Upload], limits: ExportLimits
) -> tuple[tuple[HistoryFile, ...], str | None]:
    """The upload's history files in a stable order, and the username its Userdata.json gives.

    Raises ExportError for what can be told without reading the history: sizes, not a zip nor
    JSON, no history at all.
    """
    if not uploads:
        raise ExportError(ExportProblem.NO_HISTORY, "No file was uploaded.")
    total = sum(upload.path.stat().st_size for upload in uploads)
    if total > limits.max_upload_bytes:
        raise _too_large("This upload", limits.max_upload_bytes)
    files: list[HistoryFile] = []
    username = None
    for upload in uploads:
        if zipfile.is_zipfile(upload.path):
            found, zip_username = _zip_files(upload, limits)
            files.extend(found)
            username = username or zip_username
            continue
        if first_byte(upload.path) not in (b"[", b"{"):
            raise ExportError(
                ExportProblem.NOT_AN_EXPORT,
                f"{upload.display_name} is neither a zip nor a JSON file from Spotify's privacy export.",
            )
        name = upload.display_name
        size = upload.path.stat().st_size
        if size > limits.max_member_bytes:
            raise _too_large(name, limits.max_member_bytes)
        # Renamed files are read all the same; their rows tell the format.
        if _basename(name).lower().startswith(("streaming_history_video", "streaminghistory_podcast")):
            continue
        files.append(HistoryFile(name=name, path=upload.path, in_zip=False, size=size, format=_member_format(name)))
    if not files:
        raise ExportError(
            ExportProblem.NO_HISTORY,
            "No streaming history was found: upload the zip from Spotify's privacy page, or its "
            "Streaming_History_Audio_*.json or StreamingHistory_music_*.json files.",
        )
    names = [file.name for file in files]
    if len(set(names)) != len(names):
        raise ExportError(ExportProblem.NO_HISTORY, "The same history file was uploaded twice.")
    files.sort(key=lambda file: _natural_key(file.name))
    return tuple(files), username


def first_byte(path: pathlib.Path) -> bytes:
    """The first byte that is not white space or a byte-order mark."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    return head.removeprefix(BOM).lstrip()[:1]


class BoundedStream:
    """A history file's bytes for ijson: a leading BOM dropped, and reading past a cap refused.

    zipfile already stops at the size the directory declares; this cap is the one we trust.
    """

    def __init__(self, raw: BinaryIO, *, name: str, limit: int) -> None:
        self._raw = raw
        self._name = name
        self._limit = limit
        head = raw.read(len(BOM))
        self._read = len(head)
        self._head = b"" if head == BOM else head

    def first_byte(self) -> bytes:
        """The first byte that is not white space (read ahead, and given again to read())."""
        while not self._head.lstrip():
            chunk = self._raw.read(4096)
            if not chunk:
                return b""
            self._head += chunk
            self._count(len(chunk))
        return self._head.lstrip()[:1]

    def _count(self, size: int) -> None:
        self._read += size
        if self._read > self._limit:
            raise _too_large(self._name, self._limit)

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""  # ijson asks for nothing first, to tell bytes from text
        if self._head:
            head, self._head = self._head, b""
            return head
        chunk = self._raw.read(size)
        self._count(len(chunk))
        return chunk

    def close(self) -> None:
        self._raw.close()
