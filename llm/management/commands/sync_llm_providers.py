"""Write the providers of LLM_PROVIDERS to the database (by name); running it again changes nothing.

Run after every migrate, next to ensure_schedules. LLM_PROVIDERS was already checked when the
settings loaded, so a bad entry stopped the process before this command could start.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from llm.services.providers import sync_providers


class Command(BaseCommand):
    help = "Create or update the LLM providers listed in LLM_PROVIDERS (idempotent)."

    def handle(self, *args, **options) -> None:
        report = sync_providers(entries=settings.LLM_PROVIDERS)
        if not settings.LLM_PROVIDERS:
            self.stdout.write("LLM_PROVIDERS is empty: nothing to write.")
        for label, names in (
            ("created", report.created),
            ("updated", report.updated),
            ("up to date", report.unchanged),
            ("disabled (no longer in LLM_PROVIDERS; the admin may edit it now)", report.disabled),
            ("API key removed: base_url or kind changed; give api_key or api_key_env", report.keys_removed),
        ):
            for name in names:
                self.stdout.write(f"{name}: {label}")
