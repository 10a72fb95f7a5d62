"""Shared by the analysis tests: an LLM provider plus LRCLIB on the sandbox (the fake queue is
tests/conftest.py's)."""

from __future__ import annotations

from tests.analysis.fixtures import analysis_llm  # noqa: F401  (a fixture)
