"""Operator tokens for the REST API: kept only as SHA-256 digests, compared in constant time.

Tokens come from configuration (``server.operator_tokens``). None configured means the operator
endpoints refuse every request: they are never open by default.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, Iterable

from agent.errors import ConfigError

#: Shorter tokens are guessable; refuse them at start-up rather than serve with them.
MIN_TOKEN_CHARS = 16


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def _plain(token: Any) -> str:
    """A token as text: a str or a pydantic SecretStr (as the configuration holds them)."""
    reveal = getattr(token, "get_secret_value", None)
    return reveal() if callable(reveal) else str(token)


class OperatorTokens:
    """The set of accepted bearer tokens, as digests; the tokens themselves are not kept."""

    def __init__(self, tokens: Iterable[Any] | None = None) -> None:
        plain = [_plain(t).strip() for t in (tokens or [])]
        short = [i for i, t in enumerate(plain) if len(t) < MIN_TOKEN_CHARS]
        if short:
            raise ConfigError(
                f"server.operator_tokens: token #{short[0] + 1} is shorter than {MIN_TOKEN_CHARS} characters. "
                "Use long random tokens, for example `python -c \"import secrets; print(secrets.token_urlsafe(32))\"`.")
        self._digests = [_digest(t) for t in plain]

    @property
    def configured(self) -> bool:
        return bool(self._digests)

    def accepts(self, presented: str | None) -> bool:
        """True when ``presented`` is one of the tokens; every stored digest is compared (no early exit)."""
        if not presented:
            return False
        candidate = _digest(presented)
        matched = False
        for digest in self._digests:
            matched |= hmac.compare_digest(candidate, digest)
        return matched

    @staticmethod
    def conversation_for(token: str, user: str) -> str:
        """A stable conversation id for a chat-completions ``user``, keyed by the caller's token.

        Keyed so that nobody who only knows the user string (a customer, say) can work out the id,
        and so that two tools holding different tokens never share a conversation by accident.
        """
        return hmac.new(_digest(token), f"chat-completions-user:{user}".encode("utf-8"),
                        hashlib.sha256).hexdigest()[:32]


def token_actor(token: str) -> str:
    """How an operator token appears in the audit trail: a short digest, never the token."""
    return "api-token:" + hashlib.sha256(token.encode("utf-8")).hexdigest()[:10]
