"""Providers in the admin: the key can be set or cleared but is never shown, and pointing a
provider elsewhere (base_url, kind) drops it; providers from LLM_PROVIDERS are read-only here;
router actions need llm.change_provider, like the staff API's."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.http import HttpResponseRedirect

from llm.models import LLMCall, Provider, ProviderHealth
from llm.selectors import with_key_flag
from llm.services import circuit
from llm.services.errors import ProviderDisabled
from llm.services.health import check_providers


KEY_GOES_WITH_ENDPOINT = "Changing the base URL or the kind removes the stored API key: type it again here."


class ProviderForm(forms.ModelForm):
    base_url = forms.URLField(
        max_length=500,
        assume_scheme="https",
        help_text=f"{Provider._meta.get_field('base_url').help_text} {KEY_GOES_WITH_ENDPOINT}",
    )
    # The stored key is not a form field at all, so no page can render it back.
    new_api_key = forms.CharField(
        label="Set API key",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=f"Leave empty to keep the stored key. {KEY_GOES_WITH_ENDPOINT}",
    )
    clear_api_key = forms.BooleanField(label="Remove the stored API key", required=False)

    class Meta:
        model = Provider
        exclude = ("api_key",)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_api_key") and cleaned.get("clear_api_key"):
            raise forms.ValidationError("Set a new key or remove the stored one, not both.")
        return cleaned


FROM_ENVIRONMENT = (
    "This provider comes from LLM_PROVIDERS: change it (its key too, with api_key or api_key_env) "
    "in the environment and run manage.py sync_llm_providers."
)


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    form = ProviderForm
    list_display = (
        "name",
        "kind",
        "model",
        "priority",
        "enabled",
        "key_set",
        "circuit",
        "failures",
        "opened_until",
        "last_checked",
        "from_environment",
    )
    list_filter = ("kind", "json_mode", "enabled", "from_environment")
    search_fields = ("name", "model")
    ordering = ("priority", "name")
    readonly_fields = ("key_set", "circuit", "failures", "opened_until", "last_checked", "last_error")
    fieldsets = (
        (None, {"fields": ("name", "kind", "base_url", "model", "json_mode", "priority", "enabled")}),
        ("Limits", {"fields": ("connect_timeout", "read_timeout", "max_tokens")}),
        ("API key", {"fields": ("key_set", "new_api_key", "clear_api_key")}),
        ("Circuit", {"fields": ("circuit", "failures", "opened_until", "last_checked", "last_error")}),
    )
    # delete_selected replaces the site's action of that name (a ModelAdmin's own action wins).
    actions = ["delete_selected", "force_provider", "unforce_provider", "reset_router", "check_now"]

    def get_queryset(self, request):
        return with_key_flag(super().get_queryset(request)).select_related("health")

    # A provider from LLM_PROVIDERS is rewritten from the environment on every deploy: an edit
    # here would be silently undone, so it is read-only (its key included) and cannot be deleted.
    # The router actions still work on it: they change the router's state, not the provider.
    def has_change_permission(self, request, obj: Provider | None = None) -> bool:
        return super().has_change_permission(request, obj) and not (obj and obj.from_environment)

    def has_delete_permission(self, request, obj: Provider | None = None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.from_environment)

    def delete_queryset(self, request, queryset) -> None:
        # The last word, whatever reaches it: the action below has already left these out.
        super().delete_queryset(request, queryset.filter(from_environment=False))

    @admin.action(description="Delete selected %(verbose_name_plural)s", permissions=("delete",))
    def delete_selected(self, request, queryset):
        """Django's delete (confirmation page, then delete), of the selected admin providers only.
        Django's own would refuse the whole selection once it held one from LLM_PROVIDERS, saying
        the user lacks a permission they have; this says which were left and why."""
        kept = sorted(queryset.filter(from_environment=True).values_list("name", flat=True))
        if kept:
            self.message_user(
                request,
                f"Not deleted: {', '.join(kept)} (from LLM_PROVIDERS). Drop a provider from "
                "LLM_PROVIDERS and run manage.py sync_llm_providers: it is then disabled and can "
                "be deleted here.",
                messages.WARNING,
            )
        deletable = queryset.filter(from_environment=False)
        if not deletable.exists():
            return None  # back to the list, with the message
        return django_delete_selected(self, request, deletable)

    def get_fieldsets(self, request, obj: Provider | None = None):
        if obj is None or not obj.from_environment:
            return self.fieldsets
        return tuple(
            (name, {**options, "fields": ("key_set",), "description": FROM_ENVIRONMENT})
            if name == "API key"
            else (name, options)
            for name, options in self.fieldsets
        )

    def save_model(self, request, obj, form, change) -> None:
        new_key, clear = form.cleaned_data.get("new_api_key"), form.cleaned_data.get("clear_api_key")
        if new_key or clear:
            obj.set_api_key(None if clear else new_key)
        # Model.save drops the key of a provider pointed elsewhere; say so, since it was not asked.
        request.llm_key_dropped = (
            not (new_key or clear) and obj.endpoint_moved and getattr(obj, "has_api_key", False)
        )
        super().save_model(request, obj, form, change)
        if request.llm_key_dropped:
            self.message_user(
                request,
                f"{obj.name}'s base URL or kind changed, so its stored API key was removed: "
                "set the key again below if the new server needs one.",
                messages.WARNING,
            )

    def response_change(self, request, obj: Provider):
        # Back to the form, whichever save button it was, where the key can be typed again.
        if getattr(request, "llm_key_dropped", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    @admin.display(boolean=True, description="key set")
    def key_set(self, obj: Provider) -> bool:
        return bool(getattr(obj, "has_api_key", False))

    def _health(self, obj: Provider) -> ProviderHealth | None:
        try:
            return obj.health
        except ProviderHealth.DoesNotExist:
            return None

    @admin.display(description="circuit")
    def circuit(self, obj: Provider) -> str:
        health = self._health(obj)
        return health.get_state_display() if health else "Closed (never called)"

    @admin.display(description="failures")
    def failures(self, obj: Provider) -> int:
        health = self._health(obj)
        return health.consecutive_failures if health else 0

    @admin.display(description="down until")
    def opened_until(self, obj: Provider):
        health = self._health(obj)
        return health.opened_until if health else None

    @admin.display(description="last check")
    def last_checked(self, obj: Provider) -> str:
        health = self._health(obj)
        if not health or not health.last_checked_at:
            return "never"
        return f"{health.last_checked_at:%Y-%m-%d %H:%M:%S} ({'ok' if health.last_check_ok else 'failed'})"

    @admin.display(description="last error")
    def last_error(self, obj: Provider) -> str:
        health = self._health(obj)
        return health.last_error if health else ""

    @admin.action(
        description="Force: send every request to this provider first", permissions=("change",)
    )
    def force_provider(self, request, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one provider to force.", messages.ERROR)
            return
        provider = queryset.get()
        try:
            circuit.force_provider(name=provider.name)
        except ProviderDisabled as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"{provider.name} is forced until unforced or reset.", messages.SUCCESS)

    @admin.action(description="Unforce: back to the priority order", permissions=("change",))
    def unforce_provider(self, request, queryset) -> None:
        circuit.unforce_provider()
        self.message_user(request, "No provider is forced.", messages.SUCCESS)

    @admin.action(
        description="Reset: forget the current and forced provider, close every circuit",
        permissions=("change",),
    )
    def reset_router(self, request, queryset) -> None:
        circuit.reset_router()
        self.message_user(request, "The router was reset.", messages.SUCCESS)

    @admin.action(
        description="Check now (a free health check; re-admits providers that are back)",
        permissions=("change",),
    )
    def check_now(self, request, queryset) -> None:
        results = check_providers(names=list(queryset.values_list("name", flat=True)))
        for result in results:
            if result.ok:
                self.message_user(
                    request, f"{result.provider}: up ({result.latency_ms} ms).", messages.SUCCESS
                )
            else:
                self.message_user(request, f"{result.provider}: down: {result.error}", messages.WARNING)


@admin.register(LLMCall)
class LLMCallAdmin(admin.ModelAdmin):
    list_display = ("created_at", "purpose", "provider_name", "model", "outcome", "latency_ms",
                    "prompt_tokens", "completion_tokens")  # fmt: skip
    list_filter = ("outcome", "provider_name", "purpose")
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
