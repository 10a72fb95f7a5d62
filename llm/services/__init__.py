"""What other apps use: `from llm.services import complete_json, AllProvidersDown`."""

from llm.services.errors import AllProvidersDown, LLMError, RequestRejected
from llm.services.router import LLMResult, complete_json, complete_text

__all__ = ["AllProvidersDown", "LLMError", "LLMResult", "RequestRejected", "complete_json", "complete_text"]
