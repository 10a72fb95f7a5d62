"""Tests of the Spotify sandbox process itself, through HTTP only."""
