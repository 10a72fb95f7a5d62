"""How every API view reads what it is sent, beyond DRF's defaults: ids in URLs and bodies are
bounded, query parameters are read strictly, and pages are numbered from 1.

- `IdConverter` (the `<id:pk>` of every API URL): 1 to 18 digits, so below 2**63, the largest key
  every database holds. A longer number matches no URL (a JSON 404, core.middleware) instead of
  overflowing an integer in a query (SQLite raises OverflowError on a foreign key lookup).
- `IdField`: an id in a body or query, with the same bounds (400 past them).
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

MAX_ID = 10**18 - 1  # 18 digits: below 2**63 - 1
MAX_PAGE = 10**9
BLANK = "Give a value, or leave the parameter out."
BAD_PAGE = "A page is a whole number from 1."


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: Any) -> str:
        return str(value)


# How drf-spectacular describes `<id:...>` (SPECTACULAR_SETTINGS["PATH_CONVERTER_OVERRIDES"]).
ID_SCHEMA = {"type": "integer", "minimum": 0, "maximum": MAX_ID}


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class QuerySerializer(serializers.Serializer):
    """Query parameters: a parameter given blank is refused, unless its field allows blank."""

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


__all__ = ["ID_SCHEMA", "IdConverter", "IdField", "MAX_ID", "PageNumbers", "PageQuery", "QuerySerializer"]
