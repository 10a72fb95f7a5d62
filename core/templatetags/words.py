"""`{{ sentence|whole_dates }}`: a sentence made in Python keeps its dates and times on one line.

A browser may break a line after any hyphen, so "2026-12-06 08:06" in a narrow table cell reads
"2026-12- / 06". Sentences such as routing's run summaries are plain text shared with the API, so
the page, not the sentence, marks the date as one word.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# 2026-12-06, optionally with its time (08:06, 08:06:59) and a zone's abbreviation (UTC, CET).
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?(?: [A-Z]{2,5}\b)?)?")


@register.filter
def whole_dates(text: object) -> SafeString:
    escaped = str(conditional_escape(text))
    # Escaping leaves digits, hyphens, colons and capitals alone: the dates are found unchanged.
    return mark_safe(  # built from the escaped text and format_html only
        DATE.sub(lambda found: format_html('<span class="nowrap">{}</span>', found[0]), escaped)
    )
