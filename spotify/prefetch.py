"""Fetching known GET pages ahead, on a few threads, while the caller works on earlier ones.

An import knows the URLs of most pages it will read before it reads them (a playlist's
items total gives its page offsets). Sending them one at a time leaves the import idle for
one round trip per page; `PagePrefetcher` keeps a few in flight instead, and hands them
back in the order they were planned.

What the worker threads do, and no more:
- One plain GET per page, dispatched only after the caller's thread found no Spotify pause
  in force (accounts.SpotifyPause, read before every dispatch as before every request),
  with its own connection pool, the token the caller's thread
  took from the keeper when it dispatched the page, no retries, no database access (a
  thread would not see the caller's transaction, and SQLite write locks would race).
- A clean 2xx with a JSON body is a page. Anything else (401, 429, 403, 5xx, a timeout,
  a reset, a garbled body) goes back to the caller's thread as a `FirstAttempt`, and the
  client's session carries on from it with the whole policy (refresh, wait or raise,
  backoff, mark the credential): the policy stays in one place and a failed first try
  costs what it costs in the session.
- Every request a worker sends is counted once in the client's stats when it leaves.
  After a 429 or a 401 the workers stop sending (with that token) and leave the pages
  to the caller's thread, so the fast path never hammers a limit or a dead token.

Memory stays bounded: at most `window` pages are in flight or waiting to be consumed,
plus as many for the group being consumed. `close()` cancels what has not started and
waits a little for what has, so the counts are final when the run records them.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Hashable, Iterator, Sequence
from concurrent import futures
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

from spotify.client import SpotifyClient
from spotify.errors import SpotifyRefused
from spotify.http import FirstAttempt

logger = logging.getLogger(__name__)

# How long close() waits for requests already on the wire, so their answers (and the
# server's counters) are in before the run's totals are written; not the HTTP timeout.
CLOSE_GRACE_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One GET: an absolute URL without query string, and its query parameters."""

    url: str
    params: tuple[tuple[str, str | int], ...] = ()


@dataclass(slots=True)
class _Outcome:
    page: Any = None  # the JSON of a clean 2xx
    attempt: FirstAttempt | None = None  # sent, but not a page: the policy carries on from it
    sent: bool = False  # False: nothing left (paused or closing); the caller's thread sends it


@dataclass(slots=True, eq=False)
class _Job:
    request: PageRequest
    key: Hashable
    future: futures.Future | None = None
    held: bool = False  # a gated group's later page, until its first came back
    done: bool = False  # consumed or dropped


@dataclass(slots=True)
class _Group:
    jobs: list[_Job]
    gated: bool
    consumed: bool = False
    outstanding: int = 0  # jobs dispatched, not yet consumed or dropped


