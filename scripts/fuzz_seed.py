"""What the fuzzed server holds before schemathesis starts (scripts/fuzz_api.py): a listener of some
weeks and a staff member, each with an API token.

Runs in the harness's own process with the server's environment, before the server starts. The
listener is signed in against the Spotify sandbox and imported as after a sign-in; a base with
two children (one of their playlists, one made on Spotify) is routed once, so there are runs and
backups to read; a snapshot with written insights, song analyses and a device library complete
the picture. Everything goes through the services where a service does it, straight to the
database where only a background task would (analyses, insights: no LLM is asked here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

FUZZ_CHILD_FILTERS = {"match": "all", "conditions": []}


BASES = 3  # the fuzzer deletes some (DELETE with a real id) before it is done with the others


@dataclass
class Identity:
    name: str  # "listener" or "staff"
    username: str
    token: str


@dataclass
class Seeded:
    identities: list[Identity]
    # Real values for schemathesis to mix into what it generates (its "dictionaries"), so cases
    # reach the listener's objects rather than only 404s: parameter name → values.
    known: dict[str, list]


def api_token(*, user) -> str:
    """An API token for `user`, as a script would hold one. The harness makes tokens only here,
    so a change of token scheme is a change of this function alone (per-device hashed tokens)."""
    from accounts.services import create_api_token

    return create_api_token(user=user, name="fuzz")[1]


def seed(*, grant: dict) -> Seeded:
    """The listener (from the sandbox `grant` of its demo user) and a staff member; their tokens."""
    listener = _signed_in_listener(grant=grant)
    _import_library(user=listener)
    owned = _owned_playlists(user=listener)
    for number in range(BASES):
        _route_a_base(user=listener, base=owned[2 * number], child=owned[2 * number + 1])
    _written_insights(user=listener)
    _song_analyses(user=listener)
    staff = _staff_member()
    identities = [
        Identity(name="listener", username=listener.username, token=api_token(user=listener)),
        Identity(name="staff", username=staff.username, token=api_token(user=staff)),
    ]
    return Seeded(identities=identities, known=_known_values(user=listener))


def _known_values(*, user) -> dict[str, list]:
    from core.models import JobRecord
    from insights.models import GeneratedInsight, ListeningSnapshot
    from library.models import Playlist, PlaylistItem
    from routing.models import BasePlaylist, ChildBackup, ChildPlaylist, RouteRun
    from sync.models import SyncEvent

    def ids(model, **scope) -> list[int]:
        return list(model.objects.filter(**scope).order_by("pk").values_list("pk", flat=True)[:20])

    snapshots = ids(ListeningSnapshot, user=user)
    playlists = ids(Playlist, user=user)
    every_id = (
        ids(BasePlaylist, user=user)
        + ids(ChildPlaylist, user=user)
        + ids(GeneratedInsight, user=user)
        + ids(SyncEvent, user=user)
        + ids(ChildBackup, run__user=user)
        + snapshots
        + playlists
    )
    tracks = PlaylistItem.objects.filter(playlist__user=user, track__isnull=False).values_list("track_id", flat=True)
    tasks = JobRecord.objects.filter(user=user).exclude(task_id="").values_list("task_id", flat=True)
    return {
        "id": sorted(set(every_id)),
        "run_id": ids(RouteRun, user=user),
        "spotify_id": sorted(set(tracks[:20])),
        "task_id": list(tasks[:20]),
        "snapshot": snapshots,
        "playlist": playlists,
    }


def _owned_playlists(*, user) -> list:
    from accounts.selectors import get_credential
    from library.models import ItemsStatus, Playlist, PlaylistKind

    return list(
        Playlist.objects.filter(
            user=user,
            kind=PlaylistKind.PLAYLIST,
            items_status=ItemsStatus.AVAILABLE,
            owner_spotify_id=get_credential(user=user).spotify_user_id,
        ).order_by("-items_total", "pk")[: 2 * BASES]
    )


def _signed_in_listener(*, grant: dict):
    from accounts.credentials import store_spotify_grant
    from accounts.models import User

    user, _ = User.objects.get_or_create(username="fuzz-listener", defaults={"display_name": "Fuzz Listener"})
    store_spotify_grant(user=user, grant=grant, spotify_user_id="demo")
    return user


def _import_library(*, user) -> None:
    """The first import after a sign-in, run here rather than on a cluster (none runs)."""
    from core.runs import RunStatus
    from sync.models import ImportScope, SyncEvent, SyncKind
    from sync.services.importer import run_import

    event = SyncEvent.objects.create(kind=SyncKind.IMPORT, user=user, scope=ImportScope.FULL, trigger="fuzz")
    event = run_import(event_id=event.pk)
    if event.status != RunStatus.SUCCEEDED:
        raise SystemExit(f"the seeding import ended {event.status}: {event.error}")


def _route_a_base(*, user, base, child) -> None:
    """`base` a base with two children (`child`, and one made on Spotify), routed once: its run,
    its children's backups."""
    from core.runs import RunStatus
    from routing.services.route import run_route
    from routing.services.setup import add_child_playlist, create_base_playlist
    from routing.services.spotify_children import create_child_on_spotify
    from routing.services.triggers import request_route

    base = create_base_playlist(user=user, playlist=base)
    add_child_playlist(
        base=base, spotify_id=child.spotify_id, name=child.name, mode="add_only", filters=FUZZ_CHILD_FILTERS
    )
    create_child_on_spotify(base=base, name="Fuzzed child", mode="rebuild", filters=FUZZ_CHILD_FILTERS)
    run, _ = request_route(base=base, trigger="fuzz")
    run = run_route(run_id=run.pk)
    if run is None or run.status != RunStatus.SUCCEEDED:
        raise SystemExit(f"the seeding route ended {getattr(run, 'status', None)}: {getattr(run, 'error', '')}")


