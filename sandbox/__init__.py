"""Offline stand-in for the Spotify Web API and Accounts service, run as its own process.

Start it with `python -m sandbox --port 8765` (or `manage.py sandbox`). The package
must import and run without Django; product code never imports it and reaches it
only through the SPOTIFY_API_URL / SPOTIFY_ACCOUNTS_URL settings.
"""
