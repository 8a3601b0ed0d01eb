"""The conversation store on real SQLite: ordered turns, disclosure timestamp, clear failure when unusable."""

from pathlib import Path

import pytest

from agent.errors import StoreUnavailable
from agent.store import ConversationStore


@pytest.fixture
def store(tmp_path: Path):
    s = ConversationStore(f"sqlite:///{tmp_path / 'tactful.db'}")
    yield s
    s.close()


def test_turns_come_back_in_order_with_their_records(store: ConversationStore):
    cid = store.create_conversation("bakery", channel="web", customer_name="Ada")
    store.append_turn(cid, "customer", "Do you deliver?", status="received")
    store.append_turn(cid, "assistant", "Yes, within 3 miles.", sources=[{"doc_id": "delivery.md"}],
                      verdicts=[{"rail": "grounding", "passed": True}], outcome="answered")
    turns = store.turns(cid)
    assert [(t.seq, t.role) for t in turns] == [(1, "customer"), (2, "assistant")]
    assert turns[1].sources == [{"doc_id": "delivery.md"}]
    assert store.get_conversation(cid).customer_name == "Ada"


def test_disclosure_is_recorded_once(store: ConversationStore):
    cid = store.create_conversation("bakery")
    assert store.get_conversation(cid).disclosed_at is None
    first = store.mark_disclosed(cid)
    assert store.mark_disclosed(cid) == first


def test_survives_reopening(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'tactful.db'}"
    s = ConversationStore(url)
    cid = s.create_conversation("bakery")
    s.append_turn(cid, "customer", "hello")
    s.close()
    again = ConversationStore(url)
    assert [t.text for t in again.turns(cid)] == ["hello"]
    again.close()


def test_unwritable_database_is_store_unavailable(tmp_path: Path):
    target = tmp_path / "not-a-db.sqlite"
    target.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreUnavailable, match="Check that the database"):
        ConversationStore(f"sqlite:///{target}")


def test_password_is_not_shown_in_errors():
    with pytest.raises(StoreUnavailable) as caught:
        ConversationStore("postgresql+nosuchdriver://user:hunter2@localhost/db")
    assert "hunter2" not in str(caught.value)