def _written_insights(*, user) -> None:
    """A snapshot and its insights, written a day ago (so regenerating one is allowed once)."""
    from django.utils import timezone

    from core.runs import RunStatus
    from insights.models import GeneratedInsight, InsightKind, InsightTone, ListeningSnapshot, TimeRange
    from insights.services.insight_writer import PROMPT_VERSION
    from library.models import PlaylistItem

    now = timezone.now()
    tracks = list(
        PlaylistItem.objects.filter(playlist__user=user, track__isnull=False)
        .values_list("track_id", flat=True)
        .distinct()[:20]
    )
    snapshot = ListeningSnapshot.objects.create(
        user=user,
        snapshot_date=(now - timedelta(days=1)).date(),
        time_range=TimeRange.values[0],
        top_tracks=[{"id": t, "rank": n + 1, "plays": 20 - n} for n, t in enumerate(tracks)],
        play_count=120,
        hour_of_day=[5] * 24,
    )
    GeneratedInsight.objects.bulk_create(
        GeneratedInsight(
            user=user,
            snapshot=snapshot,
            kind=kind,
            tone=tone,
            prompt_version=PROMPT_VERSION,
            status=RunStatus.SUCCEEDED,
            headline="You listen most in the evening",
            paragraphs=["Your evenings are for long playlists."],
            highlights=[{"label": "Top mood", "value": "calm"}],
            provider="fuzz",
            model="fuzz-model",
            generation=1,
            generated_at=now - timedelta(days=1),
        )
        for kind in InsightKind.values
        for tone in InsightTone.values[:1]
    )


def _song_analyses(*, user) -> None:
    from analysis.models import LyricsStatus, SongAnalysis
    from analysis.services.analysis import PROMPT_VERSION
    from library.models import PlaylistItem

    tracks = (
        PlaylistItem.objects.filter(playlist__user=user, track__isnull=False)
        .values_list("track_id", flat=True)
        .distinct()[:30]
    )
    SongAnalysis.objects.bulk_create(
        [
            SongAnalysis(
                track_id=track_id,
                prompt_version=PROMPT_VERSION,
                mood="calm",
                energy=0.4,
                themes=["night"],
                genres=["pop"],
                content_rating="clean",
                language="en",
                summary="A song about the city at night.",
                confidence=0.8,
                provider="fuzz",
                model="fuzz-model",
                lyrics_status=LyricsStatus.FOUND,
            )
            for track_id in tracks
        ],
        ignore_conflicts=True,
    )


def _staff_member():
    """Staff with the LLM app's permissions (the staff API's), no Spotify connection."""
    from django.contrib.auth.models import Permission

    from accounts.models import User

    staff, _ = User.objects.get_or_create(
        username="fuzz-staff", defaults={"display_name": "Fuzz Staff", "is_staff": True}
    )
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="llm"))
    return staff
