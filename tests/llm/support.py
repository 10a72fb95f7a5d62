"""Helpers shared by the llm tests."""

from __future__ import annotations

MOOD_SCHEMA = {
    "type": "object",
    "properties": {
        "mood": {"type": "string", "enum": ["joyful", "melancholic", "calm", "angry"]},
        "energy": {"type": "integer", "minimum": 0, "maximum": 10},
    },
    "required": ["mood", "energy"],
    "additionalProperties": False,
}
MESSAGES = [
    {"role": "system", "content": "You describe songs."},
    {"role": "user", "content": "The mood of 'Road trip' by Artist 1, as JSON."},
]
# The routes that cost money; everything else (model lists, /health) is free.
ANSWERING = ("chat/completions", "/api/chat", "/runsync")


def answering_calls(counters: dict, provider: str) -> int:
    """How many completion requests `provider` received, according to the sandbox."""
    return sum(
        count
        for key, count in counters["by_route"].items()
        if key.split(" ", 1)[0] == provider and any(route in key for route in ANSWERING)
    )


def routes_of(counters: dict, provider: str) -> set[str]:
    return {key.split(" ", 1)[1] for key in counters["by_route"] if key.split(" ", 1)[0] == provider}
