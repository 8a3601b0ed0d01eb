"""Inbound email: the provider's webhook (Mailgun's inbound-route format), and the answer both it and the
IMAP poller give, in thread, through an ``EmailSender``.

    POST /channels/email/inbound  ->  handle_inbound_email(headers, body, agent, signing_key=..., sender=...,
                                                            replay_guard=...)
        malformed -> 400 | bad or stale signature -> 403 | token seen before -> 200, nothing sent
        auto-reply -> 200, nothing answered | sending failed -> 503 (the provider retries) | answered -> 200

Retries are safe: the agent is asked with the email's Message-Id as its message id, so a retry after a
failed send gets the reply already stored (sent this time), never a second answer, and the customer's
message is stored once. Addresses, names and message text are never logged.
"""

from __future__ import annotations

import codecs
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from email.utils import formataddr
from typing import TYPE_CHECKING, Literal, Mapping
from urllib.parse import parse_qsl

from agent.channels.email_message import (InboundEmail, cut_to, email_conversation_id, parse_webhook_fields,
                                          reply_subject)
from agent.channels.email_sender import EmailSender, EmailSendFailed
from agent.channels.replay_guard import DeliveryGuard
from agent.channels.response import ChannelResponse, delivery_key, header
from agent.errors import BadInput, ConfigError, ServiceUnavailable, StoreUnavailable

if TYPE_CHECKING:
    from agent.agent import Agent

log = logging.getLogger("tactful.channels.email")

#: Mailgun's advice: refuse a signature whose timestamp is further than this from now (a replayed capture).
MAX_SIGNATURE_AGE_SECONDS = 300
_MAX_TOKEN_CHARS = 256


@dataclass(frozen=True)
class EmailAnswer:
    """What became of one email: answered (``reply_message_id`` is ours), silent (a person has the
    conversation) or ignored (``reason``: an auto-reply, our own message)."""

    status: Literal["answered", "silent", "ignored"]
    conversation_id: str | None = None
    reply_message_id: str | None = None
    reason: str = ""


def mailgun_signature(signing_key: str, timestamp: str, token: str) -> str:
    """Mailgun's webhook signature: hex HMAC-SHA256 of ``timestamp + token`` with the webhook signing key."""
    return hmac.new(signing_key.encode("utf-8"), (timestamp + token).encode("utf-8"), hashlib.sha256).hexdigest()


def verify_mailgun_fields(fields: Mapping[str, str], signing_key: str, *, now: float | None = None) -> str | None:
    """None when the fields carry a fresh, valid signature; otherwise why not (for the log, never the caller)."""
    timestamp, token, signature = (fields.get(k, "") for k in ("timestamp", "token", "signature"))
    if not (timestamp and token and signature):
        return "missing timestamp, token or signature"
    if len(token) > _MAX_TOKEN_CHARS:
        return "oversized token"
    try:
        sent = float(timestamp)
    except ValueError:
        return "malformed timestamp"
    now = time.time() if now is None else now
    if not abs(now - sent) <= MAX_SIGNATURE_AGE_SECONDS:  # "not <=" also refuses nan
        return "stale timestamp"
    if not signing_key or not hmac.compare_digest(mailgun_signature(signing_key, timestamp, token).encode("ascii"),
                                                  signature.encode("utf-8", "replace")):
        return "signature mismatch"
    return None


def read_form(headers: Mapping[str, str], body: bytes) -> dict[str, str]:
    """The webhook's fields, from multipart/form-data (files skipped) or a urlencoded body; BadInput otherwise."""
    content_type = header(headers, "Content-Type") or ""
    if content_type.lower().startswith("multipart/form-data"):
        envelope = b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n"
        form = BytesParser(policy=policy.HTTP).parsebytes(envelope + body)
        if not form.is_multipart():
            raise BadInput("expected a multipart/form-data body with a boundary")
        fields: dict[str, str] = {}
        for part in form.iter_parts():  # type: ignore[attr-defined]
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str) or part.get_filename() is not None:
                continue  # attachments are not read
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                fields.setdefault(name, payload.decode(_charset(part.get_content_charset()), "replace"))
        return fields
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput("expected a form-encoded inbound email webhook (UTF-8)") from None
    return dict(reversed(parse_qsl(text, keep_blank_values=True)))  # the first of a repeated field wins


