"""An export as a streamed file: CSV that spreadsheets open as they are, or a JSON array.

CSV, for Excel, LibreOffice and Google Sheets alike: UTF-8 with a byte order mark (without it
Excel reads the bytes as the local code page and breaks every accented name), one header row,
quotes where a value needs them, CRLF line ends, lists joined by "; ", booleans as true/false.
A value a spreadsheet would run as a formula (a playlist or song named "=HYPERLINK(...)": names
come from Spotify, where anyone can type them) starts with an apostrophe, which spreadsheets take
as "text" and do not show.

JSON: one array of objects, keys as the columns, lists as arrays, null for "not known".

Both are written a chunk of rows at a time, so neither the server nor the response holds the
whole file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

from exports.documents import Export

BOM = "\ufeff"
# What makes a spreadsheet read a cell as a formula (OWASP's list): =, +, -, @, and a tab or
# carriage return before one of them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "
ROWS_PER_WRITE = 200
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = LIST_SEPARATOR.join(value) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _batches(rows: Iterator[dict]) -> Iterator[list[dict]]:
    while batch := list(islice(rows, ROWS_PER_WRITE)):
        yield batch


def csv_chunks(export: Export) -> Iterator[str]:
    names = [column.name for column in export.columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    yield BOM + buffer.getvalue()
    for batch in _batches(export.rows):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([csv_cell(row[name]) for name in names] for row in batch)
        yield buffer.getvalue()


def json_chunks(export: Export) -> Iterator[str]:
    names = [column.name for column in export.columns]
    yield "["
    separator = "\n"
    for batch in _batches(export.rows):
        parts = [json.dumps({name: row[name] for name in names}, ensure_ascii=False) for row in batch]
        yield separator + ",\n".join(parts)
        separator = ",\n"
    yield "\n]\n"


def download(export: Export, *, file_format: str) -> StreamingHttpResponse:
    """The export as an attachment in `file_format` (one of documents.FORMATS)."""
    chunks = csv_chunks(export) if file_format == "csv" else json_chunks(export)
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = content_disposition_header(True, export.filename(file_format))
    # A listener's own data: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response