class PagePrefetcher:
    """Plan groups of pages with `add`, then read each group with `pages`, in the order added.

    Not thread-safe itself: one caller thread plans, dispatches and consumes; only the
    HTTP of dispatched pages runs elsewhere.
    """

    def __init__(
        self,
        *,
        client: SpotifyClient,
        workers: int,
        window: int | None = None,
        may_read_on: Callable[[], bool] | None = None,
    ) -> None:
        """`may_read_on`: asked (on the caller's thread) before a page of a later group is sent
        while a group is being read; False keeps the read-ahead inside the group being read."""
        self._client = client
        self._may_read_on = may_read_on
        self._stats = client.stats
        self._window = window or 2 * workers
        self._timeout = settings.SPOTIFY_HTTP_TIMEOUT
        self._pool = futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="spotify-prefetch")
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()
        self._unfinished: set[futures.Future] = set()
        self._unfinished_lock = threading.Lock()
        self._closing = threading.Event()
        self._rate_limited = threading.Event()  # a worker saw a 429: leave the rest to the policy
        self._refused_tokens: set[str] = set()  # tokens a worker saw answered 401
        self._groups: dict[Hashable, _Group] = {}
        self._queue: deque[_Job] = deque()  # not dispatched yet, in planned order
        self._outstanding = 0

    # --- the caller's side -----------------------------------------------------------
    def add(self, key: Hashable, pages: Sequence[PageRequest], *, gated: bool = False) -> None:
        """Plan a group of pages. `gated`: send its first page alone, and the others only
        once it came back as a page (when the first may well be refused, and then the
        others are not needed)."""
        if key in self._groups:
            raise ValueError(f"pages for {key!r} are already planned")
        jobs = [_Job(request=request, key=key, held=gated and n > 0) for n, request in enumerate(pages)]
        self._groups[key] = _Group(jobs=jobs, gated=gated)
        # Held pages stay out of the queue: once released, they go out as the group's own.
        self._queue.extend(job for job in jobs if not job.held)

    def __contains__(self, key: Hashable) -> bool:
        group = self._groups.get(key)
        return group is not None and not group.consumed

    def pages(self, key: Hashable) -> Iterator[Any]:
        """The group's pages in order: each as a worker got it, or as the client's policy
        got it after the worker's attempt failed. Raises what the client raises, and
        SpotifyRefused for a 4xx, as spotify.api would.

        Groups planned before this one and never read are dropped. Stopping early (an
        exception, or the caller closing the iterator) drops the rest of the group.
        """
        group = self._groups[key]
        if group.consumed:
            raise ValueError(f"pages for {key!r} were already read")
        group.consumed = True
        for other_key, other in list(self._groups.items()):
            if other_key == key:
                break
            if not other.consumed:
                self._drop(other, other.jobs)
                del self._groups[other_key]
        try:
            for index, job in enumerate(group.jobs):
                self._fill(group)
                outcome = self._wait(job)
                page = self._page(job, outcome)
                if index == 0 and group.gated:
                    # The first page came back: the rest are worth asking for.
                    for later in group.jobs[1:]:
                        later.held = False
                yield page
        finally:
            self._drop(group, group.jobs)
            del self._groups[key]

    def wind_down(self) -> None:
        """Send no page of a later group any more (the run is about to give its turn): the pages
        already sent are still there to read, and a group being read still gets its own."""
        self._queue.clear()

    def sent_any(self, key: Hashable) -> bool:
        """Whether a page of this unread group was sent (reading it wastes nothing sent)."""
        group = self._groups.get(key)
        return group is not None and not group.consumed and any(job.future is not None for job in group.jobs)

    def close(self) -> None:
        """Stop: cancel what has not started, wait briefly for what is on the wire."""
        self._closing.set()
        self._queue.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._unfinished_lock:
            running = list(self._unfinished)
        if running:
            _done, still = futures.wait(running, timeout=CLOSE_GRACE_SECONDS)
            if still:
                logger.warning("%d prefetched Spotify page(s) still in flight at close; left behind.", len(still))
        with self._sessions_lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    def __enter__(self) -> PagePrefetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- dispatching -----------------------------------------------------------------
    def _fill(self, current: _Group) -> None:
        """Dispatch planned pages in order while the window has room. The group being
        read may use a window of its own on top, so it never waits behind later groups."""
        token = self._client.session.keeper.usable_token()
        if token is None or token in self._refused_tokens or self._closing.is_set():
            return  # the policy's next request refreshes it; pages go that way meanwhile
        if self._client.session.paused_until() is not None:
            return  # Spotify paused this deployment: the caller's request raises, nothing is sent
        for job in current.jobs:
            if current.outstanding >= self._window:
                break
            if job.future is None and not job.done and not job.held:
                self._dispatch(job, current, token)
        while self._queue and self._outstanding < self._window:
            if self._may_read_on is not None and self._groups.get(self._queue[0].key) is not current:
                if not self._may_read_on():
                    return  # the run is about to give its turn: read no further than this group
            job = self._queue.popleft()
            if job.future is None and not job.done:
                self._dispatch(job, self._groups[job.key], token)

    def _dispatch(self, job: _Job, group: _Group, token: str) -> None:
        future = self._pool.submit(self._fetch, job.request, token)
        with self._unfinished_lock:
            self._unfinished.add(future)
        future.add_done_callback(self._finished)
        job.future = future
        group.outstanding += 1
        self._outstanding += 1

    def _finished(self, future: futures.Future) -> None:
        with self._unfinished_lock:
            self._unfinished.discard(future)

    def _wait(self, job: _Job) -> _Outcome:
        if job.future is None:
            return _Outcome()  # never dispatched (no usable token, or a 429/401 meanwhile)
        try:
            return job.future.result()
        except futures.CancelledError:
            return _Outcome()

    def _drop(self, group: _Group, jobs: Sequence[_Job]) -> None:
        for job in jobs:
            if job.done:
                continue
            job.done = True
            if job.future is not None:
                job.future.cancel()  # a no-op once running; its answer is then ignored
                group.outstanding -= 1
                self._outstanding -= 1
                job.future = None

    def _page(self, job: _Job, outcome: _Outcome) -> Any:
        group = self._groups[job.key]
        if job.future is not None:
            group.outstanding -= 1
            self._outstanding -= 1
            job.future = None
        job.done = True
        if outcome.sent and outcome.attempt is None:
            return outcome.page
        # Through the client: its policy carries on from the failed attempt, or sends afresh.
        response = self._client.session.request(
            "GET", job.request.url, params=list(job.request.params), resume=outcome.attempt
        )
        page = _spotify_result(response)
        if outcome.attempt is not None and outcome.attempt.response is not None:
            if outcome.attempt.response.status_code == 429:
                self._rate_limited.clear()  # waited out: the workers may go on
        return page

    # --- the workers' side -------------------------------------------------------------
    def _fetch(self, request: PageRequest, token: str) -> _Outcome:
        """One attempt, on a worker thread: HTTP and JSON only."""
        if self._closing.is_set() or self._rate_limited.is_set() or token in self._refused_tokens:
            return _Outcome()
        path = urlsplit(request.url).path
        session = self._session()
        self._stats.count_request(method="GET", path=path)
        try:
            response = session.get(
                request.url,
                params=request.params,
                headers={"Authorization": f"Bearer {token}"},
                timeout=self._timeout,
            )
        except requests.RequestException as exc:
            failure = f"{exc.__class__.__name__} on GET {path}"
            return _Outcome(attempt=FirstAttempt(token=token, failure=failure), sent=True)
        status = response.status_code
        if 200 <= status < 300 and response.content:
            try:
                return _Outcome(page=response.json(), sent=True)
            except ValueError:
                pass  # garbled: the policy retries it
        elif status == 429:
            self._rate_limited.set()
        elif status == 401:
            self._refused_tokens.add(token)
        return _Outcome(attempt=FirstAttempt(token=token, response=response), sent=True)

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            # No transport retries: one attempt, and the caller's policy decides the rest.
            adapter = HTTPAdapter(max_retries=0, pool_connections=1, pool_maxsize=1)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session


def _spotify_result(response: requests.Response) -> Any:
    """A response as spotify.api turns a spotipy call's into a result: JSON (None if there is
    none), or SpotifyRefused for a 4xx, with Spotify's message."""
    try:
        response.raise_for_status()
    except requests.HTTPError:
        try:
            error = response.json().get("error", {})
            message, reason = error.get("message"), error.get("reason")
        except (ValueError, AttributeError):
            message, reason = response.text or None, None
        raise SpotifyRefused(status=response.status_code, message=str(message or ""), reason=reason) from None
    try:
        return response.json()
    except ValueError:
        return None