def handle_inbound_email(headers: Mapping[str, str], body: bytes, agent: "Agent", *, signing_key: str,
                         sender: EmailSender, replay_guard: DeliveryGuard,
                         now: float | None = None) -> ChannelResponse:
    """Answer one inbound email delivered by the provider's webhook (``now`` is the signature's clock)."""
    try:
        fields = read_form(headers, body)
    except BadInput as exc:
        return ChannelResponse.text(400, str(exc))
    problem = verify_mailgun_fields(fields, signing_key, now=now)
    if problem is not None:
        log.warning("email webhook refused: %s", problem)
        return ChannelResponse.text(403, "invalid request signature")
    try:
        email = parse_webhook_fields(fields)
    except BadInput as exc:
        return ChannelResponse.text(400, f"an inbound email webhook carries from (or sender): {exc}")
    key = delivery_key("email:token", fields["token"])
    if replay_guard.seen(key, now):
        log.info("email webhook delivery already handled")
        return ChannelResponse.text(200, "already handled")
    try:
        answer = answer_email(email, agent, sender)
    except EmailSendFailed as exc:
        if exc.permanent:  # the server refused this message for good: a retry cannot do better
            log.error("email answer not deliverable, not retried: %s", exc)
            return ChannelResponse.text(200, "answered; the reply could not be delivered")
        replay_guard.forget(key)  # the provider's retry of this delivery must get through
        log.error("email answer not sent, the provider will retry: %s", exc)
        return ChannelResponse.text(503, "the reply could not be sent; try again later", {"Retry-After": "60"})
    except ServiceUnavailable as exc:
        replay_guard.forget(key)
        log.error("email not answered, the provider will retry: %s", exc)
        return ChannelResponse.text(503, "temporarily unavailable; try again later", {"Retry-After": "60"})
    except Exception:
        replay_guard.forget(key)  # not answered: a retry of this delivery may try again
        raise
    return ChannelResponse.text(200, answer.status)


def answer_email(email: InboundEmail, agent: "Agent", sender: EmailSender) -> EmailAnswer:
    """Ask the agent about ``email`` and send its reply in the thread (shared by the webhook and the poller).

    Raises ``EmailSendFailed`` when the reply did not go out, and ``StoreUnavailable`` when the store is down
    (the email is better answered later than with an apology); asking again with the same email is safe.
    """
    settings = agent.config.email
    if settings.address is None:
        raise ConfigError("email.address is not set: set it to the business's address to answer email.")
    if email.auto_reply is not None:
        log.info("email ignored: %s", email.auto_reply)
        return EmailAnswer("ignored", reason=email.auto_reply)
    if email.sender.lower() == settings.address.lower():
        log.info("email ignored: it comes from the business's own address")
        return EmailAnswer("ignored", reason="our own address")
    conversation_id = email_conversation_id(settings.address, email.thread_root)
    text = cut_to(email.text, min(settings.max_email_chars, agent.config.limits.max_message_chars))
    customer = {"name": email.display_name} if email.display_name else None
    reply = agent.respond(text, conversation_id=conversation_id, customer=customer, channel="email",
                          message_id=email.message_key)
    if reply.outcome == "store_unavailable":
        raise StoreUnavailable("the conversation store is unavailable; the email is left for a later try.")
    if not reply.text.strip():
        log.info("email conversation %s: a person has it, the assistant stays silent", conversation_id)
        return EmailAnswer("silent", conversation_id)
    reply_id = sender.send(formataddr((email.display_name, email.sender)), reply_subject(email.subject), reply.text,
                           in_reply_to=email.message_id, references=email.reply_references())
    log.info("email conversation %s answered (%s)", conversation_id, reply.outcome)
    return EmailAnswer("answered", conversation_id, reply_id)


def _charset(name: str | None) -> str:
    try:
        return codecs.lookup(name or "utf-8").name
    except LookupError:
        return "utf-8"
