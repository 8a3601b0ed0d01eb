"""The database down for a few seconds, or locked: the turn waits it out, answers and keeps the message;
down for longer, the customer is told to try again at once and the conversation continues when it is back."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy.engine import make_url

from agent.errors import StoreUnavailable
from agent.store.conversation_store import ConversationStore, PoolSettings
from tests.tcp_proxy import TcpProxy

DOCS = {"delivery.md": "# Delivery\n\nWe deliver Tuesday to Saturday. Delivery costs £4.50 within 3 miles."}


@pytest.fixture
def flaky_postgres(postgres_server):
    """(URL through a proxy that can be cut, the proxy) for a fresh PostgreSQL database."""
    url = postgres_server.fresh_database()
    real = make_url(url)
    proxy = TcpProxy((real.host or "127.0.0.1", real.port or 5432)).start()
    yield real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), proxy
    proxy.close()
    postgres_server.drop_database(url)


def back_after(seconds: float, proxy: TcpProxy) -> threading.Timer:
    timer = threading.Timer(seconds, proxy.restore)
    timer.start()
    return timer


def test_a_write_waits_out_a_short_outage_and_is_stored_once(flaky_postgres):
    url, proxy = flaky_postgres
    store = ConversationStore(url, PoolSettings(outage_wait_s=10))
    cid = store.create_conversation("bakery")
    store.append_turn(cid, "customer", "first")
    proxy.cut()
    back_after(1.0, proxy)
    assert store.append_turn(cid, "customer", "second") == 2
    assert proxy.refused >= 1  # it really met the outage and tried again
    assert [t.text for t in store.turns(cid)] == ["first", "second"]
    store.close()


def test_a_longer_outage_fails_clearly_then_fails_fast_and_recovers(flaky_postgres):
    url, proxy = flaky_postgres
    store = ConversationStore(url, PoolSettings(outage_wait_s=0.6))
    cid = store.create_conversation("bakery")
    proxy.cut()
    with pytest.raises(StoreUnavailable, match="reachable"):
        store.append_turn(cid, "customer", "lost in the outage")
    tries = proxy.refused
    with pytest.raises(StoreUnavailable):
        store.turns(cid)  # known down: one try, no second wait
    assert proxy.refused - tries <= 2  # one connection attempt (and the pool's ping), not a backoff series
    proxy.restore()
    store.append_turn(cid, "customer", "after")
    assert [t.text for t in store.turns(cid)] == ["after"]  # nothing half-written from the failed call
    store.close()


def test_a_turn_during_a_database_restart_still_answers(flaky_postgres, extractive_agent_over):
    url, proxy = flaky_postgres
    agent = extractive_agent_over(DOCS, TACTFUL_STORE__URL=url)
    first = agent.respond("Do you deliver on Saturdays?")
    proxy.cut()
    back_after(1.5, proxy)
    second = agent.respond("How much is delivery?", conversation_id=first.conversation_id)
    assert second.outcome == "extractive" and "£4.50" in second.text, (second.escalation_reason, second.text)
    transcript = agent.store.turns(first.conversation_id)
    assert [t.role for t in transcript] == ["customer", "assistant"] * 2
    assert transcript[2].text == "How much is delivery?" and transcript[2].status == "answered"


def test_a_database_down_for_longer_gets_an_honest_reply_and_the_conversation_continues(
        flaky_postgres, extractive_agent_over):
    url, proxy = flaky_postgres
    agent = extractive_agent_over(DOCS, TACTFUL_STORE__URL=url, TACTFUL_STORE__OUTAGE_WAIT_S="0.5")
    first = agent.respond("Do you deliver on Saturdays?")
    proxy.cut()
    during = agent.respond("How much is delivery?", conversation_id=first.conversation_id)
    assert during.outcome == "store_unavailable" and "try again" in during.text
    proxy.restore()
    again = agent.respond("How much is delivery?", conversation_id=first.conversation_id)
    assert "£4.50" in again.text
    assert [t.role for t in agent.store.turns(first.conversation_id)] == ["customer", "assistant"] * 2


def test_a_sqlite_database_locked_by_another_writer_is_waited_for(extractive_agent_over, tmp_path):
    agent = extractive_agent_over(DOCS)
    first = agent.respond("Do you deliver on Saturdays?")
    other = sqlite3.connect(tmp_path / "data" / "tactful.db", check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")  # a backup or another process holding the write lock
    threading.Timer(1.0, other.rollback).start()
    second = agent.respond("How much is delivery?", conversation_id=first.conversation_id)
    other.close()
    assert "£4.50" in second.text
    assert [t.role for t in agent.store.turns(first.conversation_id)] == ["customer", "assistant"] * 2
