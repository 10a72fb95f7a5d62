"""The authenticated Spotify client. Import from here: `from accounts.spotify import get_spotify_client`."""

from accounts.spotify.client import SpotifyClient, get_spotify_client
from accounts.spotify.policy import SpotifyRequestStats

__all__ = ["SpotifyClient", "SpotifyRequestStats", "get_spotify_client"]
