"""allauth's Spotify provider with base URLs from settings and a Bearer header for /me.

allauth's own provider hard-codes accounts.spotify.com / api.spotify.com (so the sandbox
could not stand in) and sends the token as a query parameter, which Spotify rejects.
"""
