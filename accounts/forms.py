"""The dashboard's form for a new API token. It checks the shape of what was posted; whether
the name is free and the listener may have another token is the service's word, so the page and
the API refuse the same things with the same messages."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from accounts.models import ApiToken

# Days until expiry offered on the page (the API takes any future time).
EXPIRY_CHOICES = [("", "Never (until revoked)"), ("7", "In 7 days"), ("30", "In 30 days"),
                  ("90", "In 90 days"), ("365", "In a year")]  # fmt: skip


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=ApiToken.NAME_MAX_LENGTH,
        label="Name",
        help_text="The device or script that will use it, such as “phone” or “laptop”.",
    )
    expires_in = forms.TypedChoiceField(
        choices=EXPIRY_CHOICES, coerce=int, empty_value=None, required=False, label="Expires"
    )

    def expires_at(self) -> datetime | None:
        days = self.cleaned_data["expires_in"]
        return None if days is None else timezone.now() + timedelta(days=days)
