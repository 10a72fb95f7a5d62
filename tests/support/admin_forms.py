"""What a browser would post back from an admin change page, so a test can change one field."""

from __future__ import annotations

from django.forms import MultiWidget


def change_form_data(response) -> dict:
    """The change page's form as posted unchanged: editable fields only (read-only ones are not
    in the form, and a browser sends nothing for them either)."""
    form = response.context["adminform"].form
    data: dict = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(field.widget, MultiWidget):
            parts = value if isinstance(value, (list, tuple)) else field.widget.decompress(value)
            for index, part in enumerate(parts):
                data[f"{name}_{index}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, (list, tuple)):
            data[name] = [str(item) for item in value]
        elif value is not None:
            data[name] = str(value)
    return data
