"""`{% import_card %}`: the dashboard's import card, and after it the next steps once an import has
completed, so accounts' dashboard view needs no import of sync."""

from __future__ import annotations

from django import template

from sync import selectors
from sync.display import describe_event

register = template.Library()


@register.inclusion_tag("sync/_import_card.html", takes_context=True)
def import_card(context: template.Context) -> dict:
    overview = selectors.get_import_overview(user=context["request"].user)
    latest = overview.latest
    return {
        "overview": overview,
        "latest": latest,
        "summary": describe_event(latest) if latest is not None else "",
        "csrf_token": context.get("csrf_token"),
    }
