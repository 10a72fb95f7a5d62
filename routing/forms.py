"""Forms of the routing pages. They check the shape of what was posted; what it means (is this
playlist yours, are these filters valid in this app mode, is the base busy) is the services'
word, so the pages and the API refuse the same things with the same messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from accounts.models import User
from core.json_input import JsonInputError, parse_json
from library.models import Playlist
from routing.models import ChildMode
from routing.services.setup import NAME_MAX_LENGTH

FIRST_MATCH_LABEL = "Each track only to the first matching child"
FIRST_MATCH_HELP = "In the children's order; without it, a track goes to every child whose filters match."
AUTO_ROUTE_LABEL = "Route automatically after every import that changed the base"


class PlaylistChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Playlist) -> str:
        return f"{obj.name} ({obj.track_count} item{'s' if obj.track_count != 1 else ''})"


class BaseOptionsForm(forms.Form):
    first_match_only = forms.BooleanField(required=False, label=FIRST_MATCH_LABEL, help_text=FIRST_MATCH_HELP)
    auto_route_after_import = forms.BooleanField(required=False, label=AUTO_ROUTE_LABEL)


class CreateBaseForm(BaseOptionsForm):
    """Any of the user's playlists is accepted here: the service says why one cannot be a base."""

    playlist = PlaylistChoiceField(queryset=Playlist.objects.none(), label="Playlist", empty_label=None)
    field_order = ["playlist", "first_match_only", "auto_route_after_import"]

    def __init__(self, *args: Any, user: User, offered: list[Playlist], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["playlist"]
        field.queryset = Playlist.objects.filter(user=user)
        # The select lists only the possible ones; a stale page may still post another of theirs.
        field.widget.choices = [(p.pk, field.label_from_instance(p)) for p in offered]


class AddChildForm(forms.Form):
    playlist = PlaylistChoiceField(
        queryset=Playlist.objects.none(),
        required=False,
        label="Child playlist",
        empty_label="Create a new Spotify playlist…",
    )
    new_name = forms.CharField(
        required=False, max_length=NAME_MAX_LENGTH, label="Name of the new playlist", strip=True
    )
    # Empty: the safe default, decided by what the playlist holds (routing.services.claims).
    mode = forms.ChoiceField(
        choices=[
            ("", "Automatic: rebuild a new or empty playlist, add only to one that holds tracks"),
            *ChildMode.choices,
        ],
        initial="",
        required=False,
        widget=forms.RadioSelect,
        label="Mode",
    )
    replace_contents = forms.BooleanField(
        required=False,
        label="Replace its contents",
        help_text=(
            "Needed to rebuild a playlist that holds tracks: the first route replaces them with the "
            "base's matching tracks."
        ),
    )

    def __init__(self, *args: Any, choices: QuerySet[Playlist], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["playlist"].queryset = choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("playlist") and not cleaned.get("new_name") and "new_name" not in self.errors:
            self.add_error("new_name", "Name the new playlist, or choose one of yours above.")
        return cleaned


class ChildForm(forms.Form):
    """The filter editor's form. `filters` is the whole document as JSON: filter-editor.js
    writes it from its rows; without the script the listener edits the JSON itself."""

    name = forms.CharField(max_length=NAME_MAX_LENGTH, label="Name")
    mode = forms.ChoiceField(choices=ChildMode.choices, widget=forms.RadioSelect, label="Mode")
    replace_contents = forms.BooleanField(
        required=False,
        label="Replace its contents",
        help_text="Needed to switch an add-only child that holds tracks to rebuild.",
    )
    filters = forms.CharField(
        label="Filters (a JSON document)",
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false", "class": "json"}),
    )

    def clean_filters(self) -> Any:
        # The API's reader (core.json_input), limits included: nested past them, json.loads
        # would end in a RecursionError, a 500.
        try:
            return parse_json(self.cleaned_data["filters"], what="The filters document")
        except JsonInputError as exc:
            if exc.reason:
                raise forms.ValidationError(f"This is not a JSON document ({exc.reason}).") from None
            raise forms.ValidationError(str(exc)) from None


class MoveChildForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class WhyTrackForm(forms.Form):
    """The track a listener asks about; what it names is the service's word (routing.services.why)."""

    track = forms.CharField(
        label="Track",
        max_length=300,
        help_text="Its name, or its Spotify link or URI (Share → Copy Song Link).",
        error_messages={"required": "Name a track: its name, or its Spotify link or URI."},
    )
