"""The bounded, least-recently-used memory every per-turn cache is built on."""

from __future__ import annotations

import threading

import pytest

from knowledge.lru import BoundedLru


def test_the_least_recently_used_entry_goes_first():
    memory: BoundedLru[str, int] = BoundedLru(2)
    memory.put("a", 1)
    memory.put("b", 2)
    assert memory.get("a") == 1  # "b" is now the least recently used
    memory.put("c", 3)
    assert (memory.get("a"), memory.get("b"), memory.get("c")) == (1, None, 3)
    assert memory.get_many(["c", "zz"]) == {"c": 3}
    assert len(memory) == 2


def test_capacity_zero_keeps_nothing_and_negative_is_refused():
    memory: BoundedLru[str, int] = BoundedLru(0)
    memory.put("a", 1)
    assert len(memory) == 0
    with pytest.raises(ValueError, match="capacity"):
        BoundedLru(-1)


def test_values_computed_before_a_clear_are_not_kept():
    memory: BoundedLru[str, str] = BoundedLru(10)
    generation = memory.generation
    memory.clear()  # the source changed while the value was being computed
    memory.put_many({"a": "stale"}, generation)
    assert memory.get("a") is None
    memory.put_many({"a": "fresh"}, memory.generation)
    assert memory.get("a") == "fresh"


def test_many_threads_never_exceed_the_cap():
    memory: BoundedLru[int, int] = BoundedLru(50)

    def work(offset: int) -> None:
        for i in range(2000):
            memory.put(offset + i, i)
            memory.get_many(range(offset + i - 5, offset + i))

    threads = [threading.Thread(target=work, args=(n * 10_000,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(memory) == 50
