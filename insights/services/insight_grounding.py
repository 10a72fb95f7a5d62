"""The check a written insight passes before it is stored: its rules beyond the schema
(insight_prompt.validate_answer) and its grounding in the facts block it was written from
(insights.services.grounding). The router runs it on every answer (llm complete_json's
`check`): a refused answer is repaired once, then the next provider is asked."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from analysis.vocabulary import GENRES
from insights.models import ListeningSnapshot, Play
from insights.services.grounding import Facts, GroundingReport, check_grounding, facts_from
from insights.services.insight_prompt import Answer, AnswerInvalid, unplayed_artist_names, validate_answer
from library.models import Artist, PlaylistItem, Track
from llm.services import CheckFailed, LLMResult

# The listener's names looked up per insight: enough for any real library, bounded for a huge one.
VOCABULARY_LIMIT = 20_000


class InsightCheck:
    """Callable by the router: None for a usable answer, else what is wrong with it."""

    def __init__(self, *, snapshot: ListeningSnapshot, facts: dict[str, Any]) -> None:
        self.facts_block = facts
        self.facts: Facts = facts_from(facts)
        self.unplayed = unplayed_artist_names(snapshot=snapshot)
        names, self.artists = listener_vocabulary(snapshot=snapshot)
        self.vocabulary = [*names, *self.facts.names]
        # The last answer this accepted, with its report: the writer stores that one, so it is
        # not validated and grounded a second time.
        self._accepted: tuple[Any, Answer, GroundingReport] | None = None

    def __call__(self, data: Any) -> CheckFailed | None:
        try:
            answer = validate_answer(data, unplayed=self.unplayed)
        except AnswerInvalid as exc:
            return CheckFailed(detail=str(exc), summary="breaks the insight's rules beyond the schema")
        report = self.report(answer)
        if not report.grounded:
            return CheckFailed(detail=report.problem(), summary=report.summary())
        self._accepted = (data, answer, report)
        return None

    def accepted(self, data: Any) -> Answer:
        """The answer `data` holds, as this check accepted it (validated again only if `data` is
        not what it last accepted); AnswerInvalid when it breaks the rules."""
        if self._accepted is None or self._accepted[0] is not data:
            answer = validate_answer(data, unplayed=self.unplayed)
            self._accepted = (data, answer, self.report(answer))
        return self._accepted[1]

    def report(self, answer: Answer) -> GroundingReport:
        texts = [answer.headline, *answer.paragraphs]
        texts += [text for h in answer.highlights for text in (h["label"], h["value"])]
        return check_grounding(texts=texts, facts=self.facts, vocabulary=self.vocabulary, artists=self.artists)

    def record(self, *, answer: Answer, result: LLMResult) -> dict[str, Any]:
        """What is stored with the insight and shown under "Based on": the facts block, the
        names and numbers found in the text and checked against it, who was asked."""
        known = self._accepted is not None and self._accepted[1] is answer
        report = self._accepted[2] if known else self.report(answer)
        return {
            **report.as_json(),
            "facts": self.facts_block,
            "provider": result.provider,
            "attempts": result.attempts,
            "passed_over": [{"provider": name, "why": why} for name, why in result.passed_over],
        }


def listener_vocabulary(*, snapshot: ListeningSnapshot) -> tuple[list[str], list[str]]:
    """(every name an answer could mention: the listener's artists and songs, from their plays,
    playlists and Spotify's top lists, and the genres; their artists' names alone)."""
    user_id = snapshot.user_id
    top_tracks = [e["id"] for e in snapshot.top_tracks or [] if isinstance(e, dict) and e.get("id")]
    top_artists = [
        e["id"] for e in [*(snapshot.top_artists or []), *(snapshot.played_artists or [])]
        if isinstance(e, dict) and e.get("id")
    ]  # fmt: skip
    played = Play.objects.filter(user_id=user_id).values("track_id")
    listed = PlaylistItem.objects.filter(playlist__user_id=user_id, track__isnull=False).values("track_id")
    tracks = Q(pk__in=played) | Q(pk__in=listed) | Q(pk__in=top_tracks)
    track_names = Track.objects.filter(tracks).values_list("name", flat=True).distinct()[:VOCABULARY_LIMIT]
    artist_names = (
        Artist.objects.filter(Q(credits__track__in=Track.objects.filter(tracks)) | Q(pk__in=top_artists))
        .values_list("name", flat=True)
        .distinct()[:VOCABULARY_LIMIT]
    )
    artists = list(artist_names)
    genres = [*GENRES, *(snapshot.genre_distribution or {})]
    return [*artists, *track_names, *genres], artists
