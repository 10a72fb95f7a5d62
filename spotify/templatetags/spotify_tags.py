"""`{% connection_card %}`: the dashboard's Spotify card, so accounts' dashboard view needs no
import of the Spotify client (accounts sits below spotify; a template may compose upward)."""

from __future__ import annotations

from django import template

from accounts import selectors as account_selectors
from spotify import selectors

register = template.Library()


@register.inclusion_tag("spotify/_connection_card.html", takes_context=True)
def connection_card(context: template.Context) -> dict:
    user = context["request"].user
    state = account_selectors.get_connection_state(user=user)
    probe = selectors.probe_playlists(user=user) if state.can_call_spotify else None
    if probe is not None and (probe.reconnect_needed or probe.rate_limited_until):
        # The probe just learnt something the stored state did not know yet.
        state = account_selectors.get_connection_state(user=user)
    # The reconnect button is a POST form: it needs the page's CSRF token.
    return {"state": state, "probe": probe, "csrf_token": context.get("csrf_token")}
