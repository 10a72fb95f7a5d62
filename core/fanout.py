"""Listener rounds as many small tasks: the round queues one task per chunk of listeners.

A round that walks every listener inside one task runs into the task's time limit at a few
hundred listeners: the cluster kills it and the same listeners miss out every time, and one
listener's trouble can stop everyone after them. Fanned out, each chunk is its own task with
its own time limit and its own job record (failed or not), and the round itself only queues.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings

from core.queues import Queue, enqueue

logger = logging.getLogger(__name__)


@dataclass
class FanOut:
    """What a round queued: task ids, and the chunks the broker refused (each a list of ids)."""

    task_ids: list[str] = field(default_factory=list)
    listeners: int = 0
    refused: list[list[int]] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.listeners} listener(s) in {len(self.task_ids)} task(s)"
        return text + (f", {len(self.refused)} chunk(s) refused by the broker" if self.refused else "")


def chunks(ids: Sequence[int], *, size: int) -> list[list[int]]:
    return [list(ids[start : start + size]) for start in range(0, len(ids), size)]


def fan_out(
    *,
    task: str,
    user_ids: Sequence[int],
    queue: Queue,
    time_limit: int,
    label: str,
    extra_args: tuple = (),
    chunk_size: int | None = None,
) -> FanOut:
    """Queue `task(chunk, *extra_args)` for each chunk of `user_ids` on `queue`, each with
    `time_limit` seconds. A chunk the broker refuses is logged and counted, never raised: the
    chunks already queued run, and the next round asks again."""
    size = chunk_size or settings.LISTENER_ROUND_CHUNK
    done = FanOut(listeners=len(user_ids))
    for number, chunk in enumerate(chunks(user_ids, size=size), 1):
        try:
            task_id = enqueue(
                task, chunk, *extra_args, queue=queue, time_limit=time_limit, task_name=f"{label} {number}"
            )
        except Exception:  # the broker is away: the next round covers these listeners
            logger.exception("%s: the broker refused chunk %s (%s listener(s))", label, number, len(chunk))
            done.refused.append(chunk)
        else:
            done.task_ids.append(task_id)
    return done
