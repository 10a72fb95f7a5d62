"""The shared music catalog: artists with genres, their albums and tracks, podcast shows and episodes."""

from __future__ import annotations

import datetime as dt
import math
import random

from sandbox.catalog import taxonomy as tx
from sandbox.catalog.grammar import singular
from sandbox.catalog.models import Album, Artist, Episode, Show, Track
from sandbox.ids import derive_id

# Release dates and years are music facts, not listener activity: they stay anchored at this
# fixed epoch so the same seed always gives the same albums, whatever the day. Nothing compares
# them with the wall clock. Dated activity (added_at, plays, episodes) follows the anchor `now`.
CATALOG_EPOCH = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
NON_ASCII_NAMES = ("Sigrún", "Ólafur", "Zoë", "Jürgen", "Céline", "Søren", "Łukasz", "Beyoncé-Marie", "Ñusta")


def build_artists(*, rng: random.Random, seed: int, count: int) -> list[Artist]:
    families = tx.FAMILIES
    family_weights = [family.weight for family in families]
    artists = []
    seen: set[str] = set()
    for n in range(count):
        family = rng.choices(families, weights=family_weights)[0]
        genres = _pick_genres(rng=rng, family=family)
        name = _artist_name(rng=rng, family=family.name)
        while name in seen:
            name = f"{name} {rng.choice(tx.NOUNS)}"
        seen.add(name)
        weight = rng.paretovariate(1.15)
        popularity = int(max(0, min(100, rng.gauss(30, 10) + 14 * math.log(weight))))
        followers = int(weight**1.7 * rng.uniform(300, 4000))
        artists.append(
            Artist(
                id=derive_id(seed=seed, kind="artist", ordinal=n),
                name=name,
                genres=genres,
                family=family.name,
                popularity=popularity,
                followers=followers,
                weight=weight,
            )
        )
    return artists


def build_albums_and_tracks(
    *, rng: random.Random, seed: int, artists: list[Artist]
) -> tuple[list[Album], list[Track]]:
    albums: list[Album] = []
    tracks: list[Track] = []
    artist_count = len(artists)
    for artist_index, artist in enumerate(artists):
        family = tx.FAMILY_BY_NAME[artist.family]
        album_count = rng.choices((1, 2, 3, 4, 5), weights=(55, 25, 12, 6, 2))[0]
        year = _career_start(rng=rng)
        label = rng.choice(tx.LABELS)
        for _ in range(album_count):
            album_type = rng.choices(("single", "album", "compilation"), weights=(42, 50, 8))[0]
            total = {
                "single": rng.randint(1, 3),
                "album": rng.randint(7, 14),
                "compilation": rng.randint(12, 20),
            }[album_type]
            release_date, precision = _release_date(rng=rng, year=year)
            album_index = len(albums)
            album_popularity = max(0, min(100, artist.popularity + int(rng.gauss(-4, 8))))
            album_artists = (artist_index,)
            if rng.random() < 0.04:
                album_artists = (artist_index, rng.randrange(artist_count))
            albums.append(
                Album(
                    id=derive_id(seed=seed, kind="album", ordinal=album_index),
                    name=_title(rng=rng) if album_type != "single" else "",
                    artists=album_artists,
                    album_type=album_type,
                    release_date=release_date,
                    release_date_precision=precision,
                    first_track=len(tracks),
                    total_tracks=total,
                    label=label,
                    popularity=album_popularity,
                    upc=f"{rng.randrange(10**11, 10**12)}",
                )
            )
            registrant = "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", k=3))
            country = rng.choice(tx.ISRC_COUNTRIES)
            first_name = None
            for number in range(1, total + 1):
                track_index = len(tracks)
                name = _title(rng=rng)
                first_name = first_name or name
                track_artists = album_artists
                if rng.random() < 0.12:
                    track_artists = (*album_artists, rng.randrange(artist_count))
                discs = 2 if album_type == "compilation" and total > 14 else 1
                per_disc = math.ceil(total / discs)
                tracks.append(
                    Track(
                        id=derive_id(seed=seed, kind="track", ordinal=track_index),
                        name=name,
                        album=album_index,
                        artists=track_artists,
                        duration_ms=_duration(rng=rng, family=artist.family),
                        explicit=rng.random() < family.explicit,
                        isrc=f"{country}{registrant}{int(release_date[2:4]):02d}{rng.randrange(100000):05d}",
                        popularity=max(0, min(100, album_popularity + int(rng.gauss(0, 9)))),
                        track_number=(number - 1) % per_disc + 1,
                        disc_number=(number - 1) // per_disc + 1,
                    )
                )
            if album_type == "single":
                # A single is named after its lead track, as on Spotify.
                albums[album_index] = _renamed(albums[album_index], first_name or _title(rng=rng))
            year = min(CATALOG_EPOCH.year, year + rng.choice((0, 1, 1, 2, 2, 3, 4)))
    return albums, tracks


