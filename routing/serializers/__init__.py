"""Serializers of the routing API: `setup` (bases, children, previews, filter fields) and `runs`
(route runs, their status, backups)."""
