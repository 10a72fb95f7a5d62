"""Providers from the LLM_PROVIDERS setting, written to the database by name.

A management command (`sync_llm_providers`), not a post-migrate hook: it runs once per deploy
where the operator puts it (after migrate, next to ensure_schedules), prints what it did, and
never fires inside test databases or for an unrelated app's migration.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from llm.models import JsonMode, Provider

# What an entry may leave out, and the value it then gets: the environment describes the
# whole provider, so an entry that drops a key goes back to the default.
DEFAULTS = {
    "priority": 100,
    "enabled": True,
    "connect_timeout": 5.0,
    "read_timeout": 120.0,
    "max_tokens": 1024,
    "json_mode": JsonMode.JSON_SCHEMA,
}


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)


def sync_providers(*, entries: list[dict]) -> SyncReport:
    """Upsert `entries` (validated by config.env.llm_providers) by name.

    An entry without api_key keeps the stored key, so a key may be set in the admin only.
    Providers that came from the environment and are no longer listed are disabled, not
    deleted: their call history stays, and an admin can enable them again.
    """
    report = SyncReport()
    with transaction.atomic():
        for entry in entries:
            values = {**DEFAULTS, **{k: v for k, v in entry.items() if k not in {"name", "api_key"}}}
            provider = Provider.objects.select_for_update().filter(name=entry["name"]).first()
            if provider is None:
                Provider.objects.create(
                    name=entry["name"], api_key=entry.get("api_key") or None, from_environment=True, **values
                )
                report.created.append(entry["name"])
                continue
            changed = [key for key, value in values.items() if getattr(provider, key) != value]
            if "api_key" in entry and (provider.api_key or None) != (entry["api_key"] or None):
                provider.api_key = entry["api_key"] or None
                changed.append("api_key")
            if not provider.from_environment:
                provider.from_environment = True
                changed.append("from_environment")
            for key in changed:
                if key in values:
                    setattr(provider, key, values[key])
            if changed:
                provider.save(update_fields=[*changed, "updated_at"])
                report.updated.append(entry["name"])
            else:
                report.unchanged.append(entry["name"])
        gone = Provider.objects.filter(from_environment=True, enabled=True).exclude(
            name__in=[entry["name"] for entry in entries]
        )
        report.disabled = sorted(gone.values_list("name", flat=True))
        gone.update(enabled=False)
    return report
