"""Twilio SMS and WhatsApp webhooks: check the signature, ask the agent, answer with TwiML.

    POST /channels/twilio  ->  handle_twilio_message(headers, body, agent, auth_token=..., url=..., replay_guard=...)
        bad signature -> 403 | repeated MessageSid -> 200 <Response/> | otherwise 200 <Response><Message>...

``url`` is the address Twilio was told to call (the webhook URL in the Twilio console), which a proxy in
front of the server may have rewritten: the signature is computed over it. Phone numbers and message
text are never logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from typing import TYPE_CHECKING, Iterable, Mapping
from urllib.parse import parse_qsl, urlsplit, urlunsplit
from xml.sax.saxutils import escape

from agent.channels.replay_guard import DeliveryGuard
from agent.channels.response import ChannelResponse, channel_conversation_id, delivery_key, header

if TYPE_CHECKING:
    from agent.agent import Agent

log = logging.getLogger("tactful.channels.twilio")

TWIML_CONTENT_TYPE = "text/xml; charset=utf-8"
#: Twilio refuses a message body over 1,600 characters; a longer answer goes out as several messages.
MAX_MESSAGE_CHARS = 1600
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
_DEFAULT_PORTS = {"https": 443, "http": 80}
#: Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def twilio_signature(url: str, params: Iterable[tuple[str, str]] | Mapping[str, str], auth_token: str) -> str:
    """Twilio's request signature: base64 HMAC-SHA1 of the URL followed by every form key and value, sorted by key."""
    pairs = sorted(params.items() if isinstance(params, Mapping) else params)
    data = url + "".join(key + value for key, value in pairs)
    digest = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_twilio_request(headers: Mapping[str, str], url: str, params: Iterable[tuple[str, str]],
                          auth_token: str) -> bool:
    """True when ``X-Twilio-Signature`` matches; like Twilio's own validator, the URL with and without its
    default port (``:443``) are both accepted, since Twilio signs the URL as it was configured."""
    signature = header(headers, "X-Twilio-Signature")
    if not signature or not auth_token:
        return False
    pairs = list(params)
    given = signature.encode("utf-8", "replace")
    return any(hmac.compare_digest(twilio_signature(candidate, pairs, auth_token).encode("ascii"), given)
               for candidate in _url_variants(url))


def handle_twilio_message(headers: Mapping[str, str], body: bytes, agent: "Agent", *, auth_token: str, url: str,
                          replay_guard: DeliveryGuard, now: float | None = None) -> ChannelResponse:
    """Answer one incoming SMS or WhatsApp message with TwiML (``now`` is the replay guard's clock)."""
    try:
        params = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        return ChannelResponse.text(400, "expected a form-encoded Twilio webhook")
    if not verify_twilio_request(headers, url, params, auth_token):
        log.warning("twilio request refused: signature mismatch or missing")
        return ChannelResponse.text(403, "invalid request signature")
    form = dict(params)
    sender = form.get("From", "")
    sid = form.get("MessageSid") or form.get("SmsMessageSid") or form.get("SmsSid") or ""
    if not sender or not sid:
        return ChannelResponse.text(400, "a Twilio message webhook carries From and MessageSid")
    key = delivery_key("twilio", sid)
    if replay_guard.seen(key, now):
        log.info("twilio message %s already handled", sid)
        return twiml([])
    channel = "whatsapp" if sender.startswith("whatsapp:") else "sms"
    conversation_id = channel_conversation_id("twilio", sender)
    customer = {"name": form["ProfileName"]} if form.get("ProfileName") else None  # WhatsApp profile name
    try:
        reply = agent.respond(form.get("Body", ""), conversation_id=conversation_id, customer=customer,
                              channel=channel)
    except Exception:
        replay_guard.forget(key)  # not answered: a retry of this message may try again
        raise
    if not reply.text.strip():
        log.info("twilio message %s: a person has conversation %s, the assistant stays silent", sid, conversation_id)
        return twiml([])
    log.info("twilio message %s answered in conversation %s (%s)", sid, conversation_id, reply.outcome)
    return twiml(split_message(reply.text))


def twiml(messages: list[str]) -> ChannelResponse:
    """A TwiML messaging response: one ``<Message>`` per text, or an empty ``<Response/>`` (send nothing)."""
    if not messages:
        xml = f"{_XML_DECLARATION}<Response/>"
    else:
        xml = _XML_DECLARATION + "<Response>" + "".join(
            f"<Message>{escape(_NOT_XML.sub('', m))}</Message>" for m in messages) + "</Response>"
    return ChannelResponse(200, xml.encode("utf-8"), TWIML_CONTENT_TYPE, {})


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """``text`` in pieces Twilio accepts, cut at a paragraph, line or word break where one is near."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _url_variants(url: str) -> list[str]:
    parts = urlsplit(url)
    default = _DEFAULT_PORTS.get(parts.scheme)
    if default is None or not parts.hostname:
        return [url]
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    userinfo = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    if parts.port is None:
        other = urlunsplit(parts._replace(netloc=f"{userinfo}{host}:{default}"))
    elif parts.port == default:
        other = urlunsplit(parts._replace(netloc=f"{userinfo}{host}"))
    else:
        return [url]
    return [url, other]
