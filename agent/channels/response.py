"""What every inbound channel adapter hands back to the HTTP layer, and how a channel thread becomes a conversation."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Mapping


@dataclass(frozen=True)
class ChannelResponse:
    """An HTTP response, framework-free: the route copies status, body, content type and headers out."""

    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def text(cls, status: int, text: str, headers: dict[str, str] | None = None) -> "ChannelResponse":
        return cls(status, text.encode("utf-8", "replace"), "text/plain; charset=utf-8", dict(headers or {}))


def channel_conversation_id(prefix: str, *parts: str) -> str:
    """A stable Tactful conversation id for a channel's thread or sender, e.g. ``("slack", team, channel, ts)``.

    Hashed, so the id (which shows in logs, tickets and URLs) carries no phone number or Slack id in the
    clear; the same parts always give the same id, so a thread keeps its conversation across messages.
    A phone number's hash can still be found by trying every number: treat the id as personal data.
    """
    digest = hashlib.sha256(_bytes("\x1f".join((prefix, *parts)))).hexdigest()
    return f"{prefix}-{digest[:40]}"


#: Longest id part kept readable in a delivery key (the store's key column holds 200 characters).
_READABLE_KEY = 120


def delivery_key(kind: str, *parts: str) -> str:
    """The replay guard's key for one delivery (``"slack:event:Ev123"``). Ids come from the request, so one
    that is long, binary or not plain ASCII is replaced by its hash: the key always fits the store."""
    raw = ":".join(parts)
    if len(raw) <= _READABLE_KEY and raw.isascii() and raw.isprintable():
        return f"{kind}:{raw}"
    return f"{kind}:sha256:{hashlib.sha256(_bytes(raw)).hexdigest()}"


def _bytes(text: str) -> bytes:
    """UTF-8, lone surrogates (from a JSON escape such as "\\ud800") included rather than fatal."""
    return text.encode("utf-8", "surrogatepass")


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name, whatever its case (a plain dict from a test, or a framework's own mapping)."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value
