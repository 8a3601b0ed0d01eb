"""Inbound email as the agent should read it: who wrote, what they wrote this time, and which thread it is.

    parse_rfc822(raw_bytes)          # a message fetched over IMAP (or Mailgun's ``body-mime``)
    parse_webhook_fields(fields)     # Mailgun's inbound-route form fields
    email_conversation_id(business_address, email.thread_root)

Quoted history, "On ... wrote:" blocks, Outlook headers and signatures are removed, so the agent reads the
customer's new words only. A thread is one conversation: its root is the first id in References, else
In-Reply-To, else the message's own Message-Id (a customer's reply to an email we sent first has that
email's Message-Id as its root). Framework-free, and nothing here logs.
"""

from __future__ import annotations

import hashlib
import json
import re
from contextlib import suppress
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import parseaddr
from html.parser import HTMLParser
from typing import Callable, Mapping

from agent.channels.response import channel_conversation_id
from agent.errors import BadInput

#: Longest id kept as it is in the agent's message key (``Agent.respond`` takes 80 printable characters).
_MESSAGE_KEY_CHARS = 80
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_REPLY_PREFIX = re.compile(r"^\s*(?:re|aw|sv|antw|r)\s*(?:\[\d+\])?\s*:\s*", re.IGNORECASE)
_FORWARD_PREFIX = re.compile(r"^\s*(?:fwd?|wg|tr)\s*:\s*", re.IGNORECASE)
#: "On Tue, 4 Jun 2024 at 10:02, Jo <jo@example.com> wrote:" and its usual translations.
_WROTE = re.compile(r"^\s*(?:on\b.*\bwrote|le\b.*\ba écrit|am\b.*\bschrieb|el\b.*\bescribió|op\b.*\bschreef)\s*:\s*$",
                    re.IGNORECASE)
_ORIGINAL = re.compile(r"^\s*(?:-{2,}\s*(?:original message|forwarded message)\s*-{2,}|_{10,})\s*$", re.IGNORECASE)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(?:from|von|de)\s*:\*?\s", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(r"^\s*\*?(?:sent|date|to|subject|gesendet|envoyé)\s*:", re.IGNORECASE)
_MOBILE_SIGNATURE = re.compile(r"^\s*(?:sent from my \w+|get outlook for \w+)", re.IGNORECASE)
_AUTO_SENDERS = frozenset({"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply"})


@dataclass(frozen=True)
class InboundEmail:
    """One customer email, decoded and cleaned; ``auto_reply`` says why it must not be answered (None: a person)."""

    sender: str
    display_name: str
    subject: str
    text: str
    message_id: str
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    auto_reply: str | None = None

    @property
    def thread_root(self) -> str:
        """The Message-Id that names the thread: the first reference, else the parent, else this message."""
        return self.references[0] if self.references else (self.in_reply_to or self.message_id)

    @property
    def message_key(self) -> str:
        """This message's id for ``Agent.respond(message_id=...)``: a retry of it gets the same stored reply."""
        key = "email:" + self.message_id.strip("<>")
        if len(key) <= _MESSAGE_KEY_CHARS and key.isascii() and key.isprintable():
            return key
        return "email:sha256:" + hashlib.sha256(self.message_id.encode("utf-8", "surrogatepass")).hexdigest()

    def reply_references(self, keep: int = 20) -> tuple[str, ...]:
        """References for our reply (RFC 5322): this message's References (else its In-Reply-To) and its own
        id; a long chain keeps its root and the latest ids."""
        chain = list(self.references or ([self.in_reply_to] if self.in_reply_to else []))
        if self.message_id not in chain:
            chain.append(self.message_id)
        if len(chain) > keep:
            chain = [chain[0], *chain[-(keep - 1):]]
        return tuple(chain)


def email_conversation_id(business_address: str, root_message_id: str) -> str:
    """The conversation of one thread to one business address (hashed: no address or id in the clear)."""
    return channel_conversation_id("email", business_address.strip().lower(), _normal_id(root_message_id))


def reply_subject(subject: str) -> str:
    """"Re: " and the subject, not doubled ("Re: Re: ..."), on one line."""
    one_line = " ".join(subject.split())[:200]
    if not one_line:
        return "Re: your message"
    return one_line if _REPLY_PREFIX.match(one_line) else f"Re: {one_line}"


