"""Start the same call on several threads at once and collect what each got.

For the tests that prove the database, not Python, keeps racing callers apart: each thread
waits at a barrier, makes its call on its own database connection, and closes it after.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connections

_Result = TypeVar("_Result")


def race(callers: int, call: Callable[[], _Result], *, timeout: float = 30) -> list[_Result]:
    """Run `call` on `callers` threads released together; raise the first error any of them met."""
    barrier = threading.Barrier(callers)
    results: list[_Result] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(call())
        except BaseException as exc:  # re-raised below; a thread's exception would be lost
            errors.append(exc)
        finally:
            connections.close_all()  # each thread opened its own connections

    threads = [threading.Thread(target=run) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        raise errors[0]
    assert len(results) == callers, f"{callers - len(results)} caller(s) did not finish in {timeout} s"
    return results
