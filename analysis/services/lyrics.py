"""Lyrics from LRCLIB (settings.LYRICS_API_URL), cached per track.

- `/api/get` by track name, main artist, album and duration first (an exact match), then
  `/api/search` by track and artist, keeping a result whose duration is within ±2 s.
- Found, instrumental and not found are answers, stored for good in the Lyrics table.
  A network failure, a 5xx or a body that is not JSON is stored as status "error" and
  fetched again the next time anyone asks; it never raises, so one track's trouble never
  stops the analysis of the others.
- Django's cache holds the answer by its query too: the same song on a single and on an
  album is two tracks but one LRCLIB look-up.
- Like the LLM providers, LRCLIB is called at public addresses only (core.outbound), redirects
  included, unless LLM_ALLOW_PRIVATE_HOSTS; its answers are read up to OUTBOUND_MAX_ANSWER_BYTES
  and parsed within JSON_MAX_DEPTH. Past a limit is an "error", like a body that is not JSON.

Make these calls outside a transaction: they wait on HTTP.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

import httpx2
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from analysis.models import Lyrics, LyricsStatus
from core import outbound
from library.models import Track

logger = logging.getLogger(__name__)

USER_AGENT = "Linernotes (self-hosted; https://github.com/linernotes)"
DURATION_TOLERANCE_S = 2
CACHE_SECONDS = 30 * 24 * 3600
# Long texts are cut before they are stored: an analysis reads the first few thousand characters.
MAX_STORED_CHARS = 20_000


class LyricsUnavailable(Exception):
    """LRCLIB could not be asked (network, 5xx, nonsense); the caller may try again later."""


@dataclass(frozen=True)
class LyricsAnswer:
    status: str
    plain: str = ""
    source: str = ""


def get_lyrics(*, track: Track) -> Lyrics:
    """The track's lyrics row: the stored answer, or a fresh look-up when there is none or the
    last one failed. Never raises for LRCLIB's trouble: the row then has status "error"."""
    stored = Lyrics.objects.filter(track=track).first()
    if stored is not None and stored.status != LyricsStatus.ERROR:
        return stored
    query = _query(track)
    key = _cache_key(query)
    cached = cache.get(key)
    error = ""
    if cached is not None:
        answer = LyricsAnswer(**cached)
    else:
        try:
            answer = _look_up(query)
        except LyricsUnavailable as exc:
            logger.warning("Lyrics of %s could not be fetched: %s", track.spotify_id, exc)
            answer, error = LyricsAnswer(status=LyricsStatus.ERROR), str(exc)
        else:
            cache.set(
                key, {"status": answer.status, "plain": answer.plain, "source": answer.source}, CACHE_SECONDS
            )
    plain = answer.plain[:MAX_STORED_CHARS]
    row, _ = Lyrics.objects.update_or_create(
        track=track,
        defaults={
            "status": answer.status,
            "plain": plain,
            "source": answer.source,
            "hash": lyrics_hash(plain),
            "error": error[:500],
            "fetched_at": timezone.now(),
        },
    )
    return row


def lyrics_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest() if text else ""


def _query(track: Track) -> dict[str, str]:
    credits = track.credits.select_related("artist").order_by("position")
    main_artist = next((credit.artist.name for credit in credits), "")
    query = {"track_name": track.name, "artist_name": main_artist}
    if track.album_id:
        query["album_name"] = track.album.name
    if track.duration_ms:
        query["duration"] = str(round(track.duration_ms / 1000))
    return query


def _cache_key(query: dict[str, str]) -> str:
    digest = hashlib.sha256(repr(sorted((k, v.casefold()) for k, v in query.items())).encode()).hexdigest()
    return f"lyrics:lrclib:{digest[:32]}"


def _look_up(query: dict[str, str]) -> LyricsAnswer:
    exact = _get_json("/api/get", params=query)
    if exact is not None:
        return _answer(exact)
    if not query["artist_name"]:
        return LyricsAnswer(status=LyricsStatus.NOT_FOUND)
    results = _get_json(
        "/api/search", params={"track_name": query["track_name"], "artist_name": query["artist_name"]}
    )
    if not isinstance(results, list):
        raise LyricsUnavailable("LRCLIB's search answered something that is not a list")
    wanted = float(query["duration"]) if "duration" in query else None
    for record in results:
        if not isinstance(record, dict):
            continue
        duration = record.get("duration")
        if wanted is None or (
            isinstance(duration, int | float) and abs(duration - wanted) <= DURATION_TOLERANCE_S
        ):
            return _answer(record)
    return LyricsAnswer(status=LyricsStatus.NOT_FOUND)


def _answer(record: Any) -> LyricsAnswer:
    if not isinstance(record, dict):
        raise LyricsUnavailable("LRCLIB answered something that is not a record")
    source = f"lrclib:{record['id']}" if record.get("id") is not None else "lrclib"
    if record.get("instrumental"):
        return LyricsAnswer(status=LyricsStatus.INSTRUMENTAL, source=source)
    plain = record.get("plainLyrics")
    plain = plain.strip() if isinstance(plain, str) else ""
    if not plain:
        return LyricsAnswer(status=LyricsStatus.NOT_FOUND, source=source)
    return LyricsAnswer(status=LyricsStatus.FOUND, plain=plain, source=source)


def _get_json(path: str, *, params: dict[str, str]) -> Any:
    """The parsed body of a 200, None for a 404; anything else raises LyricsUnavailable."""
    url = f"{settings.LYRICS_API_URL.rstrip('/')}{path}"
    try:
        with (
            outbound.client(
                allow_private=settings.LLM_ALLOW_PRIVATE_HOSTS,
                timeout=httpx2.Timeout(settings.LYRICS_HTTP_TIMEOUT),
                follow_redirects=True,  # each hop is a new connection, checked like the first
                max_redirects=5,
            ) as client,
            client.stream("GET", url, params=params, headers={"User-Agent": USER_AGENT}) as response,
        ):
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise LyricsUnavailable(f"HTTP {response.status_code} on {path}")  # its body unread
            return outbound.read_json(response)
    except outbound.HostRefused as exc:
        raise LyricsUnavailable(f"LRCLIB's host is not at a public address, on {path}") from exc
    except outbound.AnswerRefused as exc:  # too large, compressed, not JSON or too deep: our words
        raise LyricsUnavailable(f"{path}: {exc}") from None
    except (httpx2.HTTPError, httpx2.InvalidURL) as exc:
        raise LyricsUnavailable(f"{type(exc).__name__} on {path}") from exc
