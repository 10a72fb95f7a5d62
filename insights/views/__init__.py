"""The insights pages, by topic: history, snapshots (the Insights page), written insights, staff."""
