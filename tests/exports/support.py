"""Reading an export back as a spreadsheet or a script would: the CSV with the csv module (after
its byte order mark), the JSON with json."""

from __future__ import annotations

import csv
import io
import json

BOM = "\ufeff"


def body(response) -> str:
    assert response.streaming, "an export is streamed"
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(response) -> list[dict[str, str]]:
    text = body(response)
    assert text.startswith(BOM), "Excel needs the byte order mark to read UTF-8"
    return list(csv.DictReader(io.StringIO(text[len(BOM) :], newline="")))


def csv_header(response) -> list[str]:
    text = body(response)
    return next(csv.reader(io.StringIO(text[len(BOM) :], newline="")))


def json_rows(response) -> list[dict]:
    return json.loads(body(response))
