"""Synthetic lyrics for the Spotify sandbox catalog, keyed by track so LRCLIB-style look-ups resolve.

Each track falls in a bucket by a hash of its id: ~10% instrumental, ~10% unknown to LRCLIB, the rest
have plain lyrics (and, for most, synced lyrics). Explicit tracks swear mildly; some tracks carry
violence or drink-and-drugs imagery, so content flags have something to find. Lyrics are in the
language the first artist's genres suggest (sandbox.llm.lyric_languages: Spanish for reggaeton,
Portuguese for bossa nova, ...; English otherwise).
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import random
import unicodedata
from typing import Any

from sandbox.catalog.models import Artist, Catalog, Track
from sandbox.llm.lyric_languages import PACKS, language_for

INSTRUMENTAL, MISSING, LYRICS = "instrumental", "missing", "lyrics"
SEARCH_LIMIT = 20
DURATION_TOLERANCE_S = 2

@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    index: int  # position in catalog.tracks; the LRCLIB id is index + 1
    track: Track
    artist_name: str
    album_name: str
    language: str  # ISO 639-1, the first artist's (lyric_languages.language_for)


def normalize(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def bucket(track: Track) -> str:
    value = (
        int.from_bytes(hashlib.blake2b(f"lrclib:{track.id}".encode(), digest_size=4).digest(), "big") % 100
    )
    if value < 10:
        return INSTRUMENTAL
    if value < 20:
        return MISSING
    return LYRICS


class LyricsBook:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.by_name: dict[tuple[str, str], list[int]] = collections.defaultdict(list)
        # Artist names are unique in the catalog: what the sandbox model "knows" of an artist.
        self.artists_by_name: dict[str, Artist] = {normalize(a.name): a for a in catalog.artists}
        self.haystacks: list[str] = []
        for index, track in enumerate(catalog.tracks):
            artists = [catalog.artists[a].name for a in track.artists]
            keys = {artists[0], ", ".join(artists), " & ".join(artists), *artists}
            for artist in keys:
                self.by_name[(normalize(track.name), normalize(artist))].append(index)
            album = catalog.albums[track.album].name
            self.haystacks.append(normalize(f"{track.name} {' '.join(artists)} {album}"))

    def __len__(self) -> int:
        return len(self.catalog.tracks)

    def entry(self, index: int) -> Entry:
        track = self.catalog.tracks[index]
        artists = ", ".join(self.catalog.artists[a].name for a in track.artists)
        return Entry(
            index=index,
            track=track,
            artist_name=artists,
            album_name=self.catalog.albums[track.album].name,
            language=language_for(self.catalog.artists[track.artists[0]].genres),
        )

    def artist(self, name: str) -> Artist | None:
        """The catalog's artist of that name (any case), or None."""
        return self.artists_by_name.get(normalize(name))

    def get(
        self, *, track_name: str, artist_name: str, album_name: str | None, duration: float | None
    ) -> Any:
        """The LRCLIB record for one track, or None when LRCLIB would answer 404."""
        candidates = self.by_name.get((normalize(track_name), normalize(artist_name)), [])
        if duration is not None:
            candidates = [
                i
                for i in candidates
                if abs(self.catalog.tracks[i].duration_ms / 1000 - duration) <= DURATION_TOLERANCE_S
            ]
        if album_name:
            wanted = normalize(album_name)
            candidates.sort(
                key=lambda i: normalize(self.catalog.albums[self.catalog.tracks[i].album].name) != wanted
            )
        for index in candidates:
            if bucket(self.catalog.tracks[index]) != MISSING:
                return self.record(index)
        return None

    def by_id(self, lrclib_id: int) -> Any:
        if (
            not 1 <= lrclib_id <= len(self.catalog.tracks)
            or bucket(self.catalog.tracks[lrclib_id - 1]) == MISSING
        ):
            return None
        return self.record(lrclib_id - 1)

    def search(
        self, *, q: str | None, track_name: str | None, artist_name: str | None, album_name: str | None
    ) -> list:
        terms = normalize(" ".join(x for x in (q, track_name, artist_name, album_name) if x)).split()
        if not terms:
            return []
        results = []
        for index, haystack in enumerate(self.haystacks):
            if all(term in haystack for term in terms) and bucket(self.catalog.tracks[index]) != MISSING:
                entry = self.entry(index)
                if track_name and normalize(track_name) not in normalize(entry.track.name):
                    continue
                if artist_name and normalize(artist_name) not in normalize(entry.artist_name):
                    continue
                results.append(self.record(index))
                if len(results) >= SEARCH_LIMIT:
                    break
        return results

    def record(self, index: int) -> dict[str, Any]:
        entry = self.entry(index)
        kind = bucket(entry.track)
        plain, synced = (None, None) if kind == INSTRUMENTAL else lyrics_for(entry)
        return {
            "id": index + 1,
            "name": entry.track.name,
            "trackName": entry.track.name,
            "artistName": entry.artist_name,
            "albumName": entry.album_name,
            "duration": float(round(entry.track.duration_ms / 1000)),
            "instrumental": kind == INSTRUMENTAL,
            "plainLyrics": plain,
            "syncedLyrics": synced,
        }


def themes_for(track: Track) -> list[str]:
    rng = random.Random(f"themes:{track.id}")
    themes = ["profanity"] if track.explicit else []
    if rng.random() < 0.12:
        themes.append("violence")
    if rng.random() < 0.10:
        themes.append("substances")
    return themes


def lyrics_for(entry: Entry) -> tuple[str, str | None]:
    """(plain lyrics, synced LRC lyrics or None): two verses, a chorus, a verse, the chorus again."""
    track = entry.track
    pack = PACKS[entry.language]
    rng = random.Random(f"lyrics:{track.id}")

    def line(template: str) -> str:
        # Three draws per line whatever the template uses, so a track's lyrics never change
        # with the templates' wording.
        adjective, noun, verb = rng.choice(pack.adjectives), rng.choice(pack.nouns), rng.choice(pack.verbs)
        title = track.name.split(" - ")[0].split(" (")[0]
        return pack.fill(template, adjective=adjective, noun=noun, verb=verb, title=title)

    themed = [line(rng.choice(pack.themed[theme])) for theme in themes_for(track)]
    verses = [[line(rng.choice(pack.verses)) for _ in range(4)] for _ in range(3)]
    for n, text in enumerate(themed):
        verses[n % 3][rng.randrange(4)] = text
    chorus = [line(template) for template in rng.sample(pack.choruses, 3)]
    stanzas = [verses[0], verses[1], chorus, verses[2], chorus]
    plain = "\n\n".join("\n".join(stanza) for stanza in stanzas)
    if rng.random() < 0.2:
        return plain, None  # LRCLIB often has plain lyrics without timings
    lines = [text for stanza in stanzas for text in stanza]
    start, end = 8.0, max(20.0, track.duration_ms / 1000 - 10)
    step = (end - start) / len(lines)
    synced = "\n".join(f"[{_timestamp(start + n * step)}] {text}" for n, text in enumerate(lines))
    return plain, synced


def _timestamp(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes):02d}:{rest:05.2f}"
