"""What other apps use: `from llm.services import complete_json, AllProvidersDown`."""

from llm.services.errors import AllProvidersDown, AnswersRefused, LLMError, RequestRejected
from llm.services.router import CheckFailed, LLMResult, complete_json, complete_text

__all__ = [
    "AllProvidersDown",
    "AnswersRefused",
    "CheckFailed",
    "LLMError",
    "LLMResult",
    "RequestRejected",
    "complete_json",
    "complete_text",
]
