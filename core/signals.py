"""Signals core sends about the runs of every app (core.runs.QueuedRun)."""

from django.dispatch import Signal

# A run was ended by no worker of its own: the broker refused its task, it was cancelled, or its
# dead worker's run was failed. Sent with sender=<the run's model> and pk=<its id>, inside the
# transaction that ended it; what a worker would have told others when it ended, a receiver says.
run_ended_without_worker = Signal()
