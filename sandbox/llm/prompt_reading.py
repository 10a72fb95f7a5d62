"""Reading a chat request's prompt the way a model does: the text it was given to work on."""

from __future__ import annotations

from typing import Any


def user_text(messages: Any) -> str:
    """The non-system messages' text. The system prompt only describes the task (and may name
    the data markers as instructions); the data itself comes in the other messages."""
    parts = []
    for message in messages if isinstance(messages, list) else ():
        if not isinstance(message, dict) or message.get("role") == "system":
            continue
        content = message.get("content")
        if isinstance(content, list):  # OpenAI content parts
            content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        parts.append(str(content or ""))
    return "\n".join(parts)
