"""Insights in Chromium, on real clusters, the Spotify sandbox and the LLM sandbox: take a snapshot
with "Ingest now", read it in every range, and have an insight written by the LLM."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.brokers import get_broker

from core.queues import BULK, INTERACTIVE, cluster_name
from insights.models import ListeningSnapshot, Play, TimeRange
from llm.models import ProviderKind
from tests.browser.flows import in_progress_flashes, sign_in_through_consent_page, wait_for_import_card
from tests.fixtures.cluster import sandbox_cluster_env
from tests.fixtures.llm_sandbox import PRIMARY_MODEL
from tests.llm.factories import ProviderFactory

pytestmark = pytest.mark.cluster

INGEST_TIMEOUT = 120.0
INSIGHT_TIMEOUT = 90.0


def test_a_listener_takes_a_snapshot_reads_every_range_and_has_an_insight_written(
    browser, sandbox, fresh_llm_sandbox, start_qcluster
):
    # The provider is a database row, which the bulk cluster reads.
    ProviderFactory(
        name="primary", kind=ProviderKind.OPENAI, base_url=fresh_llm_sandbox.openai_url("primary"),
        model=PRIMARY_MODEL, read_timeout=10.0,
    )  # fmt: skip
    # The listener goes on listening up to the sandbox's clock, which started from this run's own
    # (no fixed date): their newest plays are hours old, not a day, so every range has some.
    sandbox.configure(live_listening=True)
    assert timezone.now() - timedelta(hours=12) < sandbox.now() <= timezone.now()
    env = sandbox_cluster_env(sandbox)
    start_qcluster(env=env, queues=(INTERACTIVE,))
    listener = sign_in_through_consent_page(browser, steps=False)
    wait_for_import_card(browser)
    # The import queued the analysis of its 12,000 songs and a snapshot in the bulk queue: this flow
    # takes the snapshot itself, and leaves the analyses out (they would keep the LLM sandbox and
    # both cores busy for minutes).
    get_broker(cluster_name(BULK)).purge_queue()
    start_qcluster(env=env, queues=(BULK,))

    browser.click(browser.link("Insights", within=".site-header"))
    browser.wait_for_text("No snapshot yet")
    browser.step("insights, no snapshot yet")
    browser.click(browser.button("Ingest now"))
    browser.wait_for_text("Reading your listening from Spotify")
    browser.step("insights, ingest asked for")

    def snapshot_shown() -> bool:
        if "Snapshot of" in browser.text("main"):
            return True
        time.sleep(1.5)
        browser.open("/insights/")  # as the page says: reload it in a minute
        return False

    browser.wait_for(snapshot_shown, timeout=INGEST_TIMEOUT, message="the snapshot")
    assert set(ListeningSnapshot.objects.filter(user=listener).values_list("time_range", flat=True)) == set(
        TimeRange.values
    )
    # Sessions at most eight hours apart, up to now.
    newest = Play.objects.filter(user=listener).latest("played_at").played_at
    assert newest > timezone.now() - timedelta(hours=9)

    for value, label in TimeRange.choices:
        snapshot = ListeningSnapshot.objects.get(user=listener, time_range=value)
        # Each tab names its range and the plays its snapshot counts.
        tab_text = f"{label} · {snapshot.play_count} play" + ("" if snapshot.play_count == 1 else "s")
        browser.click(browser.link(tab_text, within="nav.range-tabs"))
        browser.wait_for(lambda value=value: f"range={value}" in browser.path, message=f"the {label} tab")
        current = browser.find("nav.range-tabs a[aria-current=page]")
        assert current.text == tab_text
        assert snapshot.play_count > 0, f"no plays in the {label} range"
        main = browser.text("main")
        assert f"{snapshot.play_count} plays counted" in main and "No plays counted" not in main
        assert not browser.find_all("#no-plays")
        # The charts drawn from those plays: the top artists by plays, and when they were heard.
        assert browser.find_all("ol.bars.artists li"), f"no top artists by plays in the {label} range"
        heat = browser.find(".heatmap")
        assert heat.is_displayed() and heat.size["height"] > 0
        cells = browser.find_all(".heatmap .heat-cell")
        assert any(not cell.get_attribute("title").endswith("· 0 plays") for cell in cells), (
            f"an empty heatmap in the {label} range"
        )
        browser.step(f"insights, {label}")

    card = "#insight-wellness"
    assert "Not written yet" in browser.text(card)
    browser.choose(f"{card} select[name=tone]", label="Supportive")
    browser.click(browser.button("Generate", within=card))
    # Written on the bulk cluster; the page, served at once, shows it being written (unless the
    # LLM sandbox was quicker than the page).
    browser.wait_for(
        lambda: (
            "Writing your wellness insight" in browser.text(card)
            or browser.find_all(f'{card} [data-role="written-by"]')
        ),
        message="the insight under way",
    )
    browser.step("insights, an insight being written", narrow=False)
    # The card polls the insight and swaps itself for the written one.
    browser.wait_for(
        lambda: browser.find_all(f'{card} [data-role="written-by"]'),
        timeout=INSIGHT_TIMEOUT,
        message="the insight",
    )
    # The listener reads the tone and the day; which model wrote it waits behind "Details".
    written = browser.text(card)
    assert "Supportive · written " in written and PRIMARY_MODEL not in written
    browser.click(browser.find(f"{card} details.figures summary"))
    written_by = browser.text(f'{card} [data-role="written-by"]')
    assert f"Supportive · written by primary ({PRIMARY_MODEL})" in written_by
    # On request, what it is based on: the facts the model was given and what was checked.
    browser.click(browser.find(f"{card} details.based-on summary"))
    based_on = browser.text(f'{card} [data-role="based-on"]')
    assert "checked against these facts" in based_on and "Numbers checked:" in based_on, based_on
    assert browser.text(f"{card} .insight-headline")
    assert fresh_llm_sandbox.requests_to("primary") >= 1
    # The artist the insight says led the listening is the chart's first (by plays), never
    # Spotify's #1 without a play; with no plays the insight names no leader.
    chart_first = browser.driver.execute_script(
        "var label = document.querySelector('ol.bars.artists .bar-label');"
        "return label ? label.firstChild.textContent.trim() : null;"
    )
    led = re.search(r"(?:^|, )([^,.]+?) led your listening with \d+ play", written, re.MULTILINE)
    if chart_first is None:
        assert led is None and "no play of your top artists is recorded" in written
    else:
        assert led is not None and led.group(1) == chart_first, (chart_first, written)
    # The card says it is written; no flash above it still says it is being written.
    assert not browser.find_all(f'{card} [data-role="progress"]')
    assert in_progress_flashes(browser) == []
    browser.step("insights, an insight written")