# -- parsing ---------------------------------------------------------------------------------------------------------
def parse_rfc822(raw: bytes) -> InboundEmail:
    """An email from its raw bytes (RFC 822/5322, any charset); BadInput when it has no sender to answer."""
    message = message_from_bytes(raw, policy=policy.default)
    get = _header_reader(message)
    body = _best_body(message)  # type: ignore[arg-type]  (policy.default parses to EmailMessage)
    reason = auto_reply_reason(get, _address(get("From")))
    if reason is None and message.get_content_type() == "multipart/report":
        reason = "a delivery or read report"
    digest = hashlib.sha256(raw).hexdigest()
    return _build(get, body, reason, digest)


#: Webhook fields that are a body or the signature, never a header of the same name.
_BODY_FIELDS = frozenset({"body-plain", "body-html", "stripped-text", "stripped-html", "stripped-signature",
                          "message-headers", "body-mime", "token", "signature", "timestamp"})


def parse_webhook_fields(fields: Mapping[str, str]) -> InboundEmail:
    """An email from Mailgun's inbound-route fields (``from``, ``subject``, ``stripped-text``, ``body-plain``,
    ``Message-Id``, ``message-headers``, ...), or from its ``body-mime`` when the route sends the raw message."""
    if fields.get("body-mime"):
        return parse_rfc822(fields["body-mime"].encode("utf-8", "surrogateescape"))
    headers = _webhook_headers(fields)

    def get(name: str) -> str:
        lowered = name.lower()
        direct = next((v for k, v in fields.items() if k.lower() == lowered and lowered not in _BODY_FIELDS
                       and v.strip()), None)
        return (direct if direct is not None else headers.get(lowered, "")).strip()

    if not get("From") and fields.get("sender"):
        headers["from"] = fields["sender"]  # the envelope sender, when the From header did not come
    stripped = (fields.get("stripped-text") or "").strip()
    if stripped:
        body = stripped
    elif (fields.get("body-plain") or "").strip():
        body = strip_quoted(fields["body-plain"])
    else:
        body = strip_quoted(html_to_text(fields.get("stripped-html") or fields.get("body-html") or ""))
    reason = auto_reply_reason(get, _address(get("From") or fields.get("sender", "")))
    basis = "\x1f".join(fields.get(k, "") for k in ("sender", "from", "subject", "body-plain"))  # same on a retry
    return _build(get, body, reason, hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest())


def _webhook_headers(fields: Mapping[str, str]) -> dict[str, str]:
    """Mailgun's ``message-headers``: a JSON list of [name, value] pairs, as a dict of the first of each name."""
    try:
        pairs = json.loads(fields.get("message-headers") or "[]")
    except (ValueError, RecursionError):
        return {}
    headers: dict[str, str] = {}
    for pair in pairs if isinstance(pairs, list) else []:
        if isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair):
            headers.setdefault(pair[0].lower(), pair[1])
    return headers


def _build(get: Callable[[str], str], body: str, auto_reply: str | None, digest: str) -> InboundEmail:
    from_name, from_address = parseaddr(get("From"))
    _, reply_to = parseaddr(get("Reply-To"))
    sender = reply_to if _plausible(reply_to) else from_address
    if not _plausible(sender):
        raise BadInput("the email has no sender address to answer (From is missing or malformed).")
    references = tuple(_MESSAGE_ID.findall(get("References")))
    parent = _MESSAGE_ID.findall(get("In-Reply-To"))
    own = _MESSAGE_ID.findall(get("Message-Id")) or [_wrapped(get("Message-Id"))]
    subject = " ".join(get("Subject").split())
    text = body.strip()
    if not text and subject and not _REPLY_PREFIX.match(subject):
        text = _FORWARD_PREFIX.sub("", subject)  # a question asked in the subject line alone
    return InboundEmail(sender=sender, display_name=" ".join(from_name.split())[:100], subject=subject, text=text,
                        message_id=own[0] or f"<{digest[:40]}@unknown.invalid>",
                        in_reply_to=parent[0] if parent else None, references=references, auto_reply=auto_reply)


def _header_reader(message: Message) -> Callable[[str], str]:
    def get(name: str) -> str:
        try:
            value = message.get(name)
        except Exception:  # noqa: BLE001 (a malformed header the parser cannot render: treat it as absent)
            return ""
        return "" if value is None else str(value).strip()

    return get


