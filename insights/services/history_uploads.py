"""Where an uploaded privacy export waits for its import: its own folder under
HISTORY_IMPORT_DIR, deleted once the import ends (or the account goes)."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename

from core.runs import ACTIVE_STATUSES
from insights.models import HistoryImport


def upload_root() -> Path:
    return Path(settings.HISTORY_IMPORT_DIR)


def store_upload(*, upload: UploadedFile, original_name: str) -> str:
    """The upload written under its own directory (so two uploads never share a name); the path
    relative to upload_root(). The listener's file name is kept: a JSON file's name says its format."""
    folder = uuid.uuid4().hex
    name = get_valid_filename(original_name) or "export"
    target = upload_root() / folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return f"{folder}/{name}"


def delete_upload_file(*, relative: str) -> None:
    """The upload's directory under upload_root(), gone (nothing if it already is)."""
    if relative:
        shutil.rmtree(upload_root() / Path(relative).parent, ignore_errors=True)


def discard_upload(*, import_id: int) -> None:
    """Delete a finished import's upload (the run ended: nothing will read it again)."""
    run = HistoryImport.objects.filter(pk=import_id).exclude(status__in=ACTIVE_STATUSES).first()
    if run is None or not run.upload_path:
        return
    delete_upload_file(relative=run.upload_path)
    HistoryImport.objects.filter(pk=import_id).update(upload_path="")
