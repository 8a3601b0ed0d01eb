"""The conversation store on real SQLite and real PostgreSQL: ordered turns, disclosure timestamp, migrations,
concurrent writers and tenants, and a clear failure when the database is unusable."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from agent.errors import NotFound, StoreUnavailable
from agent.store import ConversationStore
from agent.store import migrate
from agent.store.models import Base


@pytest.fixture
def store(database_url: str):
    s = ConversationStore(database_url)
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
    assert turns[0].created_at.tzinfo is not None


def test_a_turn_ends_in_one_write_and_the_disclosure_is_recorded_once(store: ConversationStore):
    cid = store.create_conversation("bakery")
    assert store.get_conversation(cid).disclosed_at is None
    asked = store.append_turn(cid, "customer", "Do you deliver?", status="received")
    seq = store.finish_turn(cid, asked, "answered", {"role": "assistant", "text": "Yes.", "outcome": "answered"},
                            disclosed=True)
    first = store.get_conversation(cid).disclosed_at
    store.finish_turn(cid, None, None, {"role": "assistant", "text": "Anything else?"}, disclosed=True)
    turns = store.turns(cid)
    assert seq == 2 and [(t.seq, t.status) for t in turns] == [(1, "answered"), (2, "sent"), (3, "sent")]
    assert first is not None and store.get_conversation(cid).disclosed_at == first


def test_survives_reopening(database_url: str):
    s = ConversationStore(database_url)
    cid = s.create_conversation("bakery")
    s.append_turn(cid, "customer", "hello")
    s.close()
    again = ConversationStore(database_url)
    assert [t.text for t in again.turns(cid)] == ["hello"]
    assert again.schema.up_to_date
    again.close()


def test_concurrent_messages_of_one_conversation_are_neither_lost_nor_duplicated(database_url: str):
    """Eight writers with their own connections (as eight workers would have) append to one conversation."""
    stores = [ConversationStore(database_url) for _ in range(8)]
    cid = stores[0].create_conversation("bakery")
    errors: list[BaseException] = []

    def write(store: ConversationStore, writer: int) -> None:
        try:
            for n in range(15):
                store.append_turn(cid, "customer", f"writer {writer} message {n}")
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(s, i)) for i, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    turns = stores[0].turns(cid)
    for s in stores:
        s.close()
    assert errors == []
    assert sorted(t.text for t in turns) == sorted(f"writer {w} message {n}" for w in range(8) for n in range(15))
    assert [t.seq for t in turns] == list(range(1, 121))


def test_two_first_messages_with_one_id_open_one_conversation(database_url: str):
    stores = [ConversationStore(database_url) for _ in range(4)]
    opened: list[bool] = []
    barrier = threading.Barrier(4)

    def first_message(store: ConversationStore) -> None:
        barrier.wait()
        info, created = store.open_conversation("bakery", "sms-447700900123", channel="sms")
        opened.append(created)

    threads = [threading.Thread(target=first_message, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert sorted(opened) == [False, False, False, True]


def test_a_business_cannot_open_or_read_another_business_conversation(store: ConversationStore):
    info, created = store.open_conversation("bakery", None, channel="web")
    assert created and info.business == "bakery"
    with pytest.raises(NotFound, match="leave the id out"):
        store.open_conversation("florist", info.id)
    assert store.get_conversation(info.id, "florist") is None
    assert store.get_conversation(info.id, "bakery") == info


def test_a_delivery_is_first_once_until_it_expires_or_is_forgotten(store: ConversationStore):
    from datetime import timedelta

    from agent.store.models import utcnow

    now = utcnow()
    assert store.first_delivery("slack:event:Ev1", 3600, now) is True
    assert store.first_delivery("slack:event:Ev1", 3600, now + timedelta(seconds=10)) is False
    assert store.first_delivery("slack:event:Ev1", 3600, now + timedelta(hours=2)) is True  # expired: new again
    store.forget_delivery("slack:event:Ev1")
    assert store.first_delivery("slack:event:Ev1", 3600, now + timedelta(hours=2)) is True
    assert store.prune_deliveries(60, now + timedelta(days=1)) == 1


def test_the_migrations_build_exactly_the_models_schema(database_url: str):
    """A change to agent/store/models.py without a migration fails here, on both databases."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    store = ConversationStore(database_url)
    store.close()
    engine = create_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                       Base.metadata)
    engine.dispose()
    assert differences == []


def test_a_database_from_before_migrations_is_stamped_and_upgraded(database_url: str):
    """Stores created by create_all (before Alembic) hold revision 0001's tables: they are kept, not rebuilt."""
    from alembic import command

    engine = create_engine(database_url)
    with engine.begin() as connection:  # revision 0001's tables, with no record of any revision
        command.upgrade(migrate._alembic_config(connection), "0001")
        connection.execute(text("DROP TABLE alembic_version"))
    engine.dispose()
    store = ConversationStore(database_url)
    cid = store.create_conversation("bakery")
    assert store.first_delivery("twilio:SM1", 60) is True
    assert store.schema.current == migrate.head_revision()
    store.close()
    engine = create_engine(database_url)
    assert "deliveries" in inspect(engine).get_table_names()
    engine.dispose()
    assert cid


def test_unwritable_database_is_store_unavailable(tmp_path: Path):
    target = tmp_path / "not-a-db.sqlite"
    target.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreUnavailable, match="Check that the database"):
        ConversationStore(f"sqlite:///{target}")


def test_password_is_not_shown_in_errors():
    with pytest.raises(StoreUnavailable) as caught:
        ConversationStore("postgresql+nosuchdriver://user:hunter2@localhost/db")
    assert "hunter2" not in str(caught.value)


def test_a_postgresql_server_that_is_down_is_store_unavailable_without_the_password():
    with pytest.raises(StoreUnavailable, match="reachable") as caught:
        ConversationStore("postgresql+psycopg://tactful:hunter2@127.0.0.1:1/tactful?connect_timeout=2")
    assert "hunter2" not in str(caught.value)


def test_the_last_messages_come_back_in_order(store: ConversationStore):
    cid = store.create_conversation("bakery")
    for n in range(10):
        store.append_turn(cid, "customer", f"message {n}")
    assert [t.text for t in store.turns(cid, last=3)] == ["message 7", "message 8", "message 9"]
    assert len(store.turns(cid)) == 10
