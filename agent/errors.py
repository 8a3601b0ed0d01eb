"""Every error Tactful raises on purpose, in one short tree.

    TactfulError
    ├── ConfigError            the operator's fault: bad file, key or value; says which and how to fix it
    ├── ServiceUnavailable     retryable: a model, embedder, index or store that is down or too slow
    │   ├── ModelUnavailable
    │   ├── StoreUnavailable
    │   └── AccountsUnavailable   the business's own customer API (accounts.source: rest)
    └── BadInput               the customer's or caller's input cannot be used (empty, too large, ...)
        └── NotFound           a conversation or ticket id that does not exist

They are turned into an exit code, an HTTP status or a kind chat reply only at the edges
(the CLI, the API, the turn pipeline's fallback), never deeper.
"""

from __future__ import annotations


class TactfulError(Exception):
    """Base of every error Tactful raises on purpose."""


class ConfigError(TactfulError):
    """The configuration cannot be used. The message names the file, the key and the fix."""


class ServiceUnavailable(TactfulError):
    """A dependency is down or timed out; worth retrying later."""

    def __init__(self, message: str, *, attempts: int = 1) -> None:
        super().__init__(message)
        self.attempts = attempts


class ModelUnavailable(ServiceUnavailable):
    """The language model did not answer in time or failed, after retries."""


class StoreUnavailable(ServiceUnavailable):
    """The conversation store cannot be read or written."""


class AccountsUnavailable(ServiceUnavailable):
    """The business's own customer API (accounts.source: rest) is down, too slow or off its contract; the message
    names the URL, never the token."""


class BadInput(TactfulError):
    """Input that cannot be used as it is; the message says what was wrong and what to do."""


class NotFound(BadInput):
    """An id (conversation, ticket) that does not exist; the message says which and how to list them."""
