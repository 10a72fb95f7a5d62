"""Django-Q entry points."""

from __future__ import annotations

from core.jobs import job
from llm.services.health import check_providers, prune_calls


@job(label="LLM health check")
def check_llm_providers() -> dict[str, bool]:
    """Every 5 minutes (ensure_schedules): probe the providers, re-admit those that are back,
    and drop call records past their retention. Returns {name: ok} for the task's result."""
    results = check_providers()
    prune_calls()
    return {result.provider: result.ok for result in results}
