"""Conversations and turns kept through SQLAlchemy: SQLite by default, PostgreSQL by URL.

Safe for many workers: the schema is migrated under a lock when the store opens, a message gets the
next sequence number of its conversation with the conversation row locked (PostgreSQL) or by retrying
when another writer took the number first (SQLite serialises writers), and webhook deliveries are
recorded here rather than in one process's memory.
"""

from __future__ import annotations

import random
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from sqlalchemy import create_engine, delete, event, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from agent.errors import NotFound, StoreUnavailable
from agent.store import migrate
from agent.store.account_records import AccountRecords
from agent.store.bulk_records import BulkRecords
from agent.store.models import ConversationRow, DeliveryRow, RatingRow, TicketRow, TurnRow, utcnow
from agent.store.outages import OutageWindow, rides_out_outages


@dataclass(frozen=True)
class StoredTurn:
    seq: int
    role: str
    text: str
    status: str
    outcome: str | None
    created_at: datetime
    sources: list = field(default_factory=list)
    verdicts: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ConversationInfo:
    id: str
    business: str
    channel: str
    customer_name: str | None
    status: str
    created_at: datetime
    disclosed_at: datetime | None


@dataclass(frozen=True)
class Ticket:
    """A hand-off to a person, as the queue shows it."""

    id: int
    conversation_id: str
    business: str
    status: str
    priority: str
    reason: str
    summary: str
    mood: dict
    assignee: str | None
    resolution: str | None
    created_at: datetime
    updated_at: datetime
    assigned_at: datetime | None
    resolved_at: datetime | None

    @property
    def owned_by_person(self) -> bool:
        return self.status == "assigned"


@dataclass(frozen=True)
class Rating:
    conversation_id: str
    score: int
    comment: str
    escalated: bool
    escalation_reason: str | None
    created_at: datetime
    #: The optional 0-10 "would you recommend us?" answer (NPS); None when the customer gave none.
    nps: int | None = None


@dataclass(frozen=True)
class PoolSettings:
    """Connection pooling for a database server (SQLite keeps SQLAlchemy's own choice)."""

    size: int = 5
    max_overflow: int = 10
    timeout_s: float = 10.0
    recycle_s: int = 1800
    #: How long a call waits for a database server that went away (0: fail at once).
    outage_wait_s: float = 5.0


T = TypeVar("T")
TICKET_STATUSES = ("open", "assigned", "resolved")
#: Tries to store one message when other writers keep taking the same sequence number first.
APPEND_ATTEMPTS = 24
#: Queue order: most urgent first, then the longest waiting.
_PRIORITY_ORDER = {"urgent": 0, "high": 1, "normal": 2, "low": 3}


