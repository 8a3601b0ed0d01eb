"""What every HTTP response of ``tactful serve`` gets: rate limits with a clear reply, and security headers.

Rate limits are token buckets per client address (every POST) and per conversation (its messages),
kept in each worker's memory: with N workers a client gets up to N times the limit, which still stops
a flood; the store is not consulted on every request. A refused request gets 429 with ``Retry-After``
and a sentence saying when to try again. Channel webhooks (Slack, Twilio) are signed and retried by
their platforms, so they are not limited per address.

Headers: ``nosniff``, a strict referrer policy, and ``frame-ancestors``: the customer chat may be
framed by the business's own site (``server.frame_ancestors``), the console and the API never.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections import OrderedDict
from typing import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_MESSAGES = re.compile(r"^(?:/t/[^/]+)?/v1/conversations/([^/]+)/messages/?$")
_UNLIMITED = re.compile(r"^(?:/t/[^/]+)?/channels/")


class TokenBuckets:
    """``rate`` requests a minute per key with bursts up to ``burst``; bounded memory.

    A bucket left alone until it is full again is the same as no bucket, so it is dropped then: memory
    follows the keys active in the last ``burst / rate`` seconds, not every client or conversation ever
    seen (a new conversation id a minute would otherwise add a key for good). ``max_keys`` caps a flood
    of new keys inside that window (oldest first).
    """

    def __init__(self, per_minute: int, burst: int | None = None, max_keys: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(1, per_minute // 4))
        self.refill_s = self.burst / self.rate
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, last time), oldest first
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.pop(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._forget_full(now)
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return wait

    def __len__(self) -> int:
        return len(self._buckets)

    def _forget_full(self, now: float) -> None:
        """Drop refilled buckets, least recently used first: the first one still filling was used within
        ``refill_s``, and so was every one after it."""
        while self._buckets:
            tokens, last = next(iter(self._buckets.values()))
            if tokens + (now - last) * self.rate < self.burst:
                break
            self._buckets.popitem(last=False)


class RateLimits:
    """ASGI middleware: per-client and per-conversation limits on POST requests."""

    def __init__(self, app: ASGIApp, *, per_client_per_minute: int, per_conversation_per_minute: int) -> None:
        self.app = app
        self.clients = TokenBuckets(per_client_per_minute, burst=max(5, per_client_per_minute // 3))
        self.conversations = TokenBuckets(per_conversation_per_minute, burst=max(3, per_conversation_per_minute // 3))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or _UNLIMITED.match(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self.clients.take(f"client:{client}")
        what = "from your address"
        match = _MESSAGES.match(path)
        if not wait and match:
            wait = self.conversations.take(f"conversation:{match[1]}")
            what = "in this conversation"
        if wait:
            await _too_many(send, wait, what)
            return
        await self.app(scope, receive, send)


async def _too_many(send: Send, wait: float, what: str) -> None:
    seconds = max(1, math.ceil(wait))
    body = json.dumps({"error": {"status": 429, "message": f"too many messages {what}; please wait {seconds} "
                                 f"second{'s' if seconds != 1 else ''} and send it again."}}).encode()
    await send({"type": "http.response.start", "status": 429,
                "headers": [(b"content-type", b"application/json"), (b"retry-after", str(seconds).encode()),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """ASGI middleware adding security headers to every response (the chat may be framed by ``frame_ancestors``)."""

    def __init__(self, app: ASGIApp, *, frame_ancestors: Iterable[str] = (), https: bool = False,
                 console_prefix: str = "/console") -> None:
        self.app = app
        chat_ancestors = " ".join(["'self'", *frame_ancestors])
        self.common = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"strict-origin-when-cross-origin"),
                       (b"permissions-policy", b"camera=(), microphone=(), geolocation=()")]
        if https:
            self.common.append((b"strict-transport-security", b"max-age=31536000"))
        self.chat = [(b"content-security-policy", f"frame-ancestors {chat_ancestors}".encode())]
        self.closed = [(b"content-security-policy", b"frame-ancestors 'none'"), (b"x-frame-options", b"DENY")]
        self.console_prefix = console_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        closed = "/console" in path or "/v1/" in path or path.startswith(("/docs", "/openapi"))
        extra = self.common + (self.closed if closed else self.chat)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in extra if h[0] not in present]
            await send(message)

        await self.app(scope, receive, with_headers)
