"""core.conditional: ETags on JSON answers, 304 for the caller who has the answer, answers cached
per user and version. Each app's tests check its own versions against the writes that change them."""

from __future__ import annotations

import pytest
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from core.conditional import cached_json, conditional_json
from tests.accounts.factories import UserFactory
from tests.support.caches import memory_cache  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("memory_cache")]


class Shelf:
    """What the test views answer, and how often they had to build it."""

    def __init__(self) -> None:
        self.version = 1
        self.data: dict = {"records": ["Blue Monday"]}
        self.builds = 0

    def build(self) -> dict:
        self.builds += 1
        if self.data is None:
            raise ValueError("nothing to show")
        return dict(self.data)


@pytest.fixture
def shelf() -> Shelf:
    return Shelf()


@pytest.fixture
def get(shelf):
    class Cached(APIView):
        def get(self, request):
            return cached_json(request, version=shelf.version, build=shelf.build)

    class Plain(APIView):
        def get(self, request):
            return conditional_json(request, shelf.build())

    views = {"cached": Cached.as_view(), "plain": Plain.as_view()}
    factory = APIRequestFactory()

    def get(user, *, etag: str | None = None, view: str = "cached", accept: str = "application/json"):
        headers = {"HTTP_ACCEPT": accept}
        if etag:
            headers["HTTP_IF_NONE_MATCH"] = etag
        request = factory.get("/shelf", **headers)
        force_authenticate(request, user=user)
        response = views[view](request)
        if hasattr(response, "render"):
            response.render()
        return response

    return get


def test_an_answer_carries_an_etag_and_sending_it_back_gets_304_with_no_body(get):
    listener = UserFactory()

    first = get(listener)
    again = get(listener, etag=first["ETag"])

    assert first.status_code == 200 and first["Content-Type"] == "application/json"
    assert first.content == b'{"records":["Blue Monday"]}'
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == first["ETag"]
    assert "private" in again["Cache-Control"] and "no-cache" in again["Cache-Control"]
    assert {"Accept", "Authorization", "Cookie"} <= {v.strip() for v in first["Vary"].split(",")}


def test_a_weak_etag_one_among_others_and_a_star_match_too(get):
    listener = UserFactory()
    etag = get(listener)["ETag"]

    assert get(listener, etag=f"W/{etag}").status_code == 304
    assert get(listener, etag=f'"old", {etag}').status_code == 304
    assert get(listener, etag="*").status_code == 304
    assert get(listener, etag='"something-else"').status_code == 200


def test_a_cached_answer_is_built_once_per_version_and_again_when_it_changes(get, shelf):
    listener = UserFactory()

    first = get(listener)
    get(listener)
    assert shelf.builds == 1
    shelf.version, shelf.data = 2, {"records": ["Ceremony"]}
    fresh = get(listener, etag=first["ETag"])

    assert shelf.builds == 2
    assert fresh.status_code == 200 and fresh.content == b'{"records":["Ceremony"]}'
    assert fresh["ETag"] != first["ETag"]


def test_another_listener_never_gets_the_first_ones_cached_answer_nor_a_304_for_it(get, shelf):
    owner, stranger = UserFactory(), UserFactory()
    owners = get(owner)
    shelf.data = {"records": []}  # what the stranger's own build says

    strangers = get(stranger, etag=owners["ETag"])

    assert strangers.status_code == 200 and strangers.content == b'{"records":[]}'
    assert strangers["ETag"] != owners["ETag"]
    assert shelf.builds == 2


def test_even_the_same_bytes_carry_a_different_etag_for_another_listener(get):
    owner, stranger = UserFactory(), UserFactory()

    owners = get(owner, view="plain")
    strangers = get(stranger, view="plain", etag=owners["ETag"])

    assert strangers.status_code == 200 and strangers.content == owners.content
    assert strangers["ETag"] != owners["ETag"]


def test_a_plain_answer_is_built_every_time_and_304_only_while_its_bytes_are_the_same(get, shelf):
    listener = UserFactory()
    first = get(listener, view="plain")

    assert get(listener, view="plain", etag=first["ETag"]).status_code == 304
    shelf.data = {"records": ["Ceremony"]}
    assert get(listener, view="plain", etag=first["ETag"]).status_code == 200
    assert shelf.builds == 3


def test_a_failed_build_is_not_cached(get, shelf):
    listener = UserFactory()
    shelf.data = None
    with pytest.raises(ValueError):
        get(listener)

    shelf.data = {"records": ["Temptation"]}
    assert get(listener).content == b'{"records":["Temptation"]}'


def test_the_browsable_api_is_rendered_as_usual_and_never_cached(get, shelf):
    listener = UserFactory()

    page = get(listener, accept="text/html")
    get(listener, accept="text/html")

    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert not page.has_header("ETag")
    assert shelf.builds == 2
