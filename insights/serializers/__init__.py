"""Serializers of the insights API, by topic."""