def _best_body(message: EmailMessage) -> str:
    """The customer's words: text/plain preferred, else HTML made text; attachments are never read."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = _decoded(part)
    if part.get_content_type() == "text/html":
        content = html_to_text(content)
    return strip_quoted(content)


def _decoded(part: Message) -> str:
    with suppress(LookupError, UnicodeError, AssertionError, KeyError, ValueError):  # unknown charset, bad encoding
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("cp1252", "replace")


# -- auto-replies ----------------------------------------------------------------------------------------------------
def auto_reply_reason(get: Callable[[str], str], sender: str) -> str | None:
    """Why a message is machine-sent (an out-of-office, a bounce, a list), or None: answering those makes mail loops."""
    submitted = get("Auto-Submitted").lower()
    if submitted and submitted != "no":
        return "Auto-Submitted"
    if get("Precedence").lower() in ("bulk", "junk", "list", "auto_reply"):
        return "Precedence"
    if get("X-Autoreply") or get("X-Autorespond") or get("X-Autogenerated"):
        return "an auto-reply header"
    if get("List-Id") or get("List-Unsubscribe"):
        return "a mailing list"
    if get("Return-Path").strip() == "<>":
        return "a null return path (a bounce)"
    local = sender.rpartition("@")[0].lower()
    if local in _AUTO_SENDERS or local.startswith(("mailer-daemon", "bounce")):
        return "an automatic sender address"
    return None


# -- text ------------------------------------------------------------------------------------------------------------
def strip_quoted(text: str) -> str:
    """The new part of a reply: quoted lines, "On ... wrote:" blocks, Outlook headers and signatures removed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if line.rstrip() in ("-- ", "--") or _ORIGINAL.match(line) or _WROTE.match(line):
            break
        if _WROTE.match(f"{line} {following}") and not _WROTE.match(following) and not line.lstrip().startswith(">"):
            break  # "On ..., Jo <jo@example.com>" / "wrote:" wrapped over two lines
        if _OUTLOOK_FROM.match(line) and any(_OUTLOOK_NEXT.match(n) for n in lines[i + 1:i + 4]):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    while kept and (not kept[-1].strip() or _MOBILE_SIGNATURE.match(kept[-1])):
        kept.pop()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def cut_to(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a paragraph or sentence break where one is near."""
    if len(text) <= limit:
        return text
    window = text[:limit]
    cut = max(window.rfind("\n\n"), window.rfind(". "), window.rfind("? "), window.rfind("! "))
    return (window[:cut + 1] if cut >= limit // 2 else window).rstrip()


def html_to_text(html: str) -> str:
    """Readable text from an HTML email: blocks on their own lines, scripts, styles and quoted replies dropped."""
    parser = _TextFromHtml()
    with suppress(AssertionError, ValueError):  # html.parser gives up on some broken markup: keep what it read
        parser.feed(html)
        parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\f\v\u00a0]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


class _TextFromHtml(HTMLParser):
    """Collects text; skips scripts, styles and quoted replies (``<blockquote>``, Gmail's ``gmail_quote``)."""

    _SKIP = frozenset({"script", "style", "head", "title", "blockquote", "template"})
    _BLOCK = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_tag: str | None = None
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_tag is not None:
            self.skip_depth += tag == self.skip_tag
        elif tag in self._SKIP or "gmail_quote" in (dict(attrs).get("class") or ""):
            self.skip_tag, self.skip_depth = tag, 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_tag is None and tag in self._BLOCK:  # <br/>: one line break, not two
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skip_tag is not None:
            self.skip_depth -= tag == self.skip_tag
            if self.skip_depth <= 0:
                self.skip_tag = None
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skip_tag is None:
            self.parts.append(data)


# -- small helpers ---------------------------------------------------------------------------------------------------
def _address(value: str) -> str:
    return parseaddr(value)[1]


def _plausible(address: str) -> bool:
    local, at, domain = address.rpartition("@")
    return bool(at and local and domain) and not any(c.isspace() or c in "<>\"," for c in address) \
        and len(address) <= 254


def _wrapped(value: str) -> str:
    """A Message-Id written without its angle brackets (some providers' fields), in the usual form; or ''."""
    value = value.strip()
    return f"<{value}>" if value and not any(c.isspace() or c in "<>" for c in value) else ""


def _normal_id(message_id: str) -> str:
    found = _MESSAGE_ID.findall(message_id)
    return found[0] if found else _wrapped(message_id) or message_id.strip()
