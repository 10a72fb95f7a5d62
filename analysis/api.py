"""Read-only DRF endpoints over song analyses, scoped to the caller's library, for scripts.

An analysis is shared by every listener of a song, but a caller sees only the songs in
their own playlists: another listener's song answers 404, like one that does not exist.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from core.api_docs import NOT_SIGNED_IN
from core.api_input import PageNumbers, PageQuery
from core.conditional import cached_json
from analysis import selectors
from analysis.serializers import (
    AnalysedTrackSerializer,
    PlaylistAnalysisPageSerializer,
    PlaylistAnalysisSerializer,
    SongSerializer,
)
from library.selectors import get_playlist, playlists_version



class SongView(APIView):
    @extend_schema(
        operation_id="songs_retrieve",
        summary="A song of your library with its lyrics status and analysis",
        responses={
            200: SongSerializer,
            401: NOT_SIGNED_IN,
            404: OpenApiResponse(description="No such song in your playlists."),
        },
        tags=["analysis"],
    )
    def get(self, request: Request, spotify_id: str) -> HttpResponse:
        # Which of the caller's playlists hold the song (and whether any does: 404 is never cached),
        # its analysis (only ever added) and its lyrics' status.
        version = (
            playlists_version(user=request.user),
            selectors.latest_analysis_id(),
            selectors.lyrics_status(spotify_id=spotify_id),
        )
        return cached_json(request, version=version, build=lambda: self._body(request, spotify_id))

    def _body(self, request: Request, spotify_id: str) -> dict:
        page = selectors.get_song(user=request.user, spotify_id=spotify_id)
        if page is None:
            raise Http404
        body = {
            "track": page.track,
            "lyrics_status": page.lyrics.status if page.lyrics else None,
            "analysis": page.analysis,
            "playlists": [{"id": playlist.pk, "name": playlist.name} for playlist in page.playlists],
        }
        return SongSerializer(body).data


class TrackPagination(PageNumbers):
    page_size = 100


class PlaylistAnalysisView(APIView):
    @extend_schema(
        operation_id="library_playlists_analysis",
        summary="How much of your playlist is analysed, its flags and mood mix, and a page of its songs",
        description="`songs` is a page of the playlist's distinct tracks (100 per page, `page`), in "
        "the order they first appear, each with its analysis or null.",
        parameters=[PageQuery],
        responses={
            200: PlaylistAnalysisPageSerializer,
            401: NOT_SIGNED_IN,
            404: OpenApiResponse(description="No such playlist of yours (or no such page)."),
        },
        tags=["analysis"],
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        playlist = get_playlist(user=request.user, playlist_id=pk)
        if playlist is None:
            raise Http404
        # The playlist's items (an import writes them with its updated_at) and the analyses, of
        # which any new one may be of this playlist's songs (they are only ever added).
        version = (playlist.pk, playlist.updated_at, selectors.latest_analysis_id())
        return cached_json(request, version=version, build=lambda: self._body(request, playlist))

    def _body(self, request: Request, playlist) -> dict:
        summary = selectors.playlist_summary(playlist=playlist)
        paginator = TrackPagination()
        tracks = paginator.paginate_queryset(
            selectors.playlist_tracks_with_analyses(playlist=playlist), request, view=self
        )
        body = PlaylistAnalysisSerializer(
            {
                "playlist": playlist.pk,
                "tracks": summary.tracks,
                "analysed": summary.analysed,
                "pending": summary.pending,
                "flagged": summary.flagged,
                "guessed": summary.guessed,
                "moods": [{"mood": mood, "count": count} for mood, count in summary.moods],
            }
        ).data
        songs = [{"track": track, "analysis": next(iter(track.current_analyses), None)} for track in tracks]
        body["songs"] = {
            "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": AnalysedTrackSerializer(songs, many=True).data,
        }
        return body
