"""`python -m sandbox.llm --port N`: the LLM and lyrics sandbox as its own process."""

from sandbox.llm.cli import main

raise SystemExit(main())
