"""Why an export cannot be read: a code for the caller, and a message for the listener."""

from __future__ import annotations

from enum import StrEnum


class ExportProblem(StrEnum):
    NOT_AN_EXPORT = "not_an_export"  # neither a zip nor JSON
    NO_HISTORY = "no_history"  # a zip (or files) without any streaming history
    BAD_JSON = "bad_json"  # not valid JSON, or not an array of plays
    BAD_ROW = "bad_row"  # a row without the fields every play has
    OTHER_ACCOUNT = "other_account"  # another listener's export
    TOO_LARGE = "too_large"  # over a size cap, or compressed suspiciously well (a zip bomb)
    DAMAGED = "damaged"  # a zip whose data does not match its directory
    CHANGED = "changed"  # a resume against files other than those the import started with


class ExportError(Exception):
    """The export cannot be imported; `str(error)` is the message to show the listener.

    Messages name files and row numbers from the export, never another account's username.
    """

    def __init__(self, problem: ExportProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem
        self.message = message
