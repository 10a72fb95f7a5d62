"""A kid-safe child ("content rating at most clean") routed from a base holding a Spotify-explicit
track stays clean: with a planted lyric that tells the model to rate the song clean and a model
that obeys it, on the live Spotify and LLM sandboxes, the child's contents read back from Spotify
itself. And a stored "clean" the flag contradicts (an analysis older than Spotify's marking) is
not believed by the filter either."""

from __future__ import annotations

import pytest

from analysis.models import SongAnalysis
from analysis.services.analysis import Outcome, analyse_track
from core.runs import RunStatus
from library.models import PlaylistItem, Track
from routing.services.preview import preview_route
from tests.analysis.factories import SongAnalysisFactory
from tests.analysis.fixtures import analysis_llm  # noqa: F401  (a fixture)
from tests.analysis.test_content_safety import INJECTION, OBEDIENT, plant
from tests.routing.route_support import SpotifyAs, add_child, imported_base, route

pytestmark = pytest.mark.django_db

KID_SAFE = {"match": "all", "conditions": [{"field": "content_rating", "op": "at_most", "value": "clean"}]}


def one_of_each(base) -> tuple[Track, Track]:
    """An explicit track of the base and one Spotify does not mark."""
    tracks = Track.objects.filter(
        pk__in=PlaylistItem.objects.filter(playlist=base.playlist, kind="track").values("track_id")
    ).order_by("pk")
    return tracks.filter(explicit=True).first(), tracks.filter(explicit=False).first()


def test_a_planted_lyric_and_an_obedient_model_never_put_an_explicit_track_in_a_clean_child(
    sandbox, settings, analysis_llm
):
    _, base = imported_base(sandbox, settings)
    explicit, tame = one_of_each(base)
    plant(analysis_llm.sandbox, INJECTION)  # the explicit track's lyrics on LRCLIB
    analysis_llm.sandbox.fault(provider="primary", kind="answer", content=OBEDIENT, count=2)
    assert analyse_track(track_id=explicit.pk, worker="w1") == Outcome.ANALYSED
    assert analyse_track(track_id=tame.pk, worker="w1") == Outcome.ANALYSED
    child = add_child(sandbox, base, name="Kid safe", filters=KID_SAFE)

    preview = preview_route(base=base, read_children=False, draft_filters=KID_SAFE)
    run = route(base)

    assert SongAnalysis.objects.get(track=explicit).content_rating == "explicit"
    assert preview.draft.matching == 1
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert SpotifyAs(sandbox).track_ids(child.spotify_id) == [tame.pk]  # the only clean analysed track


def test_a_stored_clean_rating_of_a_spotify_explicit_track_is_not_believed_by_the_filter(sandbox, settings):
    _, base = imported_base(sandbox, settings)
    explicit, tame = one_of_each(base)
    # As an analysis made before Spotify marked the track, not yet raised by the owner's next import.
    SongAnalysisFactory(track=explicit, content_rating="clean")
    SongAnalysisFactory(track=tame, content_rating="clean")
    child = add_child(sandbox, base, name="Kid safe", filters=KID_SAFE)
    only_explicit = {**KID_SAFE, "conditions": [{"field": "content_rating", "op": "is", "value": "explicit"}]}
    explicit_only = add_child(sandbox, base, name="Explicit", filters=only_explicit)

    run = route(base)

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert SpotifyAs(sandbox).track_ids(child.spotify_id) == [tame.pk]
    assert SpotifyAs(sandbox).track_ids(explicit_only.spotify_id) == [explicit.pk]
