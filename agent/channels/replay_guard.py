"""Remembers which inbound deliveries were already handled, so a retried webhook is not answered twice.

Two implementations of one small interface (``seen(key, now)``, ``forget(key)``):
``StoreReplayGuard`` keeps the keys in the conversation store, shared by every worker, and is what
the server uses; ``ReplayGuard`` keeps them in one process's memory, for an adapter embedded in a
single-process application and for tests. Keys are delivery ids (Slack ``event_id``, Twilio
``MessageSid``), never message text or phone numbers.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from agent.store import ConversationStore


class DeliveryGuard(Protocol):
    """What the channel adapters need: an atomic first-time check, and a way to let a key through again."""

    def seen(self, key: str, now: float | None = None) -> bool: ...

    def forget(self, key: str) -> None: ...


class StoreReplayGuard:
    """Delivery keys in the shared store: a retry is answered once whichever worker it lands on.

    Every ``prune_every`` deliveries it also drops the keys past their lifetime: a key is otherwise only
    replaced when the same delivery comes again, so the table kept one row per delivery ever handled.
    """

    def __init__(self, store: "ConversationStore", ttl_seconds: float = 3600.0, prune_every: int = 1000) -> None:
        if ttl_seconds <= 0 or prune_every < 1:
            raise ValueError("a replay guard needs a positive ttl_seconds and prune_every")
        self.store = store
        self.ttl_seconds = ttl_seconds
        self.prune_every = prune_every
        self._deliveries = itertools.count(1)

    def seen(self, key: str, now: float | None = None) -> bool:
        when = datetime.fromtimestamp(now, timezone.utc) if now is not None else None
        if next(self._deliveries) % self.prune_every == 0:
            self.store.prune_deliveries(self.ttl_seconds, when)
        return not self.store.first_delivery(key, self.ttl_seconds, when)

    def forget(self, key: str) -> None:
        self.store.forget_delivery(key)


class ReplayGuard:
    """In one process's memory: a bounded, thread-safe set of keys that each expire ``ttl_seconds`` after they were first seen."""

    def __init__(self, ttl_seconds: float = 3600.0, max_entries: int = 100_000) -> None:
        if ttl_seconds <= 0 or max_entries < 1:
            raise ValueError("a replay guard needs a positive ttl_seconds and max_entries")
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._seen: OrderedDict[str, float] = OrderedDict()  # key -> first seen, oldest first
        self._lock = threading.Lock()

    def seen(self, key: str, now: float | None = None) -> bool:
        """True if ``key`` was already seen within the TTL; otherwise remember it and return False.

        Check and record are one atomic step: of two concurrent deliveries, exactly one gets False.
        """
        now = time.time() if now is None else now
        with self._lock:
            self._expire(now)
            first = self._seen.get(key)
            if first is not None:
                return True
            self._seen[key] = now
            while len(self._seen) > self.max_entries:  # full: the oldest key goes first
                self._seen.popitem(last=False)
            return False

    def forget(self, key: str) -> None:
        """Let ``key`` through again (a delivery whose handling failed may be retried)."""
        with self._lock:
            self._seen.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._seen)

    def _expire(self, now: float) -> None:
        cutoff = now - self.ttl_seconds
        while self._seen:
            key, first = next(iter(self._seen.items()))
            if first > cutoff:
                break
            self._seen.popitem(last=False)
