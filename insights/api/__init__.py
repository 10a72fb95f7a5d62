"""The insights API, by topic: history, listening snapshots, written insights."""
