"""``BoundedLru``: the one thread-safe, least-recently-used memory the caches of a turn are built on.

Query vectors, passage-sentence vectors, chunks read from the index and passage checks are each worth
remembering for the next turn, and each must stay bounded in a worker that runs for weeks. They differ
only in what they keep and when it goes stale, so the keeping (a lock, an order of use, a cap) is here once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, Hashable, Iterable, Mapping, TypeVar

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class BoundedLru(Generic[Key, Value]):
    """At most ``capacity`` entries (0: none kept); reading an entry makes it the last to go."""

    def __init__(self, capacity: int) -> None:
        if capacity < 0:
            raise ValueError(f"capacity must be 0 or more, got {capacity}")
        self.capacity = capacity
        self._entries: OrderedDict[Key, Value] = OrderedDict()
        self._generation = 0
        self._lock = threading.Lock()

    def get(self, key: Key) -> Value | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def get_many(self, keys: Iterable[Key]) -> dict[Key, Value]:
        """The remembered entries of ``keys`` (the others are simply absent)."""
        with self._lock:
            found = {k: self._entries[k] for k in keys if k in self._entries}
            for key in found:
                self._entries.move_to_end(key)
            return found

    @property
    def generation(self) -> int:
        """Changes at every ``clear``: take it before computing a value, give it to ``put_many``."""
        return self._generation

    def put(self, key: Key, value: Value) -> None:
        self.put_many({key: value})

    def put_many(self, entries: Mapping[Key, Value], generation: int | None = None) -> None:
        """Remember ``entries``, unless ``generation`` is given and a ``clear`` came since it was taken."""
        with self._lock:
            if not self.capacity or (generation is not None and generation != self._generation):
                return
            self._entries.update(entries)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget everything, and every value still being computed from before (see ``generation``)."""
        with self._lock:
            self._entries.clear()
            self._generation += 1

    def __len__(self) -> int:
        return len(self._entries)
