"""`{% connection_card %}`: the dashboard's Spotify card, so accounts' dashboard view needs no
import of spotify or library (accounts sits below both; a template may compose upward).

It shows what is stored, never asks Spotify: the connection's state as the last request left it
(a revoked grant or a rate limit is recorded by whichever request met it, the token refresh
every 30 minutes included) and the mirror's totals as the last import left them. A page that
answers on every load must not spend the listener's share of the app's Spotify quota.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from accounts import selectors as account_selectors
from library import selectors as library_selectors

register = template.Library()


@register.inclusion_tag("spotify/_connection_card.html", takes_context=True)
def connection_card(context: template.Context) -> dict:
    user = context["request"].user
    return {
        "state": account_selectors.get_connection_state(user=user),
        "totals": library_selectors.get_library_totals(user=user),
        # A pause ending another day names the day too.
        "now_date": timezone.localdate().isoformat(),
        # The reconnect button is a POST form: it needs the page's CSRF token.
        "csrf_token": context.get("csrf_token"),
    }
