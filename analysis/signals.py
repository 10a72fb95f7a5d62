"""What analysis announces to the rest of the product."""

from django.dispatch import Signal

analyses_settled = Signal()
"""Sent with `user_id` once a listener has no analysis batch queued or running any more: after
their last active batch ends (succeeded or failed), and after an import that found nothing to
queue for them, so a waiter is never left waiting. Sent after commit; it may come twice for the
same moment (two batches ending together), so receivers must be idempotent.

Receivers:
- routing.receivers.route_when_settled: automatic routes whose filters read analyses, which
  waited for them after the import (routing.services.auto_route);
- insights.receivers.refresh_listening_when_settled: today's listening refresh, which waited
  for them instead of polling (insights.services.after_import).
"""
