"""Local development and the offline demo: DEBUG on unless the environment says otherwise."""

import os

os.environ.setdefault("DEBUG", "true")
# The demo shows its API docs to anyone; production (the default) only to signed-in callers.
os.environ.setdefault("API_DOCS_PUBLIC", "true")

from config.settings.base import *  # noqa: E402,F403

# Serve static files straight from the app folders, no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
