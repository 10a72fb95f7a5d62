"""The current user: profile, top items, recently played, Liked Songs; and other users' profiles."""

from __future__ import annotations

import bisect
import datetime as dt
from urllib.parse import urlencode

from sandbox.catalog.models import Play
from sandbox.errors import bad_request, not_found
from sandbox.paging import paging, parse_limit, parse_offset
from sandbox.web import Ctx, Result

TIME_RANGES = ("short_term", "medium_term", "long_term")
# How many of a listener's plays Spotify keeps reachable through /me/player/recently-played.
RECENT_PLAYS = 50


def get_me(ctx: Ctx) -> Result:
    return Result(200, ctx.render.user_private(ctx.user, scopes=ctx.grant.scopes))


def get_user(ctx: Ctx, *, user_id: str) -> Result:
    user = ctx.state.users.get(user_id)
    if user is None:
        raise not_found()
    return Result(200, ctx.render.user_public(user))


def top_tracks(ctx: Ctx) -> Result:
    return _top(ctx, kind="tracks")


def top_artists(ctx: Ctx) -> Result:
    return _top(ctx, kind="artists")


def _top(ctx: Ctx, *, kind: str) -> Result:
    time_range = ctx.args.get("time_range", "medium_term")
    if time_range not in TIME_RANGES:
        raise bad_request("Invalid time range")
    limit, offset = parse_limit(ctx.args), parse_offset(ctx.args)
    library = ctx.state.personal[ctx.user.id]
    refs = (library.top_tracks if kind == "tracks" else library.top_artists).get(time_range, ())
    if kind == "tracks":
        items = [ctx.render.played_track(ref, market="market" in ctx.args) for ref in refs[offset : offset + limit]]
    else:
        items = [ctx.render.artist_full(ref) for ref in refs[offset : offset + limit]]
    extra = {key: ctx.args[key] for key in ("time_range", "market") if key in ctx.args} or None
    return Result(
        200, paging(url=ctx.url(), items=items, total=len(refs), offset=offset, limit=limit, extra=extra)
    )


def saved_tracks(ctx: Ctx) -> Result:
    limit, offset = parse_limit(ctx.args), parse_offset(ctx.args)
    liked = ctx.state.personal[ctx.user.id].liked
    items = [
        {"added_at": added_at, "track": ctx.render.track_full(ref)}
        for ref, added_at in liked[offset : offset + limit]
    ]
    return Result(200, paging(url=ctx.url(), items=items, total=len(liked), offset=offset, limit=limit))


def recently_played(ctx: Ctx) -> Result:
    """Cursor paging over the newest RECENT_PLAYS plays, newest first; `before` and `after` are
    exclusive ms cursors.

    Spotify keeps only a listener's last 50 plays: older ones cannot be reached with `before`,
    and `next` is null at the end of that window. This is what makes history polling lossy.
    """
    limit = parse_limit(ctx.args)
    before, after = _cursor(ctx, "before"), _cursor(ctx, "after")
    if before is not None and after is not None:
        raise bad_request("Only one of before and after can be specified")
    ctx.state.catch_up(ctx.user.id)
    plays = ctx.state.plays[ctx.user.id][:RECENT_PLAYS]
    # Plays are newest first; search on the negated timestamps, which ascend.
    keys = [-play.played_at_ms for play in plays]
    if after is not None:
        # The `limit` plays right after the cursor, so a client can walk forward without gaps.
        end = bisect.bisect_left(keys, -after)
        start = max(0, end - limit)
        more = start > 0
    else:
        start = 0 if before is None else bisect.bisect_right(keys, -before)
        end = min(len(plays), start + limit)
        more = end < len(plays)
    window = plays[start:end]
    items = [_play(ctx, play) for play in window]
    cursors = None
    next_url = None
    if window:
        newest, oldest = window[0].played_at_ms, window[-1].played_at_ms
        cursors = {"after": str(newest), "before": str(oldest)}
        if more:
            direction = {"after": newest} if after is not None else {"before": oldest}
            next_url = f"{ctx.url()}?{urlencode({**direction, 'limit': limit, **_market(ctx)})}"
    query = {key: ctx.args[key] for key in ("before", "after", "market") if key in ctx.args}
    href = f"{ctx.url()}?{urlencode({**query, 'limit': limit})}"
    return Result(200, {"href": href, "items": items, "limit": limit, "next": next_url, "cursors": cursors})


def _cursor(ctx: Ctx, name: str) -> int | None:
    raw = ctx.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"Invalid {name} parameter") from None
    if value < 0:
        raise bad_request(f"Invalid {name} parameter")
    return value


def _market(ctx: Ctx) -> dict[str, str]:
    return {"market": ctx.args["market"]} if "market" in ctx.args else {}


def _play(ctx: Ctx, play: Play) -> dict:
    played_at = dt.datetime.fromtimestamp(play.played_at_ms / 1000, tz=dt.UTC)
    body = {
        "track": ctx.render.played_track(play.track, market="market" in ctx.args),
        "played_at": played_at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{play.played_at_ms % 1000:03d}Z",
        "context": None,
    }
    if play.context is not None:
        kind, spotify_id = play.context
        body["context"] = {
            "type": kind,
            "href": f"{ctx.api}/{kind}s/{spotify_id}",
            "external_urls": {"spotify": f"https://open.spotify.com/{kind}/{spotify_id}"},
            "uri": f"spotify:{kind}:{spotify_id}",
        }
    return body
