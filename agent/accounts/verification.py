"""The identity rail: a customer proves who they are before any account detail is shared or changed.

Proof is something the customer has (an order number or booking reference) plus something on file
that a stranger holding it would not know (the email address or postcode of that account), as shops
check on the phone. The values are read from the customer's own words in this turn, compared in
constant time, and never stored: the session keeps only "verified as customer 17 at 14:02" or a count
of failed tries. A wrong reference and a wrong email get the same answer, so the rail cannot be used
to learn which order numbers exist. After ``max_verification_attempts`` failures it stops trying.

Only this module can make a ``VerifiedCustomer``: the tools will not run without one.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Callable, Literal

from agent.accounts.intents import emails, postcodes, references
from agent.accounts.records import AccountSession, CustomerProfile, VerifiedCustomer
from agent.accounts.sources import AccountSource
from agent.config_accounts import AccountsConfig
from guardrails import Verdict

if TYPE_CHECKING:
    from agent.store import ConversationStore

_MINT = object()

Outcome = Literal["verified", "still_verified", "incomplete", "mismatch", "locked"]


@dataclass(frozen=True)
class IdentityResult:
    outcome: Outcome
    verdict: Verdict
    customer: VerifiedCustomer | None = None
    #: What the customer still has to give: "reference", "secret" (email or postcode), or both.
    missing: tuple[str, ...] = ()
    #: The reference they gave (kept in the pending action: it is not a secret on its own).
    reference: str | None = None


class IdentityCheck:
    """Verifies customers of one business and remembers, per conversation, who was verified."""

    def __init__(self, source: AccountSource, store: "ConversationStore", config: AccountsConfig,
                 clock: Callable[[], datetime]) -> None:
        self.source = source
        self.store = store
        self.config = config
        self.clock = clock

    def current(self, conversation_id: str, session: AccountSession | None = None) -> VerifiedCustomer | None:
        """The customer verified in this conversation, if the verification is still fresh."""
        session = session if session is not None else self.store.account_session(conversation_id)
        if session is None or session.customer_id is None or session.verified_at is None:
            return None
        if self.clock() - session.verified_at > timedelta(minutes=self.config.verification_minutes):
            return None
        profile = self.source.customer(session.customer_id)
        return VerifiedCustomer(profile, conversation_id, session.verified_at, _by=_MINT) if profile else None

    def attempt(self, conversation_id: str, text: str, session: AccountSession | None, pending: dict,
                reference: str | None = None) -> IdentityResult:
        """Check the proof in ``text`` (the customer's own words; ``reference`` one they gave earlier) and keep
        the outcome with ``pending`` (what the customer asked for, to do once they are verified)."""
        failed = session.failed_attempts if session is not None else 0
        if failed >= self.config.max_verification_attempts:
            return IdentityResult("locked", _verdict(False, "locked", f"{failed} failed tries: not trying again"))
        given = references(text)
        reference = given[0] if given else reference
        secrets = [*emails(text), *postcodes(text)]
        missing = tuple(name for name, value in (("reference", reference), ("secret", secrets)) if not value)
        if missing:
            self.store.save_account_session(conversation_id, customer_id=None, verified_at=None,
                                            failed_attempts=failed, pending={**pending, "reference": reference})
            return IdentityResult("incomplete", _verdict(False, "incomplete", f"still needs: {', '.join(missing)}"),
                                  missing=missing, reference=reference)
        profile = self._owner(reference)
        if profile is not None and any(_matches(profile, secret) for secret in secrets):
            now = self.clock()
            self.store.save_account_session(conversation_id, customer_id=profile.id, verified_at=now,
                                            failed_attempts=0, pending=pending)
            return IdentityResult("verified", _verdict(True, "verified", "reference and contact detail match"),
                                  VerifiedCustomer(profile, conversation_id, now, _by=_MINT), reference=reference)
        failed += 1
        self.store.save_account_session(conversation_id, customer_id=None, verified_at=None, failed_attempts=failed,
                                        pending=pending)
        outcome: Outcome = "locked" if failed >= self.config.max_verification_attempts else "mismatch"
        return IdentityResult(outcome, _verdict(False, outcome, f"the details did not match (try {failed})"),
                              reference=reference)

    def _owner(self, reference: str) -> CustomerProfile | None:
        order = self.source.order(reference)
        if order is not None:
            return self.source.customer(order.customer_id)
        appointment = self.source.appointment(reference)
        if appointment is not None:
            return self.source.customer(appointment.customer_id)
        return None


def _matches(profile: CustomerProfile, secret: str) -> bool:
    """Constant-time comparison with the email or postcode on file (case and spacing ignored)."""
    candidates = [v for v in (profile.email, profile.postcode) if v]
    given = _canonical(secret)
    return any(hmac.compare_digest(_canonical(c), given) for c in candidates)


def _canonical(value: str) -> bytes:
    return "".join(value.split()).casefold().encode("utf-8")


def _verdict(passed: bool, category: str, reason: str) -> Verdict:
    return Verdict(rail="identity", passed=passed, action="allow" if passed else "block", reason=reason,
                   category=category)
