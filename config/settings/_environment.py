"""Where the project lives, and the environment file, read before any setting is: every settings
module takes `env` from here, so the file is loaded whichever of them is imported first."""

from __future__ import annotations

import os
from pathlib import Path

from config import env

__all__ = ["BASE_DIR", "VAR_DIR", "env"]

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

# An explicit ENV_FILE wins (the demo points it at var/demo.env); otherwise a
# developer's .env in the project root. Real environment variables always win.
env.load_env_file(path=Path(os.environ.get("ENV_FILE", BASE_DIR / ".env")))