def build_shows(*, rng: random.Random, seed: int, now: dt.datetime) -> tuple[list[Show], list[Episode]]:
    """Podcast shows and their episodes, the newest released 1-20 days before `now`: a show is
    still running, so its episodes move with the anchor rather than with the music's epoch."""
    shows: list[Show] = []
    episodes: list[Episode] = []
    for show_index, (name, publisher) in enumerate(tx.PODCASTS):
        count = rng.randint(12, 30)
        shows.append(
            Show(
                id=derive_id(seed=seed, kind="show", ordinal=show_index),
                name=name,
                publisher=publisher,
                description=f"{name}: conversations about music, recorded for the sandbox.",
                language=rng.choice(("en", "en", "en-US", "en-GB")),
                explicit=rng.random() < 0.2,
                first_episode=len(episodes),
                total_episodes=count,
            )
        )
        day = now - dt.timedelta(days=rng.randint(1, 20))
        for number in range(count, 0, -1):
            episodes.append(
                Episode(
                    id=derive_id(seed=seed, kind="episode", ordinal=len(episodes)),
                    name=f"#{number}: {_title(rng=rng)}",
                    show=show_index,
                    description=f"Episode {number} of {name}.",
                    duration_ms=rng.randint(18, 95) * 60_000 + rng.randrange(60_000),
                    release_date=day.date().isoformat(),
                    explicit=rng.random() < 0.15,
                )
            )
            day -= dt.timedelta(days=rng.choice((7, 7, 7, 14)))
    return shows, episodes


def _pick_genres(*, rng: random.Random, family: tx.Family) -> tuple[str, ...]:
    count = rng.choices((0, 1, 2, 3), weights=(4, 40, 38, 18))[0]
    if count == 0:
        # Spotify leaves genres empty for artists it has not classified.
        return ()
    picked = rng.sample(family.genres[1:], k=min(count, len(family.genres) - 1))
    if rng.random() < 0.35:
        picked[0] = family.genres[0]
    if rng.random() < 0.08:
        other = rng.choice(tx.FAMILIES)
        picked.append(rng.choice(other.genres))
    return tuple(dict.fromkeys(picked))


def _artist_name(*, rng: random.Random, family: str) -> str:
    style = rng.random()
    if rng.random() < 0.03:
        return f"{rng.choice(NON_ASCII_NAMES)} {rng.choice(tx.LAST_NAMES)}"
    if family == "hip hop" and style < 0.4:
        # Drawn in this order so a seed's names stay what they were; "z" makes its own plural.
        prefix = rng.choice(("Lil ", "MC ", "Young ", ""))
        noun = rng.choice(tx.NOUNS)
        suffix = rng.choice(("", " Beats", "z"))
        return prefix + (singular(noun) if suffix == "z" else noun) + suffix
    if family == "electronic" and style < 0.35:
        return rng.choice(("DJ ", "")) + rng.choice(tx.FIRST_NAMES) + rng.choice(("", " Tone", " Sound", "x"))
    if style < 0.3:
        return f"{rng.choice(tx.FIRST_NAMES)} {rng.choice(tx.LAST_NAMES)}"
    if style < 0.55:
        return f"The {rng.choice(tx.ADJECTIVES)} {rng.choice(tx.NOUNS)}"
    if style < 0.75:
        return f"{rng.choice(tx.ADJECTIVES)} {rng.choice(tx.NOUNS)}"
    if style < 0.88:
        return f"{rng.choice(tx.FIRST_NAMES)} & the {rng.choice(tx.NOUNS)}"
    # A compound's first word is singular in English ("Birdsaints" reads, "Birdssaints" not).
    return singular(rng.choice(tx.NOUNS)) + rng.choice(tx.NOUNS).lower()


def _title(*, rng: random.Random) -> str:
    style = rng.random()
    if style < 0.3:
        return f"{rng.choice(tx.ADJECTIVES)} {rng.choice(tx.NOUNS)}"
    if style < 0.45:
        return f"{rng.choice(tx.NOUNS)} of {rng.choice(tx.NOUNS)}"
    if style < 0.6:
        return f"{rng.choice(tx.VERBS)} {rng.choice(tx.NOUNS)}"
    if style < 0.72:
        return f"The {rng.choice(tx.NOUNS)}"
    if style < 0.8:
        version = rng.choice(("Remastered", "Live", "Acoustic", "Radio Edit"))
        return f"{rng.choice(tx.ADJECTIVES)} {rng.choice(tx.NOUNS)} - {version}"
    if style < 0.9:
        return f"{rng.choice(tx.VERBS)}"
    return f"{rng.choice(tx.NOUNS)} ({rng.choice(tx.ADJECTIVES)} Mix)"


def _career_start(*, rng: random.Random) -> int:
    # Skewed towards recent years, but with a long tail back to 1960.
    return max(1960, CATALOG_EPOCH.year - int(abs(rng.gauss(0, 17))))


def _release_date(*, rng: random.Random, year: int) -> tuple[str, str]:
    old = year < 1985
    precision = rng.choices(("day", "month", "year"), weights=(55, 10, 35) if old else (88, 4, 8))[0]
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    epoch = CATALOG_EPOCH
    if (year, month, day) > (epoch.year, epoch.month, epoch.day):
        year, month, day = epoch.year, rng.randint(1, epoch.month), 1
    if precision == "year":
        return f"{year}", precision
    if precision == "month":
        return f"{year}-{month:02d}", precision
    return f"{year}-{month:02d}-{day:02d}", precision


def _duration(*, rng: random.Random, family: str) -> int:
    mean, spread = {
        "classical": (390_000, 160_000),
        "electronic": (300_000, 90_000),
        "jazz": (330_000, 110_000),
    }.get(family, (210_000, 45_000))
    return int(max(45_000, min(1_500_000, rng.gauss(mean, spread))))


def _renamed(album: Album, name: str) -> Album:
    return Album(
        id=album.id,
        name=name,
        artists=album.artists,
        album_type=album.album_type,
        release_date=album.release_date,
        release_date_precision=album.release_date_precision,
        first_track=album.first_track,
        total_tracks=album.total_tracks,
        label=album.label,
        popularity=album.popularity,
        upc=album.upc,
    )
