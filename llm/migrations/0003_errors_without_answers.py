"""Stored errors lose the provider answers they quoted.

Until now an error kept up to 300 characters of what a provider answered ("HTTP 401: <body>",
"Unreadable answer: <text>", "The job ended 'X': <error>", a schema message quoting the model's
value), and the admin and /staff/llm/ showed them: whoever pointed a provider at an internal
address could read that address's answer there. From now on errors carry the status and our
own words only (llm.services.clients); this rewrites the rows written before, keeping what was
ours: the status, the kind of failure, where in the answer a schema broke.

Self-contained (no import of app code), like every data migration here.
"""

from __future__ import annotations

import http
import re

from django.db import migrations

HTTP_STATUS = re.compile(r"HTTP (\d{3}): .*", re.S)
SCHEMA_BREACH = re.compile(r"(\$[^:]{0,100}|the document): .*", re.S)
REPAIR = "Answer still invalid after one repair: "
HEALTH = "Health check: "


def _status(code: str) -> str:
    try:
        return f"HTTP {code} ({http.HTTPStatus(int(code)).phrase})."
    except ValueError:
        return f"HTTP {code}."


def scrub(error: str) -> str:
    """`error` with whatever a provider wrote taken out; unchanged when it quoted nothing."""
    prefix = ""
    for mark in (HEALTH, REPAIR):
        if error.startswith(mark):
            prefix, error = prefix + mark, error[len(mark) :]
    if match := HTTP_STATUS.fullmatch(error):
        return prefix + _status(match.group(1))
    if error.startswith("Unreadable answer: "):
        return f"{prefix}Unreadable answer."
    if error.startswith("The job ended "):
        return f"{prefix}The job ended in an unknown state."
    if not error.startswith("not valid JSON") and (match := SCHEMA_BREACH.fullmatch(error)):
        return f"{prefix}{match.group(1)}: breaks the schema"
    return prefix + error


def forwards(apps, schema_editor) -> None:
    for model, field in (("ProviderHealth", "last_error"), ("LLMCall", "error")):
        rows = apps.get_model("llm", model).objects.exclude(**{field: ""})
        changed = []
        for row in rows.only("pk", field).iterator(chunk_size=2000):
            cleaned = scrub(getattr(row, field))
            if cleaned != getattr(row, field):
                setattr(row, field, cleaned)
                changed.append(row)
            if len(changed) >= 2000:
                rows.model.objects.bulk_update(changed, [field])
                changed = []
        rows.model.objects.bulk_update(changed, [field])


class Migration(migrations.Migration):
    dependencies = [("llm", "0002_provider_json_mode")]

    # Backwards: nothing to restore (what was taken out is what must not be shown).
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
