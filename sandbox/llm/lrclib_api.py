"""The LRCLIB stand-in at `/lrclib`: `/api/get`, `/api/get/{id}` and `/api/search`, in LRCLIB's shapes."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from sandbox.llm.web import Call, DialectError, json_response


def error(status: int, message: str | None = None, *, name: str | None = None) -> DialectError:
    if status == 404:
        return not_found()
    names = {400: "BadRequest", 429: "TooManyRequests", 500: "InternalServerError", 503: "ServiceUnavailable"}
    return DialectError(
        status,
        {
            "code": status,
            "name": name or names.get(status, "Error"),
            "message": message or "Something went wrong",
        },
    )


def not_found() -> DialectError:
    return DialectError(
        404, {"code": 404, "name": "TrackNotFound", "message": "Failed to find specified track"}
    )


def get(call: Call, **_: Any) -> Response:
    args = call.request.args
    track_name, artist_name = args.get("track_name", "").strip(), args.get("artist_name", "").strip()
    if not track_name or not artist_name:
        missing = "track_name" if not track_name else "artist_name"
        raise error(
            400, f"Failed to deserialize query string: missing field `{missing}`", name="QueryParseError"
        )
    duration = None
    if args.get("duration"):
        try:
            duration = float(args["duration"])
        except ValueError:
            raise error(
                400, "Failed to deserialize query string: invalid duration", name="QueryParseError"
            ) from None
    record = call.state.lyrics.get(
        track_name=track_name, artist_name=artist_name, album_name=args.get("album_name"), duration=duration
    )
    if record is None:
        raise not_found()
    return json_response(200, record)


def get_by_id(call: Call, *, lrclib_id: int) -> Response:
    record = call.state.lyrics.by_id(lrclib_id)
    if record is None:
        raise not_found()
    return json_response(200, record)


def search(call: Call, **_: Any) -> Response:
    args = call.request.args
    q, track_name = args.get("q", "").strip(), args.get("track_name", "").strip()
    if not q and not track_name:
        raise error(400, "At least one of q or track_name must be present", name="QueryParseError")
    results = call.state.lyrics.search(
        q=q or None,
        track_name=track_name or None,
        artist_name=args.get("artist_name", "").strip() or None,
        album_name=args.get("album_name", "").strip() or None,
    )
    return json_response(200, results)
