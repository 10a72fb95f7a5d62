"""Stored deleted playlists brought to what the merge keeps: emptied, the newest 1,000 per listener."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.migrations import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("devices", "0002_move_content_types_and_task_paths")]
AFTER = [("devices", "0003_deleted_playlists_capped_and_emptied")]
AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ITEMS = [{"track": "4uLU6hMCjMI75M1A2tKUQC", "added_at": AT.isoformat()}]


def test_deleted_playlists_lose_their_items_and_only_the_newest_thousand_per_listener_stay():
    old = migrate_to(BEFORE)
    User, AppPlaylist = old.get_model("accounts", "User"), old.get_model("devices", "AppPlaylist")
    crowded, quiet = User.objects.create(username="crowded"), User.objects.create(username="quiet")

    def playlist(user, n: int, *, removed: bool):
        times = dict(
            name_updated_at=AT, description_updated_at=AT, is_public_updated_at=AT, items_updated_at=AT
        )
        removed_at = AT + timedelta(minutes=n) if removed else None
        return AppPlaylist(user=user, local_id=f"p{n}", name=f"P{n}", items=ITEMS, created_at=AT,
                           removed_at=removed_at, **times)  # fmt: skip

    AppPlaylist.objects.bulk_create(
        [playlist(crowded, n, removed=True) for n in range(1_005)]
        + [playlist(crowded, 10_000 + n, removed=False) for n in range(2)]
        + [playlist(quiet, n, removed=True) for n in range(3)]
    )
    try:
        new = migrate_to(AFTER)
        rows = new.get_model("devices", "AppPlaylist").objects

        crowded_deleted = rows.filter(user_id=crowded.pk, removed_at__isnull=False)
        assert crowded_deleted.count() == 1_000
        assert not crowded_deleted.filter(local_id__in=[f"p{n}" for n in range(5)]).exists()  # the oldest
        assert rows.filter(user_id=quiet.pk).count() == 3
        assert not rows.filter(removed_at__isnull=False).exclude(items=[]).exists()
        assert list(rows.filter(removed_at__isnull=True).values_list("items", flat=True)) == [ITEMS, ITEMS]
    finally:
        migrate_to_latest()
