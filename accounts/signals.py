"""Signals other apps listen to, so accounts never imports them (arrows point at accounts)."""

from django.dispatch import Signal

# Sent after every Spotify sign-in, once the tokens are stored, with `user` and
# `created` (True for a new listener). `sync` answers it by enqueuing the import.
spotify_signed_in = Signal()
