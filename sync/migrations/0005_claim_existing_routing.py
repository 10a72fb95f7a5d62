"""Claims for the routing set-up that exists (see 0004): bases first, then children, oldest
first. A set-up that breaks the new rules (a child that is also a base, or the child of two
bases) keeps the oldest part; the others are detached, and their base's notice says so.
Children that a completed route already wrote get `routed_at`, so their next route does not
ask as for a first one."""

from django.db import migrations
from django.db.models import Max

DETACHED = (
    "“{name}” was detached from this base: a playlist can be the child of only one base, "
    "and never a base itself. Nothing on Spotify was changed."
)


def claim_existing(apps, schema_editor):
    BasePlaylist = apps.get_model("sync", "BasePlaylist")
    ChildPlaylist = apps.get_model("sync", "ChildPlaylist")
    RoutedPlaylist = apps.get_model("sync", "RoutedPlaylist")
    SyncEvent = apps.get_model("sync", "SyncEvent")
    routed = dict(
        SyncEvent.objects.filter(kind="route", status="completed", base__isnull=False)
        .values("base_id")
        .annotate(last=Max("finished_at"))
        .values_list("base_id", "last")
    )
    claimed = set()
    for base in BasePlaylist.objects.select_related("playlist").order_by("created_at", "id"):
        base.spotify_id = base.playlist.spotify_id
        base.name = base.playlist.name
        base.save(update_fields=["spotify_id", "name"])
        RoutedPlaylist.objects.create(user_id=base.user_id, spotify_id=base.spotify_id, base=base)
        claimed.add((base.user_id, base.spotify_id))
    for child in ChildPlaylist.objects.select_related("base").order_by("created_at", "id"):
        key = (child.base.user_id, child.spotify_id)
        if key in claimed:
            base = child.base
            base.notice = " ".join(filter(None, [base.notice, DETACHED.format(name=child.name)]))
            base.save(update_fields=["notice"])
            child.delete()
            continue
        child.user_id = child.base.user_id
        child.routed_at = routed.get(child.base_id)
        child.save(update_fields=["user", "routed_at"])
        RoutedPlaylist.objects.create(user_id=child.user_id, spotify_id=child.spotify_id, child=child)
        claimed.add(key)


class Migration(migrations.Migration):

    dependencies = [
        ("sync", "0004_routing_safety"),
    ]

    operations = [
        migrations.RunPython(claim_existing, migrations.RunPython.noop),
    ]
