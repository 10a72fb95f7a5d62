"""Offline stand-ins for LLM servers (OpenAI-compatible, RunPod Serverless, Ollama) and LRCLIB lyrics.

Start it with `python -m sandbox.llm --port 8766`. One process serves several providers side
by side under path prefixes (`/primary/v1`, `/fallback/api/chat`, ...), so tests can fault one
and keep the other. Like the Spotify sandbox it runs without Django; product code reaches it
only through base URLs in settings.
"""
