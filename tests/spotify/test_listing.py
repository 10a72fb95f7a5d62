"""When a listing of the user's playlists counts as complete (pure: a stand-in for spotipy's pages)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from spotify.reader import SpotifyReader


def _reader(*pages: dict) -> SpotifyReader:
    """A reader whose client serves these pages in order, linked by `next`."""
    chain = [dict(page, next=f"page-{n + 1}" if n + 1 < len(pages) else None) for n, page in enumerate(pages)]
    api = SimpleNamespace(
        current_user_playlists=lambda limit, offset: chain[0],
        next=lambda page: chain[int(page["next"].split("-")[1])],
        prefix="http://spotify.invalid/v1/",
    )
    return SpotifyReader(client=SimpleNamespace(api=api), mode="development")


def _page(total: int, *ids: str | None) -> dict:
    return {"total": total, "items": [{"id": pid} if pid else None for pid in ids]}


@pytest.mark.parametrize(
    ("pages", "complete"),
    [
        ([_page(3, "a", "b"), _page(3, "c")], True),
        ([_page(0)], True),
        ([_page(3, "a", "b"), _page(2, "c")], False),  # one unfollowed between pages: the total moved
        ([_page(3, "a", None), _page(3, "c")], False),  # a null entry
        ([_page(3, "a", "b"), _page(3, "b")], False),  # "b" moved down a page, "c" skipped: same total
        ([_page(4, "a", "b"), _page(4, "c")], False),  # short of the total
    ],
)
def test_a_listing_is_complete_only_when_every_entry_is_a_distinct_playlist_adding_up_to_a_steady_total(
    pages, complete
):
    listing = _reader(*pages).playlists()
    assert listing.complete is complete
    assert [obj["id"] for obj in listing.playlists] == [
        row["id"] for page in pages for row in page["items"] if row
    ]
