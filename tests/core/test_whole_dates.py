"""`whole_dates`: a sentence's dates and times are kept on one line, and the rest is escaped."""

from __future__ import annotations

from django.template import Context, Template


def _render(sentence: str) -> str:
    return Template("{% load words %}{{ sentence|whole_dates }}").render(Context({"sentence": sentence}))


def test_a_date_with_its_time_and_zone_is_one_unbreakable_word():
    assert _render("Completed 2026-12-06 08:06 UTC: 3 tracks.") == (
        'Completed <span class="nowrap">2026-12-06 08:06 UTC</span>: 3 tracks.'
    )


def test_a_date_alone_and_a_sentence_without_one():
    assert _render("fetched 2025-03-01, twice") == 'fetched <span class="nowrap">2025-03-01</span>, twice'
    assert _render("1 child routed, 96 tracks added") == "1 child routed, 96 tracks added"


def test_the_rest_of_the_sentence_is_escaped():
    assert _render('<b>"Road"</b> 2025-03-01') == (
        '&lt;b&gt;&quot;Road&quot;&lt;/b&gt; <span class="nowrap">2025-03-01</span>'
    )
