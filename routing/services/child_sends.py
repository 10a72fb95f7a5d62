"""A planned change of a child playlist (routing.services.child_writes) sent to Spotify: the
child's backup committed first, then the writes in order, each counted as it is accepted, so a
failure part-way still says what the child got. Routes, restores and duplicate removals all
write through here: no write to a playlist without its backup in the same run."""

from __future__ import annotations

from collections.abc import Callable

from routing.models import ChildPlaylist
from routing.services import backups
from routing.services.base_reads import RETRY_HINT
from routing.services.child_reads import ChildContents, ChildReader
from routing.services.child_writes import ChildChange, Write, simulate
from routing.services.route_state import RouteLedger
from spotify import api
from spotify.client import SpotifyClient
from spotify.runs import spotify_step


def write_child(
    *,
    client: SpotifyClient,
    ledger: RouteLedger,
    reader: ChildReader,
    user_id: int,
    child: ChildPlaylist | None,
    spotify_id: str,
    name: str,
    contents: ChildContents,
    change: ChildChange,
    on_snapshot: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Back the child up (committed first), then make `change`'s writes; returns what was written.

    The same for routes and restores: no write to a child without its backup in this run.
    `on_snapshot` hears the playlist's snapshot_id after each write Spotify accepted.
    """
    writes = {"added": 0, "removed": 0, "write_requests": 0, "requests": 0}
    if not change.writes:
        return writes
    backups.record_backup(
        run_id=ledger.event_id,
        user_id=user_id,
        child=child,
        spotify_id=spotify_id,
        name=name,
        contents=contents,
    )
    before = client.stats.requests
    snapshot = send_writes(
        client=client,
        spotify_id=spotify_id,
        name=name,
        change=change,
        writes=writes,
        on_failure=lambda: ledger.record_child_writes(
            spotify_id=spotify_id, writes={**writes, "requests": client.stats.requests - before}
        ),
        on_snapshot=on_snapshot,
    )
    if snapshot:
        # The real rows (local files as they are), as the next run's backup must hold them.
        reader.remember(
            spotify_id=spotify_id, snapshot_id=snapshot, uris=simulate(contents.uris, change.writes)
        )
    writes["requests"] = client.stats.requests - before
    return writes


def send_writes(
    *,
    client: SpotifyClient,
    spotify_id: str,
    name: str,
    change: ChildChange,
    writes: dict[str, int],
    on_failure: Callable[[], None],
    on_snapshot: Callable[[str], None] | None = None,
) -> str | None:
    """Send `change`'s writes in order, counting into `writes`; returns the last snapshot_id.

    On a failure `on_failure()` records what the child got before it, then the failure goes
    on as a RunStepFailed naming the child.
    """
    snapshot = None
    with spotify_step(f"Could not update the child playlist “{name}”", hint=RETRY_HINT):
        try:
            for write in change.writes:
                sent = _send(client=client, playlist_id=spotify_id, write=write)
                snapshot = sent or snapshot
                if sent and on_snapshot is not None:
                    on_snapshot(sent)
                writes["write_requests"] += 1
                _count(writes, write, change)
        except Exception:
            on_failure()
            raise
    return snapshot


def _send(*, client: SpotifyClient, playlist_id: str, write: Write) -> str | None:
    """One planned write as its Spotify call; the playlist's new snapshot_id."""
    if write.move is not None:
        start, before = write.move
        return api.move_item(client=client, playlist_id=playlist_id, range_start=start, insert_before=before)
    if write.method == "POST":
        return api.add_items(client=client, playlist_id=playlist_id, uris=write.uris, position=write.position)
    if write.method == "DELETE":
        return api.remove_items(client=client, playlist_id=playlist_id, uris=write.uris)
    return api.replace_items(client=client, playlist_id=playlist_id, uris=write.uris)


def _count(writes: dict[str, int], write: Write, change: ChildChange) -> None:
    """What one write did, so a failure part-way still says what the child got."""
    replaced = change.writes[0].method == "PUT" and change.writes[0].move is None
    if write.move is not None:
        writes["moved"] = writes.get("moved", 0) + 1
    elif write is change.writes[0] and replaced:  # one PUT replaced everything (the rest follows it)
        writes["added"] += len(change.additions)
        writes["removed"] += len(change.removals)
    elif replaced:
        return  # the rest of a list a PUT replaced: counted with the PUT
    elif write.method == "POST":
        writes["added"] += len(write.uris)
    elif write.method == "DELETE":
        writes["removed"] += len(write.uris)
