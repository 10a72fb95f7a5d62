"""Read-only DRF endpoints over the caller's mirror, for scripts."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.views import APIView

from core.api_docs import NOT_SIGNED_IN
from core.api_input import PageNumbers, PageQuery
from core.conditional import cached_json
from library import selectors
from library.serializers import PlaylistDetailSerializer, PlaylistItemSerializer, PlaylistSerializer



class PlaylistListView(generics.ListAPIView):
    serializer_class = PlaylistSerializer

    @extend_schema(
        operation_id="library_playlists_list",
        summary="Your playlists, in Spotify's order",
        responses={200: PlaylistSerializer(many=True), 401: NOT_SIGNED_IN},
        tags=["library"],
    )
    def get(self, request: Request, *args, **kwargs) -> HttpResponse:
        return cached_json(
            request,
            version=selectors.playlists_version(user=request.user),
            build=lambda: super(PlaylistListView, self).get(request, *args, **kwargs).data,
        )

    def get_queryset(self):
        return selectors.list_playlists(user=self.request.user)


class ItemPagination(PageNumbers):
    page_size = 100


class PlaylistDetailView(APIView):
    @extend_schema(
        operation_id="library_playlists_retrieve",
        summary="One of your playlists with a page of its items",
        description="A page of its items, 100 per page (`page`).",
        parameters=[PageQuery],
        responses={
            200: PlaylistDetailSerializer,
            401: NOT_SIGNED_IN,
            404: OpenApiResponse(description="No such playlist of yours (or no such page of items)."),
        },
        tags=["library"],
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        playlist = selectors.get_playlist(user=request.user, playlist_id=pk)
        if playlist is None:
            raise Http404
        # An import writes a playlist's row (updated_at) and its items in one transaction.
        version = (playlist.pk, playlist.updated_at)
        return cached_json(request, version=version, build=lambda: self._body(request, playlist))

    def _body(self, request: Request, playlist) -> dict:
        paginator = ItemPagination()
        items = selectors.list_playlist_items(playlist=playlist)
        page = paginator.paginate_queryset(items, request, view=self)
        body = PlaylistSerializer(playlist).data
        body["items"] = {
            "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "results": PlaylistItemSerializer(page, many=True).data,
        }
        return body
