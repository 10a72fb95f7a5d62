"""The one way a domain error becomes an answer: its status and body in the API (the DRF
exception handler), and its status on the pages; everything else stays DRF's."""

from __future__ import annotations

import pytest
from django.http import Http404
from rest_framework.exceptions import NotAuthenticated, ValidationError

from core.errors import DomainError, about, exception_handler, page_status


class Busy(DomainError):
    status = 409

    def __init__(self, message: str, *, active: int) -> None:
        super().__init__(message)
        self.active = active

    def extra(self) -> dict:
        return {"active_event": self.active}


class AboutName(DomainError):
    field = "name"


class SlowDown(DomainError):
    status = 429
    retry_after = 120


def test_a_domain_error_answers_its_status_and_message():
    response = exception_handler(Busy("Route #3 is running.", active=3), {})

    assert (response.status_code, response.data) == (409, {"detail": "Route #3 is running.", "active_event": 3})


def test_an_error_about_one_field_answers_under_that_field():
    response = exception_handler(AboutName("Give it a name."), {})

    assert (response.status_code, response.data) == (400, {"name": ["Give it a name."]})


def test_a_rate_limit_says_when_to_come_back():
    response = exception_handler(SlowDown("Spotify asks us to slow down."), {})

    assert (response.status_code, response["Retry-After"]) == (429, "120")


def test_about_puts_a_plain_refusal_under_the_views_field_and_leaves_others_alone():
    with pytest.raises(DomainError) as plain, about("playlist"):
        raise DomainError("Not one of yours.")
    with pytest.raises(Busy) as conflict, about("playlist"):
        raise Busy("Busy.", active=1)

    assert exception_handler(plain.value, {}).data == {"playlist": ["Not one of yours."]}
    assert exception_handler(conflict.value, {}).data == {"detail": "Busy.", "active_event": 1}


def test_other_exceptions_are_drfs_or_left_to_django():
    assert exception_handler(ValidationError({"x": ["bad"]}), {}).status_code == 400
    assert exception_handler(NotAuthenticated(), {}).status_code == 401
    assert exception_handler(RuntimeError("boom"), {}) is None  # a 500, Django's


def test_pages_answer_the_same_status_and_a_404_is_djangos_own_page():
    class Gone(DomainError):
        status = 404

    assert page_status(Busy("Busy.", active=1)) == 409
    with pytest.raises(Http404):
        page_status(Gone("No such base."))
