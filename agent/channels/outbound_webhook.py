"""Tells a business's own system (or a Chatwoot-style inbox) that a conversation was handed to a person.

    payload = handoff_payload(ticket, conversation, transcript)     # JSON-able, texts as stored (redacted)
    WebhookSender(url, secret).send(payload)                          # POST, signed, retried a few times

Every request carries ``X-Tactful-Signature: t={unix seconds},v1={hex HMAC-SHA256 of "{t}.{body}"}``;
receivers check it with ``verify`` (or the same three lines in their own language) and refuse old
timestamps, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Protocol, Sequence

from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from agent.errors import NotFound, ServiceUnavailable

if TYPE_CHECKING:
    from agent.store import ConversationStore
    from agent.store.conversation_store import ConversationInfo, StoredTurn, Ticket

log = logging.getLogger("tactful.channels.webhook")

HANDOFF_EVENT = "conversation.handed_off"
SIGNATURE_HEADER = "X-Tactful-Signature"
#: Receivers should refuse signatures older (or newer) than this.
DEFAULT_TOLERANCE_SECONDS = 300


class WebhookFailed(ServiceUnavailable):
    """The receiver could not be reached or kept refusing; ``attempts`` says how often we tried."""


class _Retryable(Exception):
    """A failure worth another try: no connection, a timeout, a 5xx or a 429."""


def handoff_payload(ticket: "Ticket", conversation: "ConversationInfo",
                    transcript: Sequence["StoredTurn"]) -> dict[str, Any]:
    """The hand-off event: the ticket, the conversation and its transcript exactly as stored (PII redacted)."""
    return {
        "event": HANDOFF_EVENT,
        "id": f"handoff-{ticket.id}",  # stable across retries: receivers can drop duplicates by it
        "created_at": _iso(ticket.created_at),
        "ticket": {"id": ticket.id, "status": ticket.status, "priority": ticket.priority, "reason": ticket.reason,
                   "summary": ticket.summary, "mood": dict(ticket.mood), "assignee": ticket.assignee,
                   "created_at": _iso(ticket.created_at)},
        "conversation": {"id": conversation.id, "business": conversation.business, "channel": conversation.channel,
                         "customer_name": conversation.customer_name, "status": conversation.status,
                         "created_at": _iso(conversation.created_at)},
        "transcript": [{"seq": t.seq, "role": t.role, "text": t.text, "created_at": _iso(t.created_at)}
                       for t in transcript],
    }


def handoff_payload_for(store: "ConversationStore", ticket_id: int) -> dict[str, Any]:
    """``handoff_payload`` for a ticket in the store."""
    ticket = store.get_ticket(ticket_id)
    if ticket is None:
        raise NotFound(f"there is no ticket {ticket_id}; `tactful tickets list` shows them.")
    conversation = store.get_conversation(ticket.conversation_id)
    if conversation is None:
        raise NotFound(f"ticket {ticket_id} points at a missing conversation {ticket.conversation_id!r}.")
    return handoff_payload(ticket, conversation, store.turns(ticket.conversation_id))


def encode(payload: dict[str, Any]) -> bytes:
    """The exact bytes that are signed and sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The ``X-Tactful-Signature`` value for ``body`` sent at ``timestamp`` (unix seconds)."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(body: bytes, signature: str | None, secret: str, *, now: float | None = None,
           tolerance: float = DEFAULT_TOLERANCE_SECONDS) -> bool:
    """For receivers: True when ``signature`` is ours for ``body`` and its timestamp is within ``tolerance``.

    Several ``v1=`` entries are accepted (a secret being rotated); any one matching is enough.
    """
    if not signature or not secret:
        return False
    fields: dict[str, list[str]] = {}
    for part in signature.split(","):
        key, _, value = part.strip().partition("=")
        fields.setdefault(key, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(body, secret, timestamp).split("v1=", 1)[1].encode("ascii")
    return any(hmac.compare_digest(expected, v.encode("utf-8", "replace")) for v in fields.get("v1", []))


class SendsWebhooks(Protocol):
    def send(self, payload: dict[str, Any]) -> "WebhookDelivery": ...


@dataclass(frozen=True)
class WebhookDelivery:
    status: int
    attempts: int


class WebhookSender:
    """POSTs signed events to one URL with urllib: a timeout per attempt, a few attempts with backoff."""

    def __init__(self, url: str, secret: str, *, timeout: float = 5.0, attempts: int = 3,
                 backoff_seconds: float = 0.5, clock: Callable[[], float] = time.time) -> None:
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"a webhook URL starts with https:// (or http://), not {url!r}")
        self.url = url
        self.secret = secret
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff_seconds = backoff_seconds
        self.clock = clock

    def send(self, payload: dict[str, Any]) -> WebhookDelivery:
        body = encode(payload)
        retrying = Retrying(stop=stop_after_attempt(self.attempts), retry=retry_if_exception_type(_Retryable),
                            wait=wait_exponential(multiplier=self.backoff_seconds, max=10 * self.backoff_seconds),
                            reraise=False)
        try:
            for attempt in retrying:
                with attempt:
                    status = self._post_once(body, payload)
                    return WebhookDelivery(status, attempt.retry_state.attempt_number)
        except RetryError as exc:
            cause = exc.last_attempt.exception()
            raise WebhookFailed(f"the hand-off webhook at {self.url} failed {self.attempts} times, last: {cause}. "
                                "Check that the receiver is up and answers 2xx.", attempts=self.attempts) from cause
        raise AssertionError("unreachable")  # pragma: no cover

    def _post_once(self, body: bytes, payload: dict[str, Any]) -> int:
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Tactful-Webhook/1",
                   SIGNATURE_HEADER: sign(body, self.secret, int(self.clock())),
                   "X-Tactful-Event": str(payload.get("event", "")), "X-Tactful-Delivery": str(payload.get("id", ""))}
        request = urllib.request.Request(self.url, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (operator's URL)
                return response.status
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code >= 500 or exc.code == 429:
                raise _Retryable(f"HTTP {exc.code}") from None
            raise WebhookFailed(f"the hand-off webhook at {self.url} refused the event with HTTP {exc.code}. "
                                "Check the receiver's URL and its signing secret.") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise _Retryable(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from None


@dataclass
class RecordingWebhookSender:
    """A test double: keeps each payload, and the signed body it would have sent."""

    secret: str = "test-secret"
    sent: list[dict[str, Any]] = field(default_factory=list)
    bodies: list[tuple[bytes, str]] = field(default_factory=list)

    def send(self, payload: dict[str, Any]) -> WebhookDelivery:
        body = encode(payload)
        self.sent.append(payload)
        self.bodies.append((body, sign(body, self.secret, int(time.time()))))
        return WebhookDelivery(200, 1)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
