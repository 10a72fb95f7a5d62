"""What analysis announces to the rest of the product."""

from django.dispatch import Signal

analyses_settled = Signal()
"""Sent with `user_id` once a listener has no analysis batch queued or running any more: after
their last active batch ends (completed or failed), and after an import that found nothing to
queue for them, so a waiter is never left waiting. Sent after commit; it may come twice for the
same moment (two batches ending together), so receivers must be idempotent.

Receivers (to be wired): routing waits for it before an auto-route whose filters read analyses;
insights' listening refresh waits for it instead of polling.
"""
