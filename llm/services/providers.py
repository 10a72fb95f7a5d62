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
    # Pointed at another base_url or kind without an api_key in the entry: the stored key went.
    keys_removed: list[str] = field(default_factory=list)


def sync_providers(*, entries: list[dict]) -> SyncReport:
    """Upsert `entries` (validated by config.env.llm_providers) by name.

    An entry without api_key keeps the stored key while base_url and kind stay the same; one
    that moves the provider elsewhere drops it (a key belongs to the server it was given for).
    Such providers are read-only in the admin, so their key comes from the entry.
    Providers that came from the environment and are no longer listed are disabled, not
    deleted, and handed back to the admin: their call history stays, and staff may edit and
    enable them again.
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
            had_key = provider.api_key is not None
            if "api_key" in entry:
                if (provider.api_key or None) != (entry["api_key"] or None):
                    changed.append("api_key")
                provider.set_api_key(entry["api_key"])
            if not provider.from_environment:
                provider.from_environment = True
                changed.append("from_environment")
            for key in changed:
                if key in values:
                    setattr(provider, key, values[key])
            if changed:
                if had_key and "api_key" not in entry and provider.endpoint_moved:
                    report.keys_removed.append(entry["name"])
                provider.save(update_fields=[*changed, "updated_at"])
                report.updated.append(entry["name"])
            else:
                report.unchanged.append(entry["name"])
        gone = Provider.objects.filter(from_environment=True).exclude(
            name__in=[entry["name"] for entry in entries]
        )
        report.disabled = sorted(gone.values_list("name", flat=True))
        gone.update(enabled=False, from_environment=False)
    return report