class ConversationStore(BulkRecords, AccountRecords):
    """The one place that reads and writes conversations. Every failure becomes StoreUnavailable."""

    def __init__(self, url: str, pool: PoolSettings | None = None) -> None:
        self.url = url
        self._sqlite = url.startswith("sqlite")
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        options: dict[str, Any] = {}
        pool = pool or PoolSettings()
        self._outages = OutageWindow(pool.outage_wait_s, enabled=not self._sqlite)
        if not self._sqlite:
            # A server's pooled connection may have died (a restart, an idle timeout): test it on checkout.
            # A SQLite file has no connection to lose, and the test cost a query on every transaction.
            options = dict(pool_size=pool.size, max_overflow=pool.max_overflow, pool_timeout=pool.timeout_s,
                           pool_recycle=pool.recycle_s, pool_pre_ping=True)
        try:
            self._engine: Engine = create_engine(url, **options)
        except Exception as exc:  # bad URL, missing driver
            raise StoreUnavailable(f"cannot open the conversation store at {_safe(url)}: {exc}") from exc
        if self._sqlite:
            event.listen(self._engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        with self._guard("bring the tables up to date"):
            self.schema = migrate.upgrade(self._engine)

    @contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        try:
            yield
        except (OperationalError, DatabaseError) as exc:
            raise self._unavailable(what, exc) from exc

    def _unavailable(self, what: str, exc: DatabaseError) -> StoreUnavailable:
        return StoreUnavailable(
            f"could not {what} in the conversation store at {_safe(self.url)}: {exc.orig or exc}. "
            "Check that the database is reachable and writable, then try again.")

    @contextmanager
    def _session(self, what: str) -> Iterator[Session]:
        with self._guard(what), self._sessions.begin() as session:
            yield session

    @contextmanager
    def _connection(self, what: str) -> Iterator[Connection]:
        """A transaction without the ORM, for the reads and writes every turn makes: a turn's store work
        took about 7 ms through ORM sessions, nearly all of it in SQLAlchemy's own Python, not the database."""
        with self._guard(what), self._engine.begin() as connection:
            yield connection

    @rides_out_outages
    def create_conversation(self, business: str, *, channel: str = "api", customer_name: str | None = None,
                            conversation_id: str | None = None) -> str:
        return self._create(business, channel, customer_name, conversation_id).id

    def _create(self, business: str, channel: str, customer_name: str | None,
                conversation_id: str | None) -> ConversationInfo:
        info = ConversationInfo(conversation_id or uuid.uuid4().hex, business, channel, customer_name, "open",
                                utcnow(), None)
        try:
            with self._connection("create a conversation") as connection:
                connection.execute(insert(_CONVERSATIONS).values(
                    id=info.id, business=business, channel=channel, customer_name=customer_name, status=info.status,
                    created_at=info.created_at, updated_at=info.created_at))
        except StoreUnavailable as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise _Taken(info.id) from None
            raise
        return info

    @rides_out_outages
    def open_conversation(self, business: str, conversation_id: str | None, *, channel: str = "api",
                          customer_name: str | None = None) -> tuple[ConversationInfo, bool]:
        """The conversation ``conversation_id`` of ``business``, created if it does not exist yet.

        Returns it and whether it was created. Two first messages with one id (a channel's retry, two
        workers) end in one conversation. An id that belongs to another business raises NotFound:
        one business never sees or continues another's conversation.
        """
        if conversation_id is not None:
            found = self.get_conversation(conversation_id)
            if found is not None:
                return _own(found, business), False
        try:
            return self._create(business, channel, customer_name, conversation_id), True
        except _Taken:
            found = self.get_conversation(conversation_id)
            if found is None:  # created and deleted in between: vanishingly rare, worth a retry upstream
                raise StoreUnavailable("the conversation changed while it was being opened; try again") from None
            return _own(found, business), False

    @rides_out_outages
    def get_conversation(self, conversation_id: str, business: str | None = None) -> ConversationInfo | None:
        """The conversation, or None if there is none (or, with ``business``, none of that business's)."""
        with self._connection("read a conversation") as connection:
            row = connection.execute(select(_CONVERSATIONS).where(_CONVERSATIONS.c.id == conversation_id)).first()
        if row is None or (business is not None and row.business != business):
            return None
        return ConversationInfo(row.id, row.business, row.channel, row.customer_name, row.status,
                                row.created_at, row.disclosed_at)

    @rides_out_outages
    def append_turn(self, conversation_id: str, role: str, text: str, *, status: str = "stored",
                    outcome: str | None = None, sources: list | None = None, verdicts: list | None = None,
                    meta: dict[str, Any] | None = None, client_key: str | None = None) -> int:
        """Store one message at the next sequence number of its conversation; returns that number.

        Concurrent messages of one conversation (two workers, a double click) each get their own
        number: PostgreSQL locks the conversation row for the transaction; SQLite lets one writer in at
        a time and the one that finds its number taken (or the database busy) tries again.
        """
        row = dict(role=role, text=text, status=status, outcome=outcome, sources=sources or [],
                   verdicts=verdicts or [], meta=meta or {}, client_key=client_key)
        return self._numbered_write("store a message", conversation_id,
                                    lambda connection: self._append(connection, conversation_id, row))

    @rides_out_outages
    def message_by_key(self, conversation_id: str, client_key: str) -> tuple[StoredTurn, StoredTurn | None] | None:
        """The customer message stored with ``client_key`` and the reply to it (None until there is one)."""
        with self._session("read a message") as session:
            asked = session.scalar(select(TurnRow).where(TurnRow.conversation_id == conversation_id,
                                                         TurnRow.client_key == client_key))
            if asked is None:
                return None
            replies = session.scalars(select(TurnRow).where(TurnRow.conversation_id == conversation_id,
                                                            TurnRow.seq > asked.seq, TurnRow.role == "assistant")
                                      .order_by(TurnRow.seq)).all()
            reply = next((r for r in replies if (r.meta or {}).get("reply_to") == asked.seq), None)
            return _stored(asked), (_stored(reply) if reply is not None else None)

    @rides_out_outages
    def finish_turn(self, conversation_id: str, customer_seq: int | None, status: str | None,
                    reply: dict[str, Any] | None, *, disclosed: bool = False) -> int | None:
        """The end of a turn in one transaction: the customer message's new ``status``, the ``reply``
        (``append_turn``'s keywords plus ``role`` and ``text``) at the next number, and the first
        disclosure. Returns the reply's number."""
        reply = None if reply is None else {"status": "sent", "sources": [], "verdicts": [], "meta": {}, "outcome": None,
                                            **reply}

        def write(connection: Connection) -> int | None:
            seq = self._append(connection, conversation_id, reply) if reply is not None else None
            if customer_seq is not None and status is not None:
                connection.execute(update(_TURNS).where(_TURNS.c.conversation_id == conversation_id,
                                                        _TURNS.c.seq == customer_seq).values(status=status))
            if disclosed:
                connection.execute(update(_CONVERSATIONS).where(_CONVERSATIONS.c.id == conversation_id,
                                                                _CONVERSATIONS.c.disclosed_at.is_(None))
                                   .values(disclosed_at=utcnow()))
            return seq

        return self._numbered_write("store a reply", conversation_id, write)

    def _numbered_write(self, what: str, conversation_id: str, write: Callable[[Connection], T]) -> T:
        """Run ``write`` in a transaction, again when another writer took the sequence number it chose
        (or, on SQLite, held the database); bounded, then StoreUnavailable."""
        for attempt in range(APPEND_ATTEMPTS):
            try:
                with self._engine.begin() as connection:
                    return write(connection)
            except IntegrityError as exc:
                if _key_taken(exc):
                    raise DuplicateMessage(conversation_id) from None
                if attempt == APPEND_ATTEMPTS - 1 or not _seq_taken(exc):
                    raise StoreUnavailable(f"could not {what} in conversation {conversation_id}: "
                                           f"{exc.orig or exc}") from exc
            except OperationalError as exc:
                if attempt == APPEND_ATTEMPTS - 1 or not (self._sqlite and _busy(exc)):
                    raise self._unavailable(what, exc) from exc
            time.sleep(random.uniform(0.001, 0.003 * min(attempt + 1, 10)))  # jitter: writers fall out of step
        raise AssertionError("unreachable")  # the loop returns or raises

    @staticmethod
    def _append(connection: Connection, conversation_id: str, row: dict[str, Any]) -> int:
        now = utcnow()
        # PostgreSQL: the conversation row stays locked until the commit, so the next number is ours alone.
        connection.execute(select(_CONVERSATIONS.c.id).where(_CONVERSATIONS.c.id == conversation_id).with_for_update())
        last = connection.scalar(select(func.max(_TURNS.c.seq)).where(_TURNS.c.conversation_id == conversation_id))
        seq = (last or 0) + 1
        connection.execute(insert(_TURNS).values(conversation_id=conversation_id, seq=seq, created_at=now, **row))
        connection.execute(update(_CONVERSATIONS).where(_CONVERSATIONS.c.id == conversation_id).values(updated_at=now))
        return seq

    @rides_out_outages
    def turns(self, conversation_id: str, *, last: int | None = None) -> list[StoredTurn]:
        """The transcript in order; with ``last``, only its ``last`` most recent messages (a turn's working
        memory: reading a long conversation whole on every message would cost more with every message)."""
        query = select(_TURNS).where(_TURNS.c.conversation_id == conversation_id)
        query = query.order_by(_TURNS.c.seq) if last is None else query.order_by(_TURNS.c.seq.desc()).limit(last)
        with self._connection("read the transcript") as connection:
            turns = [_stored(r) for r in connection.execute(query)]
        return turns if last is None else turns[::-1]

    # -- hand-off tickets ---------------------------------------------------------------------
    @rides_out_outages
    def create_ticket(self, conversation_id: str, business: str, *, reason: str, priority: str, summary: str,
                      mood: dict | None = None) -> Ticket:
        with self._session("open a hand-off ticket") as session:
            row = TicketRow(conversation_id=conversation_id, business=business, reason=reason, priority=priority,
                            summary=summary, mood=mood or {}, status="open")
            session.add(row)
            session.flush()
            return _ticket(row)

    @rides_out_outages
    def active_ticket(self, conversation_id: str) -> Ticket | None:
        """The conversation's open or assigned ticket, if a person has it or is about to."""
        with self._connection("read the hand-off ticket") as connection:
            row = connection.execute(select(_TICKETS).where(_TICKETS.c.conversation_id == conversation_id,
                                                            _TICKETS.c.status != "resolved")
                                     .order_by(_TICKETS.c.id.desc()).limit(1)).first()
        return _ticket(row) if row is not None else None

    @rides_out_outages
    def get_ticket(self, ticket_id: int) -> Ticket | None:
        with self._session("read a ticket") as session:
            row = session.get(TicketRow, ticket_id)
            return _ticket(row) if row is not None else None

    @rides_out_outages
    def tickets(self, *, status: str | None = None, business: str | None = None,
                conversation_id: str | None = None) -> list[Ticket]:
        """Tickets in queue order: priority, then oldest first."""
        query = select(TicketRow)
        if status is not None:
            query = query.where(TicketRow.status == status)
        if business is not None:
            query = query.where(TicketRow.business == business)
        if conversation_id is not None:
            query = query.where(TicketRow.conversation_id == conversation_id)
        with self._session("list tickets") as session:
            rows = [_ticket(r) for r in session.scalars(query).all()]
        return sorted(rows, key=lambda t: (t.status == "resolved", _PRIORITY_ORDER.get(t.priority, 9), t.created_at))

    @rides_out_outages
    def update_ticket(self, ticket_id: int, **changes: Any) -> Ticket:
        """Change a ticket's status, assignee or resolution; timestamps follow the status."""
        with self._session("update a ticket") as session:
            row = session.get(TicketRow, ticket_id)
            if row is None:
                raise KeyError(ticket_id)
            for key, value in changes.items():
                setattr(row, key, value)
            if changes.get("status") == "assigned" and row.assigned_at is None:
                row.assigned_at = utcnow()
            if changes.get("status") == "resolved":
                row.resolved_at = utcnow()
            row.updated_at = utcnow()
            session.flush()
            return _ticket(row)

    # -- ratings -------------------------------------------------------------------------------
    @rides_out_outages
    def rate(self, conversation_id: str, score: int, comment: str, *, escalated: bool,
             escalation_reason: str | None, nps: int | None = None) -> Rating:
        """Store (or replace, NPS answer included) the customer's rating of a conversation."""
        with self._session("store a rating") as session:
            row = session.get(RatingRow, conversation_id)
            if row is None:
                row = RatingRow(conversation_id=conversation_id)
                session.add(row)
            row.score, row.comment, row.nps = score, comment, nps
            row.escalated, row.escalation_reason = escalated, escalation_reason
            row.created_at = utcnow()
            session.flush()
            return Rating(row.conversation_id, row.score, row.comment, row.escalated, row.escalation_reason,
                          row.created_at, row.nps)

    @rides_out_outages
    def rating(self, conversation_id: str) -> Rating | None:
        with self._session("read a rating") as session:
            row = session.get(RatingRow, conversation_id)
            return None if row is None else Rating(row.conversation_id, row.score, row.comment, row.escalated,
                                                   row.escalation_reason, row.created_at, row.nps)

    # -- webhook deliveries ----------------------------------------------------------------------
    @rides_out_outages
    def first_delivery(self, key: str, ttl_seconds: float, now: datetime | None = None) -> bool:
        """True the first time ``key`` is seen within ``ttl_seconds`` (recorded atomically), else False.

        Of two concurrent deliveries with one key, on any workers, exactly one gets True.
        """
        now = now or utcnow()
        cutoff = now - timedelta(seconds=ttl_seconds)
        with self._session("record a webhook delivery") as session:
            session.execute(delete(DeliveryRow).where(DeliveryRow.key == key, DeliveryRow.seen_at < cutoff))
        try:
            with self._session("record a webhook delivery") as session:
                session.add(DeliveryRow(key=key, seen_at=now))
        except StoreUnavailable as exc:
            if isinstance(exc.__cause__, IntegrityError):
                return False
            raise
        return True

    @rides_out_outages
    def forget_delivery(self, key: str) -> None:
        """Let a delivery through again (its handling failed; the sender's retry should be answered)."""
        with self._session("forget a webhook delivery") as session:
            session.execute(delete(DeliveryRow).where(DeliveryRow.key == key))

    def prune_deliveries(self, older_than_seconds: float, now: datetime | None = None) -> int:
        """Drop delivery records past their time to live; returns how many went."""
        cutoff = (now or utcnow()) - timedelta(seconds=older_than_seconds)
        with self._session("prune webhook deliveries") as session:
            return session.execute(delete(DeliveryRow).where(DeliveryRow.seen_at < cutoff)).rowcount or 0

    def close(self) -> None:
        self._engine.dispose()


class DuplicateMessage(Exception):
    """A customer message with this client key is stored already (a retry that raced its first try)."""


_CONVERSATIONS, _TURNS, _TICKETS = ConversationRow.__table__, TurnRow.__table__, TicketRow.__table__


def _stored(r: Any) -> StoredTurn:
    """A message from an ORM row or a Core row (the same attribute names)."""
    return StoredTurn(r.seq, r.role, r.text, r.status, r.outcome, r.created_at, r.sources or [], r.verdicts or [],
                      r.meta or {})


def _key_taken(exc: IntegrityError) -> bool:
    message = str(exc.orig or exc).lower()
    return "uq_turns_client_key" in message or "turns.conversation_id, turns.client_key" in message


class _Taken(Exception):
    """A conversation id that exists already (another worker created it a moment ago)."""


def _own(info: ConversationInfo, business: str) -> ConversationInfo:
    if info.business != business:
        raise NotFound(f"there is no conversation {info.id!r} here; leave the id out to start a new one.")
    return info


def _seq_taken(exc: IntegrityError) -> bool:
    message = str(exc.orig or exc).lower()
    return "uq_turn_seq" in message or "turns.conversation_id, turns.seq" in message


def _busy(exc: OperationalError) -> bool:
    message = str(exc.orig or exc).lower()
    return "locked" in message or "busy" in message


def _ticket(row: Any) -> Ticket:
    return Ticket(row.id, row.conversation_id, row.business, row.status, row.priority, row.reason, row.summary,
                  dict(row.mood or {}), row.assignee, row.resolution, row.created_at, row.updated_at,
                  row.assigned_at, row.resolved_at)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: still safe if the process dies; one fsync per checkpoint
    cursor.close()


def _safe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url
