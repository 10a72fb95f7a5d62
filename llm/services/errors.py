"""The llm app's domain errors: what callers catch, and what adapters raise to the router."""

from __future__ import annotations

from core.errors import DomainError


class LLMError(Exception):
    """Base of every error this app raises to its callers."""


class AllProvidersDown(LLMError):
    """No provider could answer now: retry the task after `retry_after` seconds, do not fail it."""

    def __init__(self, *, retry_after: int, detail: str = "") -> None:
        self.retry_after = retry_after
        message = f"No LLM provider is available; retry in {retry_after} s."
        super().__init__(f"{message} {detail}".strip())


class RequestRejected(LLMError):
    """Every provider that was asked refused the request itself (HTTP 400/413/422): the prompt,
    not the providers, is at fault, so retrying would not help and no circuit was opened."""


class AnswersRefused(LLMError):
    """Every provider that answered was refused by the caller's check, each after one repair
    (complete_json's `check`): no answer to use; `passed_over` says who was asked and why not."""

    def __init__(self, message: str, *, passed_over: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.passed_over = passed_over


class UnknownProvider(LLMError, DomainError):
    """No provider has that name (400 about the request's `provider`)."""

    field = "provider"


class ProviderDisabled(LLMError, DomainError):
    """The provider exists but is disabled, so it cannot be forced (400 about `provider`)."""

    field = "provider"


# --- raised by adapters (llm.services.clients), handled by the router --------------------------


class ProviderFailure(Exception):
    """The provider did not answer usefully: connection, timeout, 5xx, 429, auth, unknown model,
    an unreadable body. Opens its circuit; the request moves on to the next provider."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ProviderRejected(Exception):
    """The provider refused this request (400/413/422). Its circuit stays closed: another
    provider may accept it, and one bad prompt must not take every provider down."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def unexpected_failure(exc: Exception) -> ProviderFailure:
    """What a provider's turn raised besides the two above (an answer of a shape nothing expected,
    a bug of ours in reading one), as that provider failing: the router moves on, the circuit
    opens. In fixed words: the exception's message may quote the answer."""
    return ProviderFailure(f"Unexpected error ({type(exc).__name__}).")
