"""The markup of a listener's table that stacks on a phone (app.css, table.list.stacked): each cell
but its heading and position names its column in data-label, and the name is the column's header."""

from __future__ import annotations

from html.parser import HTMLParser


class _StackedTables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []  # {"headers": [...], "rows": [[(attrs, column), ...], ...]}
        self._table: dict | None = None
        self._in_th = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = (values.get("class") or "").split()
        if tag == "table" and "stacked" in classes:
            self._table = {"headers": [], "rows": [], "column": 0}
            self.tables.append(self._table)
        elif self._table is None:
            return
        elif tag == "th":
            self._in_th = True
            self._table["headers"].append("")
        elif tag == "tr":
            self._table["rows"].append([])
            self._table["column"] = 0
        elif tag == "td":
            table = self._table
            table["rows"][-1].append((values, table["column"]))
            table["column"] += int(values.get("colspan") or 1)

    def handle_endtag(self, tag: str) -> None:
        if tag == "th":
            self._in_th = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._table is not None and self._in_th:
            self._table["headers"][-1] = (self._table["headers"][-1] + data).strip()


def stacked_table_problems(html: str) -> tuple[int, list[str]]:
    """How many stacked tables the page holds, and each cell that is unnamed or misnamed."""
    parser = _StackedTables()
    parser.feed(html)
    problems = []
    for table in parser.tables:
        headers = table["headers"]
        for row in table["rows"]:
            for position, (attrs, column) in enumerate(row):
                classes = (attrs.get("class") or "").split()
                label = attrs.get("data-label")
                if label is None:
                    # The row's heading and its position need no name; nor does a note across columns.
                    unnamed = {"stack-head", "stack-pos"} & set(classes) or int(attrs.get("colspan") or 1) > 1
                    if not (unnamed or position == 0):
                        problems.append(f"column {column} ({headers[column]}) has no data-label")
                elif label != headers[column]:
                    problems.append(f"column {column} is “{headers[column]}” but its cells say “{label}”")
    return len(parser.tables), problems
