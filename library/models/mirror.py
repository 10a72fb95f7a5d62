"""The mirror of a listener's Spotify library.

The catalog (Artist, Album, Track) is shared by every user and keyed by Spotify id,
so the same song in two users' playlists is one row. Playlists and their items are
per user. Nothing here calls Spotify: `sync` fills these tables.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class DatePrecision(models.TextChoices):
    YEAR = "year"
    MONTH = "month"
    DAY = "day"


class Artist(models.Model):
    spotify_id = models.CharField(primary_key=True, max_length=64)
    name = models.CharField(max_length=500)
    # Spotify's genre labels, lower-case as Spotify sends them. Empty until fetched:
    # playlist items carry simplified artists, which have no genres.
    genres = models.JSONField(default=list, blank=True)
    genres_fetched_at = models.DateTimeField(null=True, blank=True)
    # The lookup at genres_fetched_at found no such artist on Spotify (404, or null in a batch):
    # kept as an answer, so the next lookup within the TTL does not ask again.
    unknown_to_spotify = models.BooleanField(default=False)
    # Development-mode apps get no popularity (February 2026), hence nullable.
    popularity = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Album(models.Model):
    spotify_id = models.CharField(primary_key=True, max_length=64)
    name = models.CharField(max_length=500)
    album_type = models.CharField(max_length=20, blank=True)
    # As Spotify sends it: "1987", "1987-06" or "1987-06-14", with its precision.
    release_date = models.CharField(max_length=10, blank=True)
    release_date_precision = models.CharField(max_length=5, choices=DatePrecision.choices, blank=True)
    # Derived from release_date at import, for filtering by year without parsing strings.
    release_year = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    image_url = models.URLField(max_length=500, blank=True)
    label = models.CharField(max_length=500, blank=True)  # Extended mode only
    popularity = models.PositiveSmallIntegerField(null=True, blank=True)  # Extended mode only
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class Track(models.Model):
    spotify_id = models.CharField(primary_key=True, max_length=64)
    name = models.CharField(max_length=500)
    duration_ms = models.PositiveIntegerField(default=0)
    explicit = models.BooleanField(default=False)
    isrc = models.CharField(max_length=20, blank=True)
    album = models.ForeignKey(Album, null=True, blank=True, on_delete=models.SET_NULL, related_name="tracks")
    artists = models.ManyToManyField(Artist, through="TrackArtist", related_name="tracks")
    popularity = models.PositiveSmallIntegerField(null=True, blank=True)  # Extended mode only
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class TrackArtist(models.Model):
    """A track's credited artists, in Spotify's order (the first is the main artist)."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="credits")
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="credits")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["track", "position"]
        constraints = [
            models.UniqueConstraint(fields=["track", "position"], name="track_artist_unique_position"),
            models.UniqueConstraint(fields=["track", "artist"], name="track_artist_unique_artist"),
        ]


class PlaylistKind(models.TextChoices):
    PLAYLIST = "playlist", "Playlist"
    LIKED_SONGS = "liked_songs", "Liked Songs"


class ItemsStatus(models.TextChoices):
    AVAILABLE = "available", "Available"
    # Development-mode Spotify refuses the items of playlists the user neither owns
    # nor collaborates on (403). We keep the metadata and say so; it is not an error.
    NOT_AVAILABLE = "not_available", "Items not available from Spotify"


LIKED_SONGS_ID = "liked-songs"


class Playlist(models.Model):
    """One of a user's Spotify playlists, or their Liked Songs as a pseudo-playlist.

    Two counts, one meaning each, used everywhere:
    - ``items_total``: how many items Spotify says the playlist has (its paging ``total``).
    - ``track_count``: how many PlaylistItem rows we hold for it, of every kind (tracks,
      episodes, local files, unavailable entries). It equals ``items_total`` after a
      complete import and is 0 while the items are not available from Spotify.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="playlists")
    spotify_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=20, choices=PlaylistKind.choices, default=PlaylistKind.PLAYLIST)
    name = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    owner_spotify_id = models.CharField(max_length=128, blank=True)
    owner_name = models.CharField(max_length=500, blank=True)
    # Spotify sends null when the public flag is unknown to it; we keep that distinction.
    public = models.BooleanField(null=True, blank=True)
    collaborative = models.BooleanField(default=False)
    snapshot_id = models.CharField(max_length=200, blank=True)
    image_url = models.URLField(max_length=500, blank=True)
    items_total = models.PositiveIntegerField(default=0)
    track_count = models.PositiveIntegerField(default=0)
    items_status = models.CharField(max_length=20, choices=ItemsStatus.choices, default=ItemsStatus.AVAILABLE)
    # The playlist's place in the user's Spotify list, so pages show Spotify's order.
    list_position = models.PositiveIntegerField(default=0)
    items_imported_at = models.DateTimeField(null=True, blank=True)
    # Absent from a complete listing of the user's playlists: the first such import marks it
    # (shown as "not seen on Spotify"), the next consecutive one removes it from the mirror.
    # A listing that may have skipped entries (a page failed, null rows, a count short of
    # Spotify's total) neither marks nor removes anything.
    missing_since = models.DateTimeField(null=True, blank=True)
    missing_imports = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user", "list_position"]
        constraints = [
            models.UniqueConstraint(fields=["user", "spotify_id"], name="playlist_unique_per_user"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(kind="liked_songs"), name="playlist_one_liked_songs_per_user"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def items_available(self) -> bool:
        return self.items_status == ItemsStatus.AVAILABLE

    @property
    def not_seen(self) -> bool:
        """The last complete listing of the user's playlists did not have it."""
        return self.missing_since is not None


class ItemKind(models.TextChoices):
    TRACK = "track", "Track"
    EPISODE = "episode", "Podcast episode"
    LOCAL = "local", "Local file"
    # Spotify returns a null track for items it can no longer serve.
    UNAVAILABLE = "unavailable", "Unavailable"


class PlaylistItem(models.Model):
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=ItemKind.choices)
    # Catalog rows outlive playlists; a track is never deleted while items point at it.
    track = models.ForeignKey(Track, null=True, blank=True, on_delete=models.PROTECT, related_name="items")
    # Episodes and local files have no catalog row: their name and URI are kept here.
    name = models.CharField(max_length=500, blank=True)
    uri = models.CharField(max_length=300, blank=True)
    local_name = models.CharField(max_length=500, blank=True)
    added_at = models.DateTimeField(null=True, blank=True)
    added_by = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["playlist", "position"]
        constraints = [
            models.UniqueConstraint(fields=["playlist", "position"], name="playlist_item_unique_position"),
            models.CheckConstraint(
                condition=Q(kind="track", track__isnull=False) | (~Q(kind="track") & Q(track__isnull=True)),
                name="playlist_item_track_iff_kind_track",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.playlist_id}#{self.position}"
