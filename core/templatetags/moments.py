"""`{{ moment|ago }}`: how long ago something happened, in the words the staff pages use.

Django's `timesince` counts whole minutes, so `{{ x|timesince }} ago` reads "0 minutes ago"
for anything in the last minute; a reader says "just now".
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()

JUST_NOW = timedelta(minutes=1)


def ago_words(moment: datetime, *, now: datetime) -> str:
    # A moment slightly in the future (another process's clock) is "just now" too, not "0 minutes".
    if now - moment < JUST_NOW:
        return "just now"
    return f"{timesince(moment, now)} ago"


@register.filter
def ago(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return ago_words(moment, now=timezone.now())
