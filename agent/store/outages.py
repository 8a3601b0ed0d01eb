"""Riding out a database server that is down for a few seconds (a restart, a fail-over, a network blip).

A store call that fails because the server cannot be reached is tried again with bounded exponential
backoff (tenacity) for up to ``wait_s`` seconds, so a turn that meets a short outage still answers and
keeps the customer's message. Once a wait has run out the database is known to be down: later calls
try once and fail at once (the customer gets the honest "try again" reply straight away instead of
every conversation stalling), until one call succeeds again.

Only the outermost call waits (a store method that calls another does not multiply the wait). SQLite
is a local file: its locks are waited for by ``busy_timeout`` and its other errors do not pass with
time, so it is not retried here. A write whose commit was cut off may have been stored; messages
sent with a ``message_id`` are then stored once (its unique key), others could in rare cases be
stored twice: use message ids where that matters.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from typing import Any, Callable, TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from tenacity import Retrying, retry_if_exception, stop_before_delay, wait_exponential

from agent.errors import StoreUnavailable

log = logging.getLogger("tactful.store")

F = TypeVar("F", bound=Callable[..., Any])


def _server_unreachable(exc: BaseException) -> bool:
    """A StoreUnavailable caused by the connection (refused, dropped, timed out), not by the data."""
    cause = exc.__cause__
    return (isinstance(exc, StoreUnavailable) and isinstance(cause, OperationalError)
            and not isinstance(cause, IntegrityError))


class OutageWindow:
    """How long store calls wait for the database to come back, and whether it is known to be down."""

    def __init__(self, wait_s: float, *, enabled: bool = True) -> None:
        self.wait_s = wait_s if enabled else 0.0
        self._down_since: float | None = None
        self._local = threading.local()

    @property
    def known_down(self) -> bool:
        return self._down_since is not None

    def call(self, fn: Callable[[], Any]) -> Any:
        if getattr(self._local, "active", False) or self.wait_s <= 0:
            return fn()
        self._local.active = True
        try:
            try:
                result = fn()  # the common case: one try, no retry machinery on a turn's hot path
            except StoreUnavailable as exc:
                if not _server_unreachable(exc):
                    raise
                result = self._wait_out(fn)
        finally:
            self._local.active = False
        if self._down_since is not None:
            log.warning("the database answers again after %.1f s", time.monotonic() - self._down_since)
            self._down_since = None
        return result

    def _wait_out(self, fn: Callable[[], Any]) -> Any:
        """Try again with backoff for ``wait_s`` (not at all once the database is known to be down)."""
        wait_s = 0.0 if self.known_down else self.wait_s
        try:
            for attempt in Retrying(retry=retry_if_exception(_server_unreachable), stop=stop_before_delay(wait_s),
                                    wait=wait_exponential(multiplier=0.05, max=1.0), reraise=True,
                                    before_sleep=_log_retry):
                with attempt:
                    return fn()
        except StoreUnavailable as exc:
            if _server_unreachable(exc) and not self.known_down:
                self._down_since = time.monotonic()
                log.error("the database stayed unreachable for %.1f s; failing fast until it answers", wait_s)
            raise
        raise AssertionError("unreachable: tenacity returns or raises")


def _log_retry(state: Any) -> None:
    log.warning("database unreachable (attempt %d); trying again", state.attempt_number)


def rides_out_outages(method: F) -> F:
    """Run a store method through its store's OutageWindow (``self._outages``)."""

    @functools.wraps(method)
    def patient(self: Any, *args: Any, **kwargs: Any) -> Any:
        return self._outages.call(lambda: method(self, *args, **kwargs))

    return patient  # type: ignore[return-value]
