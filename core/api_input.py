"""How every API view reads what it is sent, beyond DRF's defaults: ids in URLs and bodies are
bounded, query parameters are read strictly, and pages are numbered from 1.

- `IdConverter` (the `<id:pk>` of every API URL): 1 to 18 digits, so below 2**63, the largest key
  every database holds. A longer number matches no URL (a JSON 404, core.middleware) instead of
  overflowing an integer in a query (SQLite raises OverflowError on a foreign key lookup).
- `IdField`: an id in a body or query, with the same bounds (400 past them).
- `JsonBody`: a JSON body whose values have the JSON type the schema gives them: DRF reads 0 as
  false, "5" as 5 and 5 as "5", which the schema (boolean, integer, string) does not allow.
- `QuerySerializer`: query parameters where `?date_to=` (given but blank) is refused at its name;
  DRF reads an optional field sent blank from a form-like input as left out.
- `PageNumbers`: DRF's page numbers, where a page that is not a whole number from 1 is a 400 at
  `page` (DRF: a 404) and the schema says so (minimum 1); a page past the last stays a 404.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings

MAX_ID = 10**18 - 1  # 18 digits: below 2**63 - 1
MAX_PAGE = 10**9
BLANK = "Give a value, or leave the parameter out."
BAD_PAGE = "A page is a whole number from 1."


class IdConverter:
    # drf-spectacular describes it as SPECTACULAR_SETTINGS["PATH_CONVERTER_OVERRIDES"]["id"] says.
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: Any) -> str:
        return str(value)


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


TYPE_MESSAGES = {
    bool: "Must be true or false.",
    int: "Must be a whole number.",
    float: "Must be a number.",
    str: "Must be a string.",
    list: "Must be a list.",
    dict: "Must be an object.",
}


def json_type(field: serializers.Field) -> type | None:
    """The JSON type a field's schema says, or None when it takes any (JSONField)."""
    if isinstance(field, serializers.BooleanField):
        return bool
    if isinstance(field, serializers.IntegerField):
        return int
    if isinstance(field, serializers.FloatField | serializers.DecimalField):
        return float
    if isinstance(field, serializers.ChoiceField):
        return str if all(isinstance(choice, str) for choice in field.choices) else None
    if isinstance(field, serializers.CharField | serializers.DateField | serializers.DateTimeField):
        return str
    if isinstance(field, serializers.ListField | serializers.ListSerializer):
        return list
    if isinstance(field, serializers.DictField | serializers.Serializer):
        return dict
    return None


def wrong_json_type(field: serializers.Field, value: Any) -> str | None:
    """Why `value` does not have `field`'s JSON type (a list's items included), or None."""
    if value is None:
        return None  # allow_null is the field's own check
    wanted = json_type(field)
    if wanted is None:
        return None
    if wanted is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif wanted is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, wanted)
    if not ok:
        return TYPE_MESSAGES[wanted]
    if isinstance(field, serializers.ListField) and field.child is not None:
        for item in value:
            message = wrong_json_type(field.child, item)
            if message:
                return f"Each item: {message}"
    return None


class JsonBody(serializers.Serializer):
    # A request body read as JSON says it: each value of the JSON type its field's schema gives.
    # (A comment, not a docstring: the schema would show it as every subclass's description.)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, dict):
            return super().to_internal_value(data)
        wrong = {
            name: [message]
            for name, field in self.fields.items()
            if not field.read_only and name in data and (message := wrong_json_type(field, data[name]))
        }
        if not wrong:
            return super().to_internal_value(data)
        # The other fields' messages too, as a refusal of the whole body would give them.
        errors: dict = {}
        try:
            super().to_internal_value({key: value for key, value in data.items() if key not in wrong})
        except ValidationError as exc:
            detail = exc.detail
            errors = dict(detail) if isinstance(detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: detail}
        raise ValidationError({**errors, **wrong})


class QuerySerializer(serializers.Serializer):
    # Query parameters: a parameter given blank is refused, unless its field allows blank.

    def to_internal_value(self, data: Any) -> Any:
        blank = {
            name: [BLANK]
            for name, field in self.fields.items()
            if name in data and data.get(name) == "" and not getattr(field, "allow_blank", False)
        }
        if blank:
            raise ValidationError(blank)
        return super().to_internal_value(data)


class PageQuery(QuerySerializer):
    """`?page=` of a view that pages a part of its answer itself (a playlist's items): for
    extend_schema(parameters=[PageQuery]); PageNumbers reads it."""

    page = serializers.IntegerField(
        min_value=1, max_value=MAX_PAGE, required=False, help_text="A page number, from 1; past the last page: 404."
    )


class PageNumbers(PageNumberPagination):
    """REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"], and the base of every page-numbered list."""

    last_page_strings = ()  # the schema says a page is a number; "last" is not one
    invalid_page_message = "No such page: past the last one."

    def get_page_number(self, request, paginator) -> int:
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE:
            raise ValidationError({self.page_query_param: [BAD_PAGE]})
        return int(raw)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}
                parameter["description"] = "A page number, from 1; past the last page: 404."
        return parameters


__all__ = [
    "IdConverter",
    "IdField",
    "JsonBody",
    "MAX_ID",
    "PageNumbers",
    "PageQuery",
    "QuerySerializer",
]
