"""LLM providers, their circuits, the router's shared state and a record of every provider call.

Configuration (Provider) and runtime state (ProviderHealth, RouterState) are separate rows:
an admin saving a provider writes every column of its row, and would otherwise overwrite a
circuit another process has just opened. All state lives in the database so every web and
cluster process routes alike.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from core.encryption import EncryptedTextField


class ProviderKind(models.TextChoices):
    # Any OpenAI-compatible server: OpenAI, vLLM, RunPod's vLLM worker (/v2/{endpoint}/openai/v1),
    # Ollama's /v1, llama.cpp's server.
    OPENAI = "openai", "OpenAI-compatible"
    OLLAMA = "ollama", "Ollama (native /api/chat)"
    RUNPOD = "runpod", "RunPod serverless (/runsync)"


class JsonMode(models.TextChoices):
    """How an openai-kind provider is asked for JSON that fits a schema: servers that all speak
    /chat/completions still disagree on this one field."""

    # OpenAI's {"type": "json_schema", "json_schema": {"name", "schema"}}: OpenAI, vLLM, RunPod.
    JSON_SCHEMA = "json_schema", "json_schema (OpenAI, vLLM, RunPod)"
    # {"type": "json_object", "schema": {...}}: llama.cpp's server (llama-cpp-python), which
    # answers OpenAI's form with HTTP 500 and turns this one into a grammar.
    JSON_OBJECT_SCHEMA = "json_object_schema", "json_object + schema (llama.cpp server)"


class Provider(models.Model):
    name = models.SlugField(max_length=64, unique=True, help_text="Letters, digits, - and _.")
    kind = models.CharField(max_length=16, choices=ProviderKind.choices)
    base_url = models.URLField(
        max_length=500,
        help_text=(
            "openai: the URL before /chat/completions (…/v1); ollama: the server root; "
            "runpod: https://api.runpod.ai/v2/{endpoint}."
        ),
    )
    model = models.CharField(max_length=200)
    json_mode = models.CharField(
        "structured output",
        max_length=32,
        choices=JsonMode.choices,
        default=JsonMode.JSON_SCHEMA,
        help_text=(
            "How an openai-kind provider is sent the JSON schema: llama.cpp's server needs "
            "json_object + schema. Ollama and RunPod have one form each: leave json_schema."
        ),
    )
    # NULL for servers without auth (a local Ollama or vLLM): NULL, unlike a ciphertext,
    # can be tested without decrypting ("has a key?" in lists).
    api_key = EncryptedTextField(null=True, blank=True, default=None)
    priority = models.PositiveIntegerField(default=100, help_text="Lower is preferred.")
    enabled = models.BooleanField(default=True)
    connect_timeout = models.FloatField(default=5.0, help_text="Seconds.")
    read_timeout = models.FloatField(default=120.0, help_text="Seconds.")
    max_tokens = models.PositiveIntegerField(default=1024)
    # Set by sync_llm_providers: such a provider is rewritten from LLM_PROVIDERS on every deploy.
    from_environment = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("priority", "name")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ProviderKind.values), name="llm_provider_kind_valid"),
            # Ollama and RunPod have one way each: another value there would be a setting that
            # silently does nothing.
            models.CheckConstraint(
                condition=Q(json_mode=JsonMode.JSON_SCHEMA)
                | Q(kind=ProviderKind.OPENAI, json_mode__in=JsonMode.values),
                name="llm_provider_json_mode_valid",
                violation_error_message="Only an openai-kind provider has a choice of structured output.",
            ),
            models.CheckConstraint(
                condition=Q(connect_timeout__gt=0, read_timeout__gt=0), name="llm_provider_timeouts_positive"
            ),
            models.CheckConstraint(condition=Q(max_tokens__gt=0), name="llm_provider_max_tokens_positive"),
        ]

    # A key belongs to the server it was given for: a save that points the provider at another
    # base_url or kind drops the stored key, unless set_api_key() gave one for the new endpoint.
    # Otherwise whoever may edit a provider could have its key sent to a host of their choice.
    _loaded_endpoint: tuple[str | None, str | None] | None = None
    _key_given = False

    @classmethod
    def from_db(cls, db, field_names, values):
        provider = super().from_db(db, field_names, values)
        provider._loaded_endpoint = provider._endpoint()
        return provider

    def refresh_from_db(self, *args, **kwargs) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._loaded_endpoint = self._endpoint()

    def _endpoint(self) -> tuple[str | None, str | None]:
        # From __dict__: looking at a deferred field would load it.
        return self.__dict__.get("kind"), self.__dict__.get("base_url")

    def set_api_key(self, key: str | None) -> None:
        """Store `key` (empty: none) for the endpoint this provider is saved with."""
        self.api_key = key or None
        self._key_given = True

    @property
    def endpoint_moved(self) -> bool:
        """Whether base_url or kind differ from what was loaded (False for a new provider)."""
        if self._loaded_endpoint is None:
            return False
        return any(
            loaded is not None and loaded != now
            for loaded, now in zip(self._loaded_endpoint, self._endpoint(), strict=True)
        )

    def save(self, *args, **kwargs) -> None:
        if self.endpoint_moved and not self._key_given:
            self.api_key = None
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "api_key"}
        # Deferred (the admin never loads it) means untouched: reading it would decrypt it.
        if "api_key" not in self.get_deferred_fields() and not self.api_key:
            self.api_key = None
        super().save(*args, **kwargs)
        self._loaded_endpoint, self._key_given = self._endpoint(), False

    def __str__(self) -> str:
        # The key never: __str__ feeds repr, admin lists and log lines.
        return self.name


class CircuitState(models.TextChoices):
    CLOSED = "closed", "Closed (in use)"
    OPEN = "open", "Open (down, cooling off)"
    HALF_OPEN = "half_open", "Half-open (one trial call)"


class ProviderHealth(models.Model):
    """One provider's circuit: closed (used), open (skipped until `opened_until`), half-open
    (one process holds the trial call, claimed by a conditional UPDATE)."""

    provider = models.OneToOneField(
        Provider, on_delete=models.CASCADE, primary_key=True, related_name="health"
    )
    state = models.CharField(max_length=16, choices=CircuitState.choices, default=CircuitState.CLOSED)
    consecutive_failures = models.PositiveIntegerField(default=0)
    opened_until = models.DateTimeField(null=True, blank=True)
    # When the half-open trial was claimed: a trial older than the provider's timeouts belongs
    # to a process that died, and may be claimed again.
    trial_started_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_check_ok = models.BooleanField(null=True)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "provider health"
        constraints = [
            models.CheckConstraint(condition=Q(state__in=CircuitState.values), name="llm_health_state_valid"),
            models.CheckConstraint(
                condition=~Q(state="open") | Q(opened_until__isnull=False), name="llm_health_open_has_until"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id}: {self.state}"


class RouterState(models.Model):
    """The one row every process reads: the forced provider and the router's current choice."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    forced_provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The provider that answered the latest request: what the router is using now.
    current_provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    forced_at = models.DateTimeField(null=True, blank=True)
    reset_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="llm_router_state_singleton")]

    def __str__(self) -> str:
        return "LLM router state"


class CallOutcome(models.TextChoices):
    OK = "ok", "Answered"
    INVALID = "invalid", "Answer not valid for the schema"
    UNAVAILABLE = "unavailable", "Provider failed (connection, timeout, 5xx, 429, auth)"
    REJECTED = "rejected", "Request refused (4xx)"


class LLMCall(models.Model):
    """One request to one provider (a repair or a fail-over is a row of its own)."""

    provider = models.ForeignKey(Provider, null=True, on_delete=models.SET_NULL, related_name="calls")
    provider_name = models.CharField(max_length=64)
    model = models.CharField(max_length=200)
    purpose = models.CharField(max_length=100)
    outcome = models.CharField(max_length=16, choices=CallOutcome.choices)
    latency_ms = models.PositiveIntegerField()
    prompt_tokens = models.PositiveIntegerField(null=True)
    completion_tokens = models.PositiveIntegerField(null=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = "LLM call"

    def __str__(self) -> str:
        return f"{self.provider_name} {self.purpose} {self.outcome}"
