"""The replay guard: a delivery id is let through once within its lifetime, however many threads ask."""

from __future__ import annotations

import threading

import pytest

from agent.channels import ReplayGuard


def test_a_key_is_new_once_then_seen_until_it_expires():
    guard = ReplayGuard(ttl_seconds=60)
    assert guard.seen("Ev1", now=1000) is False
    assert guard.seen("Ev1", now=1059) is True
    assert guard.seen("Ev1", now=1061) is False  # expired: a delivery a minute later is new again


def test_the_set_is_bounded_and_forgets_the_oldest_first():
    guard = ReplayGuard(ttl_seconds=3600, max_entries=3)
    for i, key in enumerate(["a", "b", "c", "d"]):
        guard.seen(key, now=1000 + i)
    assert len(guard) == 3
    assert guard.seen("d", now=1010) and guard.seen("b", now=1010)
    assert guard.seen("a", now=1010) is False  # pushed out by "d"


def test_forget_lets_a_failed_delivery_be_retried():
    guard = ReplayGuard()
    guard.seen("SM1")
    guard.forget("SM1")
    guard.forget("never-seen")
    assert guard.seen("SM1") is False


def test_of_many_concurrent_deliveries_of_one_event_exactly_one_is_new():
    guard = ReplayGuard()
    results: list[bool] = []
    start = threading.Barrier(16)

    def deliver():
        start.wait()
        results.append(guard.seen("Ev-race"))

    threads = [threading.Thread(target=deliver) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(False) == 1 and results.count(True) == 15


@pytest.mark.parametrize("ttl, size", [(0, 10), (-1, 10), (60, 0)])
def test_nonsense_limits_are_refused(ttl, size):
    with pytest.raises(ValueError):
        ReplayGuard(ttl_seconds=ttl, max_entries=size)


def test_the_store_guard_answers_a_retry_once_whichever_worker_it_lands_on(database_url):
    """Two workers (two stores on one database) get the same Slack retry at once: exactly one handles it."""
    from agent.channels import StoreReplayGuard
    from agent.store import ConversationStore

    stores = [ConversationStore(database_url) for _ in range(2)]
    guards = [StoreReplayGuard(s, ttl_seconds=60) for s in stores]
    barrier = threading.Barrier(2)
    answers: list[bool] = []

    def deliver(guard: StoreReplayGuard) -> None:
        barrier.wait()
        answers.append(guard.seen("slack:event:Ev42", now=1000))

    threads = [threading.Thread(target=deliver, args=(g,)) for g in guards]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [False, True]
    assert guards[1].seen("slack:event:Ev42", now=1061) is False  # expired: new again
    guards[0].forget("slack:event:Ev42")
    assert guards[1].seen("slack:event:Ev42", now=1062) is False
    for s in stores:
        s.close()
