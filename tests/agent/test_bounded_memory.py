"""What a long-running worker keeps per conversation and per client stays bounded.

A soak (mixed traffic over thousands of new conversations) showed a worker's memory creeping up; the
per-conversation PII vaults and the rate limiter's buckets grew with every conversation or client ever
seen, and the shared delivery table with every webhook ever handled. These tests pin the bounds by the
structures' sizes, never by timings or RSS.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from agent.channels import ReplayGuard
from agent.pii_vaults import ConversationVaults
from agent.web_security import TokenBuckets


class Clock:
    """A hand-moved clock for the structures that forget by time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_conversations_without_personal_data_leave_no_vault_behind():
    clock = Clock()
    vaults = ConversationVaults(capacity=100, empty_ttl_s=300, clock=clock)
    for n in range(5000):
        vaults.get(f"conversation-{n}").redact("What time do you open on Saturday?")
        clock.now += 0.1
    assert len(vaults) <= 100  # never more than capacity, however many conversations came
    clock.now += 301
    vaults.get("one-more")
    assert len(vaults) == 1 and vaults.values == 0


def test_an_empty_vault_is_the_same_vault_for_the_rest_of_its_turn():
    vaults = ConversationVaults()
    first = vaults.get("c1")
    assert vaults.get("c1") is first
    first.redact("Mail me at jo@example.com")
    assert vaults.get("c1") is first and vaults.values == 1


def test_vaults_with_values_are_capped_by_conversations_and_by_values_in_all():
    vaults = ConversationVaults(capacity=50, max_values=120)
    for n in range(2000):
        vaults.get(f"c{n}").redact(f"I'm on customer{n}@example.com or backup{n}@example.com")
    assert len(vaults) <= 50 + 1  # the kept vaults, and at most the one still empty
    assert vaults.values <= 120
    latest = vaults.get("c1999")
    assert latest.restore("<EMAIL_ADDRESS_1>") == "customer1999@example.com"  # the newest are the ones kept


def test_one_conversation_cannot_grow_its_vault_without_bound():
    vaults = ConversationVaults(values_per_vault=20)
    vault = vaults.get("flood")
    text = " ".join(f"a{n}@example.com" for n in range(200))
    redacted = vault.redact(text).text
    assert len(vault) == 20 and vaults.values == 20
    assert "<EMAIL_ADDRESS_20>" in redacted and "<EMAIL_ADDRESS_21>" not in redacted
    assert "<EMAIL_ADDRESS>" in redacted and "a150@example.com" not in redacted  # hidden all the same
    assert vault.restore("<EMAIL_ADDRESS_1>") == "a0@example.com"
    assert vault.redact("a0@example.com").text == "<EMAIL_ADDRESS_1>"  # a known value keeps its number


def test_forgetting_a_conversation_drops_its_vault_and_its_count():
    vaults = ConversationVaults()
    vaults.get("erase-me").redact("jo@example.com, 07700 900456")
    vaults.get("keep-me").redact("sam@example.com")
    assert vaults.forget("erase-me") and not vaults.forget("erase-me")
    assert vaults.values == 1 and len(vaults) == 1
    assert vaults.get("erase-me").restore("<EMAIL_ADDRESS_1>") == "<EMAIL_ADDRESS_1>"


def test_vaults_of_conversations_idle_for_a_day_are_dropped():
    clock = Clock()
    vaults = ConversationVaults(idle_ttl_s=86_400, clock=clock)
    for n in range(300):
        vaults.get(f"c{n}").redact(f"call me on 07700 900{n:03d}")
        clock.now += 60
    assert len(vaults) == 300 and vaults.values == 300
    clock.now += 86_400
    vaults.get("today")
    assert len(vaults) == 1 and vaults.values == 0


@pytest.mark.parametrize("limits", [dict(capacity=0), dict(empty_ttl_s=0), dict(idle_ttl_s=0),
                                    dict(values_per_vault=0), dict(max_values=0)])
