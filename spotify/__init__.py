"""Everything that speaks to Spotify's Web API and Accounts service, and nothing else does.

Import the modules themselves (`from spotify import api`, `from spotify.client import
get_spotify_client`): this package is an installed app, so its `__init__` stays empty of
model imports.
"""
