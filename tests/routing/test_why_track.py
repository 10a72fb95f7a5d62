"""Why a track is in a child, or would not be routed: the route's own decision, with its reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from routing.services.preview import PreviewNotPossible
from routing.services.why import TrackNotFound, child_tracks, why_track
from tests.library.factories import PlaylistItemFactory
from tests.routing.why_support import make_world, mirror, song

pytestmark = pytest.mark.django_db

@pytest.fixture
def world():
    return make_world()


def test_a_named_track_gets_each_childs_verdict_with_the_condition_that_decided(world):
    base, tracks, clean, tens = world

    answer = why_track(base=base, query="loud night")

    assert answer.in_base and answer.track_id == tracks["loud"].spotify_id
    by_name = {verdict.name: verdict for verdict in answer.children}
    assert not by_name["Clean"].routed
    assert by_name["Clean"].reason == "The track is not explicit — not met: Spotify marks the track explicit."
    assert by_name["Tens"].routed
    assert by_name["Tens"].reason == "Release year is between 2010 and 2019: released in 2015."
    assert by_name["Tens"].outcome == "A route would add it."
    assert answer.summary == "A route now would send “Loud Night” to “Tens”."


def test_a_track_named_by_its_spotify_link_or_uri_is_found_and_one_already_held_is_kept(world):
    base, tracks, clean, tens = world
    mirror(clean, tracks["calm"])
    track_id = tracks["calm"].spotify_id

    by_link = why_track(base=base, query=f"https://open.spotify.com/track/{track_id}?si=abc")
    by_uri = why_track(base=base, query=f"spotify:track:{track_id}")

    assert by_link.track_id == by_uri.track_id == track_id
    clean_verdict = by_link.children[0]
    assert clean_verdict.routed and clean_verdict.in_child
    assert clean_verdict.outcome == "Already in it (as last imported): a route keeps it."
    assert by_link.children[1].in_child is None  # Tens was never imported


def test_a_one_word_name_as_long_as_an_id_is_still_found_by_its_name(world):
    base = world[0]
    PlaylistItemFactory(playlist=base.playlist, track=song("Supercalifragilistic", year=2011))

    assert why_track(base=base, query="supercalifragilistic").name == "Supercalifragilistic"


def test_first_match_only_says_which_earlier_child_takes_the_track(world):
    base, tracks, clean, tens = world
    base.first_match_only = True
    base.save()

    answer = why_track(base=base, query="Calm Waters")

    assert [verdict.routed for verdict in answer.children] == [True, False]
    assert "goes to “Clean” first" in answer.children[1].reason


def test_a_local_file_is_not_a_song_and_a_catalog_track_outside_the_base_is_not_in_the_base(world):
    base, tracks, clean, tens = world
    outside = song("Elsewhere", year=2012)

    local = why_track(base=base, query="demo tape")
    absent = why_track(base=base, query=outside.spotify_id)

    assert local.children == [] and "is a local file: filters route songs only" in local.summary
    assert not absent.in_base and all(not verdict.routed for verdict in absent.children)
    assert "is not in “Everything”" in absent.summary


@pytest.mark.parametrize(
    "query, message",
    [
        ("", "Name a track"),
        ("   ", "Name a track"),
        ("no such song", "No track of “Everything” (as last imported) is named “no such song”."),
        ("spotify:track:0000000000000000000000", "Linernotes knows no track with that Spotify link or URI."),
        ("https://open.spotify.com/track/0000000000000000000000", "Linernotes knows no track with that Spotify link"),
        ("0000000000000000000000", "No track of “Everything” (as last imported) is named “0000000000000000000000”."),
        ("x" * 301, "at most 300 characters"),
    ],
)
def test_words_that_name_nothing_are_refused_about_the_track_field(world, query, message):
    base = world[0]

    with pytest.raises(TrackNotFound) as refused:
        why_track(base=base, query=query)

    assert message in str(refused.value) and refused.value.body() == {"track": [str(refused.value)]}


def test_a_base_gone_from_the_mirror_cannot_answer(world):
    base = world[0]
    base.playlist = None
    base.save()

    with pytest.raises(PreviewNotPossible):
        why_track(base=base, query="Calm Waters")


def test_a_childs_tracks_each_say_what_sent_them_or_what_the_mode_does_with_them(world):
    base, tracks, clean, tens = world
    stranger = song("Added By Hand", year=2016)
    imported = timezone.now() - timedelta(days=1)
    mirror(clean, tracks["calm"], tracks["loud"], stranger, imported_at=imported)
    clean.routed_at = timezone.now()
    clean.save()

    listed = child_tracks(child=clean)

    assert listed.total == 3 and listed.imported_at == imported and listed.routed_since == clean.routed_at
    calm, loud, by_hand = listed.rows
    assert calm.sent and calm.reason == "The track is not explicit: Spotify does not mark the track explicit."
    assert not loud.sent and loud.reason.startswith("The track is not explicit — not met")
    assert loud.reason.endswith("The next route removes it: a rebuilt child holds only the tracks its filters take.")
    assert not by_hand.sent and by_hand.reason.startswith("It is not in the base “Everything”")


def test_an_add_only_child_keeps_what_its_filters_no_longer_take_and_an_unimported_child_lists_nothing(world):
    base, tracks, clean, tens = world
    assert child_tracks(child=tens).rows == [] and child_tracks(child=tens).imported_at is None
    mirror(tens, tracks["old"])

    (old,) = child_tracks(child=tens).rows

    assert not old.sent and old.reason == (
        "Release year is between 2010 and 2019 — not met: released in 1990. "
        "It stays: an add-only child never loses tracks."
    )