def test_nonsense_vault_limits_are_refused(limits):
    with pytest.raises(ValueError):
        ConversationVaults(**limits)


def test_the_rate_limiter_forgets_clients_idle_for_longer_than_a_refill():
    buckets = TokenBuckets(per_minute=30, burst=10)  # full again 20 s after the last request
    assert buckets.refill_s == pytest.approx(20.0)
    for n in range(10_000):  # a new conversation id every 10 ms, each sending once
        buckets.take(f"conversation:{n}", now=n * 0.01)
    assert len(buckets) <= 20.0 / 0.01 + 1  # only the keys seen in the last refill time
    buckets.take("latecomer", now=10_000.0)
    assert len(buckets) == 1


def test_forgetting_idle_buckets_does_not_forgive_a_busy_one():
    buckets = TokenBuckets(per_minute=60, burst=2)
    assert buckets.take("busy", now=0.0) == 0 and buckets.take("busy", now=0.0) == 0
    for n in range(100):  # other clients come and go meanwhile
        buckets.take(f"other-{n}", now=0.5 + n * 0.001)
    assert buckets.take("busy", now=0.6) > 0  # still drained: refused until it refills
    assert len(buckets) <= 102


def test_the_rate_limiter_holds_at_most_max_keys_inside_one_refill_time():
    buckets = TokenBuckets(per_minute=1, burst=1, max_keys=500)
    for n in range(5000):
        buckets.take(f"client:{n}", now=0.0)
    assert len(buckets) == 500


def test_the_in_memory_replay_guard_keeps_only_the_last_ttl_of_deliveries():
    guard = ReplayGuard(ttl_seconds=60, max_entries=100_000)
    for n in range(20_000):  # ten deliveries a second for over half an hour
        guard.seen(f"Ev{n}", now=1000 + n * 0.1)
    assert len(guard) <= 601


def test_a_worker_keeps_vaults_only_for_conversations_that_gave_personal_data(tmp_path, minilm):
    """Through real turns: the soak's mix of questions and personal data, then the quiet time passes."""
    from agent.assembly import build_agent
    from agent.config import load_config
    from tests.agent.api.conftest import make_env

    agent = build_agent(config=load_config(environ=make_env(tmp_path)), embedder=minilm)
    try:
        clock = Clock()
        agent.vaults.clock = clock
        with_data = []
        for n in range(12):
            personal = n % 3 == 0
            reply = agent.respond(f"Do you deliver? Email me at jo{n}@example.com" if personal else "Do you deliver?")
            if personal:
                with_data.append(reply.conversation_id)
            clock.now += 1
        assert len(agent.vaults) == 12 and agent.vaults.values == 4
        agent.respond("And refunds? Or mail sam@example.com", with_data[0])
        assert agent.store.turns(with_data[0])[-2].text == "And refunds? Or mail <EMAIL_ADDRESS_2>"
        clock.now += agent.vaults.empty_ttl_s
        agent.respond("Do you deliver?")
        assert len(agent.vaults) == 4 + 1 and agent.vaults.values == 5  # the empty ones have gone
    finally:
        agent.close()


def test_the_store_replay_guard_prunes_expired_deliveries_as_it_goes(tmp_path):
    from agent.channels import StoreReplayGuard
    from agent.store import ConversationStore

    store = ConversationStore(f"sqlite:///{tmp_path / 'deliveries.db'}")
    try:
        guard = StoreReplayGuard(store, ttl_seconds=60, prune_every=50)
        start = 1_700_000_000
        for n in range(1000):  # one delivery a second for over a quarter of an hour
            assert guard.seen(f"twilio:SM{n}", now=start + n) is False
        assert guard.seen("twilio:SM999", now=start + 999) is True  # a retry is still caught
        rows_left = store.prune_deliveries(0, datetime.fromtimestamp(start + 10_000, timezone.utc))
        assert rows_left <= 60 + 50  # a lifetime of deliveries, and those since the last pruning
    finally:
        store.close()
