"""describe(): the one sentence a listener reads for each Spotify failure (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from spotify.errors import (
    ReconnectNeeded,
    SpotifyMisconfigured,
    SpotifyRateLimited,
    SpotifyRefused,
    SpotifyUnavailable,
    describe,
)


def test_a_lost_grant_says_where_to_reconnect():
    assert describe(ReconnectNeeded("revoked")) == (
        "Spotify access was revoked or expired: press Reconnect on the dashboard "
        "(sign in with Spotify again)."
    )


def test_a_rate_limit_says_until_when_in_the_servers_time_zone(settings, time_machine):
    settings.TIME_ZONE = "UTC"
    time_machine.move_to(datetime(2026, 3, 1, 13, 55, tzinfo=UTC), tick=False)
    resume_at = datetime(2026, 3, 1, 14, 5, tzinfo=UTC)

    sentence = describe(SpotifyRateLimited(retry_after=600, resume_at=resume_at))

    assert sentence == "Spotify asked us to slow down until 14:05 UTC."


def test_an_app_wide_pause_says_it_is_the_servers_and_names_another_day(settings, time_machine):
    settings.TIME_ZONE = "UTC"
    time_machine.move_to(datetime(2026, 3, 1, 23, 0, tzinfo=UTC), tick=False)
    resume_at = datetime(2026, 3, 2, 14, 5, tzinfo=UTC)

    sentence = describe(SpotifyRateLimited(retry_after=54300, resume_at=resume_at, app_wide=True))

    assert sentence == (
        "Spotify asked this Linernotes server to pause until 14:05 UTC on 2 March "
        "(its quota is shared by every listener)."
    )


def test_a_refusal_quotes_spotifys_status_and_message():
    forbidden = SpotifyRefused(status=403, message="Forbidden")

    assert describe(forbidden) == "Spotify answered HTTP 403 (Forbidden)."
    assert describe(SpotifyRefused(status=404)) == "Spotify answered HTTP 404 (no message)."


def test_an_outage_keeps_what_spotify_answered_and_ends_with_one_full_stop():
    failure = SpotifyUnavailable("Spotify is not answering properly (HTTP 503 on GET /v1/me).")
    token_failure = SpotifyUnavailable("Spotify's token endpoint answered 503")

    assert describe(failure) == "Spotify is not answering properly (HTTP 503 on GET /v1/me)."
    assert describe(token_failure) == "Spotify's token endpoint answered 503."


def test_a_rejected_app_names_the_settings_to_check():
    assert "SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET" in describe(SpotifyMisconfigured("invalid_client"))
