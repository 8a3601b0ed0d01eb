"""Customers' rights and the owner's retention policy: export, erase, expire, and who did what.

A customer is found by what the business knows of them: a conversation id, the name they gave, or
the phone number they wrote from (SMS or WhatsApp conversations are keyed by a hash of it). Export
hands over everything stored about them; erasure removes every trace: their conversations with
turns, tickets, ratings and audit events, the lines of Tactful's log file that name those
conversations, and (in this process) their PII vault. The knowledge index never holds customers'
words (only the business's documents), which the erasure test checks rather than assumes. The audit
trail records who viewed and exported conversations; an erasure leaves one anonymous event (how many
conversations, by whom, when), never who the customer was.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from agent.channels.response import channel_conversation_id
from agent.errors import BadInput
from agent.logs import scrub_log_files
from agent.store import ConversationStore
from agent.store.models import utcnow


@dataclass(frozen=True)
class CustomerRef:
    """How an operator names a customer; at least one part is needed."""

    conversation_ids: tuple[str, ...] = ()
    name: str | None = None
    phone: str | None = None
    #: The business's own customer id (accounts): their profile, orders and bookings, and every
    #: conversation they were verified in or were sent a message in.
    customer_id: str | None = None

    def __post_init__(self) -> None:
        if not (self.conversation_ids or (self.name or "").strip() or (self.phone or "").strip()
                or (self.customer_id or "").strip()):
            raise BadInput("say which customer: a conversation id, the name they gave, their phone number or "
                           "their customer id.")

    def channel_ids(self) -> list[str]:
        """The conversation ids SMS and WhatsApp messages from ``phone`` were filed under."""
        if not self.phone:
            return []
        number = "".join(self.phone.split())
        return [channel_conversation_id("twilio", number), channel_conversation_id("twilio", f"whatsapp:{number}")]


@dataclass
class ErasureReport:
    conversations: int = 0
    log_lines: int = 0
    vault_entries: int = 0
    #: Customer profiles removed with their orders and bookings (0 or 1).
    accounts: int = 0


@dataclass
class RetentionReport:
    action: str
    days: int
    conversations: int = 0
    cutoff: datetime | None = None


@dataclass
class PrivacyDesk:
    """Export, erasure and retention for one business."""

    store: ConversationStore
    business: str
    log_file: Path | None = None
    forget_vault: Callable[[str], bool] | None = None  # the running agent's per-conversation PII vault
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def find(self, customer: CustomerRef) -> list[str]:
        ids = list(customer.conversation_ids) + customer.channel_ids()
        found = set(self.store.conversation_ids(self.business, ids=ids)) if ids else set()
        if customer.name and customer.name.strip():
            found |= set(self.store.conversation_ids(self.business, customer_name=customer.name))
        profile = self._profile(customer)
        if profile is not None:
            found |= {cid for cid, _, _ in self.store.conversations_of(self.business, profile.id)}
        return sorted(found)

    def _profile(self, customer: CustomerRef) -> Any:
        if not (customer.customer_id or "").strip():
            return None
        return self.store.customer_by_external_id(self.business, customer.customer_id.strip())

    def export(self, customer: CustomerRef, actor: str) -> dict[str, Any]:
        """Everything stored about the customer, as JSON-ready data; each conversation's export is audited."""
        ids = self.find(customer)
        records = self.store.records(ids)
        for cid in ids:
            self.store.audit(self.business, _actor(actor), "exported", cid)
        profile = self._profile(customer)
        account = None
        if profile is not None:
            self.store.audit(self.business, _actor(actor), "exported", detail=f"customer profile {profile.external_id}")
            account = {"profile": _jsonable(asdict(profile)),
                       "orders": [_jsonable(asdict(o)) for o in self.store.orders_of(self.business, profile.id,
                                                                                      limit=10_000)],
                       "appointments": [_jsonable(asdict(a)) for a in self.store.appointments_of(self.business,
                                                                                                 profile.id)]}
        return {"business": self.business, "exported_at": utcnow().isoformat(), "account": account, "conversations": [
            {**_jsonable(c),
             "messages": [_jsonable(t) for t in records.turns if t["conversation_id"] == c["id"]],
             "tickets": [_jsonable(t) for t in records.tickets if t["conversation_id"] == c["id"]],
             "ratings": [_jsonable(r) for r in records.ratings if r["conversation_id"] == c["id"]]}
            for c in records.conversations]}

    def erase(self, customer: CustomerRef, actor: str) -> ErasureReport:
        """Remove every trace of the customer; returns what went."""
        with self._lock:
            ids = self.find(customer)
            report = ErasureReport()
            profile = self._profile(customer)
            if profile is not None:
                report.accounts = self.store.delete_customer(self.business, profile.id)
            if not ids:
                if report.accounts:
                    self.store.audit(self.business, _actor(actor), "erased", detail="1 customer profile erased on request")
                return report
            report.conversations = self.store.delete_conversations(ids)
            if self.log_file is not None:
                report.log_lines = scrub_log_files(self.log_file, ids)
            if self.forget_vault is not None:
                report.vault_entries = sum(1 for cid in ids if self.forget_vault(cid))
            self.store.audit(self.business, _actor(actor), "erased",
                             detail=f"{report.conversations} conversation(s) and {report.accounts} customer "
                                    "profile(s) erased on request")
            return report

    def apply_retention(self, days: int, action: str, *, actor: str = "retention job",
                        now: datetime | None = None) -> RetentionReport:
        """Delete or anonymise conversations untouched for ``days`` days."""
        if action not in ("delete", "anonymise"):
            raise BadInput(f"retention action must be delete or anonymise, not {action!r}.")
        if days < 1:
            raise BadInput("retention needs at least one day.")
        cutoff = (now or utcnow()) - timedelta(days=days)
        with self._lock:
            ids = [cid for cid in self.store.conversation_ids(self.business, updated_before=cutoff)
                   if action == "delete" or not self._already_anonymous(cid)]
            report = RetentionReport(action, days, cutoff=cutoff)
            if not ids:
                return report
            if action == "delete":
                report.conversations = self.store.delete_conversations(ids)
                if self.log_file is not None:
                    scrub_log_files(self.log_file, ids)
            else:
                report.conversations = self.store.anonymise_conversations(
                    ids, f"[removed after {days} days]")
            self.store.audit(self.business, actor, "expired",
                             detail=f"{report.conversations} conversation(s) {action}d after {days} days")
            return report

    def _already_anonymous(self, conversation_id: str) -> bool:
        info = self.store.get_conversation(conversation_id)
        return info is None or info.status == "anonymised"


class RetentionJob:
    """Runs the retention policy every ``hours`` in a daemon thread (the server starts one)."""

    def __init__(self, desk: PrivacyDesk, days: int, action: str, hours: float) -> None:
        self.desk, self.days, self.action, self.interval_s = desk, days, action, hours * 3600
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tactful-retention", daemon=True)

    def start(self) -> "RetentionJob":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        import logging

        log = logging.getLogger("tactful.privacy")
        while not self._stop.is_set():
            try:
                report = self.desk.apply_retention(self.days, self.action)
                if report.conversations:
                    log.info("retention: %d conversation(s) %sd after %d days", report.conversations, self.action,
                             self.days)
            except Exception as exc:  # a store that is down now may be up at the next run
                log.error("retention job failed, will try again: %s", exc)
            self._stop.wait(self.interval_s)


def _actor(actor: str) -> str:
    actor = " ".join(str(actor or "").split())
    if not actor:
        raise BadInput("say who you are (--as NAME): exports and erasures are recorded in the audit trail.")
    return actor[:120]


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}
