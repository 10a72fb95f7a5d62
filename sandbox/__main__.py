"""`python -m sandbox --port N`: the Spotify sandbox as its own process."""

from sandbox.cli import main

raise SystemExit(main())
