"""The conversation around the account tools: what the customer wants, proof of who they are, the exact
change read back and a yes before anything changes, then what was done (and an email confirming it).

    handle(conversation, customer's words) -> DeskReply | None (None: not about their account)

State between messages (the intent, a reference, the slots offered, the action awaiting a yes) is kept in
the store's account session, so the next message may land on any worker. An answer that is neither yes
nor no to "Shall I go ahead?" drops the action: nothing changes without a clear yes to exactly it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, Callable

from agent.accounts import wording
from agent.accounts.calendar import AppointmentCalendar
from agent.accounts.intents import IntentMatch, choose, detect_intent, emails, postcodes, references, yes_or_no
from agent.accounts.records import AccountSession, Appointment, Order, VerifiedCustomer
from agent.accounts.sources import AccountSource
from agent.accounts.tools import AccountTools, ToolResult
from agent.accounts.verification import IdentityCheck
from agent.accounts.when import TimeRequest, requested_time
from agent.config import TactfulConfig
from agent.errors import ServiceUnavailable
from agent.proactive import is_stop
from guardrails import Verdict

if TYPE_CHECKING:
    from agent.store import ConversationStore

log = logging.getLogger("tactful.accounts")

_NEEDS_NO_PROOF = ("leave_message",)
#: An answer that starts like a yes but says more ("yes, go ahead and cancel it"): asked again, plainly.
_STARTS_YES = re.compile(r"^\W*(?:yes|yeah|yep|yup|sure|ok|okay|go ahead|please do)\b", re.IGNORECASE)


@dataclass
class DeskReply:
    text: str
    outcome: str
    verdicts: list[Verdict] = field(default_factory=list)
    tool: dict[str, Any] | None = None


class AccountDesk:
    def __init__(self, config: TactfulConfig, store: "ConversationStore", source: AccountSource, *,
                 mailer: Any = None, clock: Callable[[], datetime],
                 chooser: Callable[[str], tuple[IntentMatch, str | None] | None] | None = None) -> None:
        #: Asks a tool-calling model about requests the deterministic reading missed (None: no model help).
        self.chooser = chooser
        self.config = config
        self.store = store
        self.source = source
        self.mailer = mailer
        self.clock = clock
        self.calendar = AppointmentCalendar(source, config.accounts, config.business.opening_hours,
                                            config.business.timezone)
        self.zone = self.calendar.zone
        self.tools = AccountTools(source, self.calendar, config.accounts, self.now)
        self.identity = IdentityCheck(source, store, config.accounts, self.now)
        self.contact = config.business.handoff_contact

    def now(self) -> datetime:
        """The desk's clock (replaceable as a whole: tests and demos set ``desk.clock``)."""
        return self.clock()

    def handle(self, conversation_id: str, original: str, redacted: str) -> DeskReply | None:
        session = self.store.account_session(conversation_id)
        if session is not None and session.customer_id is not None and is_stop(original):
            self.store.set_opt_out(self.source.business, session.customer_id)
            self._save(conversation_id, session, {})
            return DeskReply(wording.opted_out(self.contact), "opted_out")
        pending = dict(session.pending) if session is not None else {}
        awaiting = pending.get("awaiting")
        if awaiting == "message":
            return self._take_message(conversation_id, session, redacted)
        if awaiting == "confirmation":
            answer = yes_or_no(original)
            if answer is not None:
                return self._answer_confirmation(conversation_id, session, pending, answer == "yes")
            unclear = self._unclear_answer(conversation_id, session, pending, original)
            if unclear is not None:
                return unclear
            pending, awaiting = {}, None
        elif awaiting == "order_day":
            moved = self._order_day(conversation_id, session, pending, original)
            if moved is not None:
                return moved
            pending, awaiting = {}, None
        elif awaiting == "slot":
            picked = self._pick_slot(conversation_id, session, pending, original)
            if picked is not None:
                return picked
            pending, awaiting = {}, None
        given = references(original)
        match, reference = detect_intent(original), (given or [None])[0]
        verdicts: list[Verdict] = []
        if match is None and awaiting is None and self.chooser is not None:
            chosen = self.chooser(redacted)  # the model sees the redacted words only
            if chosen is not None:
                match, reference = chosen[0], reference or chosen[1]
                verdicts.append(Verdict(rail="intent", passed=True, action="allow", category="model_tool",
                                        reason=f"the model called {match.intent}"))
        if match is not None:
            pending = {"intent": match.intent, "reference": reference,
                       "wanted": _time_dict(requested_time(original, self.clock().astimezone(self.zone)))}
        elif awaiting != "verification" or not (given or emails(original) or postcodes(original)):
            if session is not None and session.pending:  # another question: what was waiting is dropped
                self._save(conversation_id, session, {})
            return None
        intent = pending["intent"]
        if intent in _NEEDS_NO_PROOF:
            self._save(conversation_id, session, {"intent": intent, "awaiting": "message"})
            return DeskReply(wording.ask_message(), "account_message_asked")
        who = self.identity.current(conversation_id, session)
        if who is None:
            result = self.identity.attempt(conversation_id, original, session, {**pending, "awaiting": "verification"},
                                           reference=pending.get("reference"))
            verdicts.append(result.verdict)
            if result.outcome == "locked":
                self._save(conversation_id, self.store.account_session(conversation_id), {})
                return DeskReply(wording.locked(self.contact), "account_locked", verdicts)
            if result.customer is None:
                return DeskReply(wording.ask_proof(result.missing, mismatch=result.outcome == "mismatch"),
                                 "account_verification", verdicts)
            who, pending["reference"] = result.customer, result.reference
        else:
            verdicts.append(Verdict(rail="identity", passed=True, action="allow", reason="verified earlier in this "
                                    "conversation", category="still_verified"))
        reply = self._act(intent, who, original, pending.get("reference"), _time_request(pending.get("wanted")))
        reply.verdicts[:0] = verdicts
        return reply

    # -- what the customer asked for -------------------------------------------------------------------
    def _act(self, intent: str, who: VerifiedCustomer, original: str, reference: str | None,
             earlier: TimeRequest | None = None) -> DeskReply:
        """``earlier``: the time the customer asked for before they proved who they are."""
        cid = who.conversation_id
        if intent == "order_status":
            result = self.tools.order_status(who, reference)
            self._save(cid, None, {})
            if result.order is None:
                return DeskReply(wording.not_found("that order"), "account_answered", tool=result.to_dict())
            return DeskReply(wording.order_status(result.order, self.zone), "account_answered", tool=result.to_dict())
        if intent == "cancel_order":
            order = self.tools.order_status(who, reference).order
            if order is None:
                self._save(cid, None, {})
                return DeskReply(wording.not_found("that order"), "account_answered")
            refusal = self.tools.cancel_refusal(order)
            if refusal is not None:
                self._save(cid, None, {})
                return DeskReply(wording.refused(f"cancel order {order.number}", refusal, self.contact),
                                 "account_refused", tool={"tool": "cancel_order", "status": "refused"})
            return self._ask_yes(cid, "cancel_order", {"number": order.number},
                                 f"I'll cancel order {order.number} ({wording.items(order)})")
        if intent == "change_order":
            order = self.tools.order_status(who, reference).order
            refusal = self.tools.change_refusal_for_order(order) if order is not None else None
            if order is None or refusal is not None:
                self._save(cid, None, {})
                return (DeskReply(wording.not_found("that order"), "account_answered") if order is None else
                        DeskReply(wording.refused(f"change order {order.number}", refusal, self.contact),
                                  "account_refused", tool={"tool": "change_order", "status": "refused"}))
            wanted = requested_time(original, self.clock().astimezone(self.zone)) or earlier
            if wanted is None or wanted.day is None:
                self._save(cid, None, {"intent": intent, "awaiting": "order_day", "reference": order.number})
                return DeskReply(wording.ask_day(order), "account_asked_day",
                                 tool={"tool": "change_order", "status": "asked_day"})
            return self._offer_order_day(cid, order, wanted)
        upcoming = self.tools.upcoming(who)
        if intent == "my_appointments":
            self._save(cid, None, {})
            return DeskReply(wording.appointments(upcoming, self.zone), "account_answered",
                             tool={"tool": "appointments", "status": "done"})
        if intent == "book_appointment":
            return self._offer(cid, original, "book_appointment", self._service(original), None, earlier=earlier)
        named = next((a for a in upcoming if a.reference == reference), None)
        if named is None and reference is not None and self.source.appointment(reference) is not None:
            self._save(cid, None, {})  # a booking, but not one of theirs: never fall back to their own
            return DeskReply(wording.not_found("that booking"), "account_answered")
        appointment = named or (upcoming[0] if upcoming else None)  # a reference that was an order: their next one
        if appointment is None:
            self._save(cid, None, {})
            return DeskReply(wording.appointments([], self.zone), "account_answered")
        refusal = self.tools.change_refusal(appointment)
        verb = "move" if intent == "move_appointment" else "cancel"
        if refusal is not None:
            self._save(cid, None, {})
            return DeskReply(wording.refused(f"{verb} your appointment on {wording.when(appointment.starts_at, self.zone)}",
                                             refusal, self.contact), "account_refused",
                             tool={"tool": intent, "status": "refused"})
        if intent == "cancel_appointment":
            return self._ask_yes(cid, "cancel_appointment", {"reference": appointment.reference},
                                 f"I'll cancel your {wording.appointment_line(appointment, self.zone)}")
        return self._offer(cid, original, "move_appointment", appointment.service, appointment, earlier=earlier)

    def _offer(self, cid: str, original: str, action: str, service: str, moving: Appointment | None,
               wanted: TimeRequest | None = None, *, earlier: TimeRequest | None = None) -> DeskReply:
        """The time asked for, to confirm, when it is free; otherwise the nearest free times to choose from."""
        now = self.clock()
        wanted = wanted or requested_time(original, now.astimezone(self.zone)) or earlier
        minutes = moving.minutes if moving is not None else self.tools.minutes(service)
        ref = moving.reference if moving is not None else None
        if wanted is not None and wanted.day is not None and wanted.at is not None:
            exact = datetime.combine(wanted.day, wanted.at, tzinfo=self.zone)
            if moving is not None and exact == moving.starts_at:
                self._save(cid, None, {})
                return DeskReply(wording.already_then(moving, self.zone), "account_answered")
            if self.tools.slot_refusal(exact, minutes, moving=ref) is None:
                return self._ask_yes(cid, action, {"starts_at": exact.isoformat(), "service": service,
                                                   "reference": ref}, self._summary(action, service, exact, moving))
        slots = [s for s in self.calendar.free_slots(minutes, now, wanted, moving=ref, limit=4)
                 if moving is None or s != moving.starts_at][:3]
        labels = [wording.when(s, self.zone) for s in slots]
        self._save(cid, None, {"intent": action, "awaiting": "slot", "action": action, "service": service,
                               "reference": ref, "options": [s.isoformat() for s in slots], "labels": labels})
        what = f"your {service}" if moving is not None else f"a {service}"
        return DeskReply(wording.offer_slots(labels, what), "account_slots_offered",
                         tool={"tool": action, "status": "slots_offered"})

    def _order_day(self, cid: str, session: AccountSession | None, pending: dict, original: str) -> DeskReply | None:
        """The answer to "Which day would you like it instead?"; None when it names no day (another question)."""
        wanted = requested_time(original, self.clock().astimezone(self.zone))
        who = self.identity.current(cid, session)
        order = self.source.order(pending.get("reference") or "") if who is not None else None
        if wanted is None or wanted.day is None or order is None or order.customer_id != who.profile.id:
            return None
        return self._offer_order_day(cid, order, wanted)

    def _offer_order_day(self, cid: str, order: Order, wanted: TimeRequest) -> DeskReply:
        """The new day read back for a yes, at the order's own time of day unless the customer named one."""
        was = order.expected_at.astimezone(self.zone).time() if order.expected_at else time(12)
        new_day = datetime.combine(wanted.day, wanted.at or was, tzinfo=self.zone)
        refusal = self.tools.change_refusal_for_order(order, new_day)
        if refusal is not None:
            self._save(cid, None, {})
            return DeskReply(wording.refused(f"move order {order.number} to {wording.day(new_day, self.zone)}",
                                             refusal, self.contact), "account_refused",
                             tool={"tool": "change_order", "status": "refused"})
        return self._ask_yes(cid, "change_order", {"number": order.number, "starts_at": new_day.isoformat()},
                             f"I'll move order {order.number} ({wording.items(order)}) to "
                             f"{wording.day(new_day, self.zone)}")

    def _pick_slot(self, cid: str, session: AccountSession | None, pending: dict, original: str) -> DeskReply | None:
        labels, options = pending.get("labels") or [], pending.get("options") or []
        index = choose(original, labels)
        if index is None or not 0 <= index < len(options):
            if requested_time(original, self.clock().astimezone(self.zone)) is None:
                return None
            who = self.identity.current(cid, session)
            if who is None:
                return None
            moving = self.source.appointment(pending["reference"]) if pending.get("reference") else None
            return self._offer(cid, original, pending["action"], pending.get("service") or self._service(""), moving)
        starts_at = datetime.fromisoformat(options[index])
        moving = self.source.appointment(pending["reference"]) if pending.get("reference") else None
        service = pending.get("service") or self._service("")
        return self._ask_yes(cid, pending["action"], {"starts_at": starts_at.isoformat(), "service": service,
                                                      "reference": pending.get("reference")},
                             self._summary(pending["action"], service, starts_at, moving))

    def _summary(self, action: str, service: str, starts_at: datetime, moving: Appointment | None) -> str:
        if action == "move_appointment" and moving is not None:
            return (f"I'll move your {moving.service} from {wording.when(moving.starts_at, self.zone)} to "
                    f"{wording.when(starts_at, self.zone)}")
        return f"I'll book a {service} for you on {wording.when(starts_at, self.zone)}"

    def _ask_yes(self, cid: str, action: str, args: dict[str, Any], summary: str) -> DeskReply:
        self._save(cid, None, {"intent": action, "awaiting": "confirmation", "action": action, "args": args,
                               "summary": summary})
        return DeskReply(wording.confirm(summary), "account_confirm", tool={"tool": action, "status": "awaiting_yes"})

    # -- the customer's yes or no ---------------------------------------------------------------------
    def _unclear_answer(self, cid: str, session: AccountSession | None, pending: dict,
                        original: str) -> DeskReply | None:
        """"Yes, but at 4pm" offers that time instead; "yes, go ahead and cancel it" is asked again plainly.
        Anything else is another question (None): the change waits no longer."""
        action, args = pending.get("action"), pending.get("args") or {}
        wanted = requested_time(original, self.clock().astimezone(self.zone))
        if action in ("book_appointment", "move_appointment") and wanted is not None and args.get("starts_at"):
            if wanted.day is None:  # "yes, but at 2pm": the same day
                wanted = replace(wanted, day=datetime.fromisoformat(args["starts_at"]).astimezone(self.zone).date())
            moving = self.source.appointment(args["reference"]) if args.get("reference") else None
            if self.identity.current(cid, session) is not None:
                return self._offer(cid, original, action, args.get("service") or self._service(""), moving, wanted)
        again = detect_intent(original)
        if _STARTS_YES.match(original) and (again is None or again.intent == pending.get("intent")):
            return DeskReply(wording.confirm_again(pending.get("summary", "")), "account_confirm",
                             tool={"tool": action, "status": "awaiting_yes"})
        return None


    def _answer_confirmation(self, cid: str, session: AccountSession | None, pending: dict, yes: bool) -> DeskReply:
        self._save(cid, session, {})
        if not yes:
            return DeskReply(wording.left_alone(), "account_unchanged", tool={"tool": pending.get("action"),
                                                                               "status": "declined"})
        who = self.identity.current(cid, session)
        if who is None:  # the verification ran out while the question waited: prove it again first
            self._save(cid, session, {"intent": pending.get("intent"), "awaiting": "verification"})
            return DeskReply(wording.ask_proof(("reference", "secret"), mismatch=False), "account_verification")
        try:
            result = self._run(pending.get("action", ""), who, pending.get("args") or {})
        except ServiceUnavailable as exc:
            log.error("account action failed: %s", exc, extra={"conversation_id": cid})
            return DeskReply(wording.refused("make that change", "our booking system isn't answering right now",
                                             self.contact), "account_unavailable")
        if not result.done:
            reason = result.reason or "I couldn't find it on your account"
            return DeskReply(wording.refused("do that", reason, self.contact), "account_refused", tool=result.to_dict())
        text = self._done_text(result, pending.get("summary", ""))
        sent = self._email_confirmation(who, text)
        return DeskReply(text + wording.confirmation_sent(sent is not None, bool(sent)), "account_done",
                         tool={**result.to_dict(), "emailed": bool(sent)})

    def _run(self, action: str, who: VerifiedCustomer, args: dict[str, Any]) -> ToolResult:
        if action == "cancel_order":
            return self.tools.cancel_order(who, args["number"], confirmed=True)
        if action == "cancel_appointment":
            return self.tools.cancel_appointment(who, args["reference"], confirmed=True)
        starts_at = datetime.fromisoformat(args["starts_at"])
        if action == "change_order":
            return self.tools.change_order(who, args["number"], starts_at, confirmed=True)
        if action == "move_appointment":
            return self.tools.move_appointment(who, args["reference"], starts_at, confirmed=True)
        return self.tools.book_appointment(who, args.get("service") or self._service(""), starts_at, confirmed=True)

    def _done_text(self, result: ToolResult, summary: str) -> str:
        if result.tool == "cancel_order" and result.order is not None:
            return f"Done: order {result.order.number} is cancelled."
        if result.tool == "change_order" and result.order is not None and result.order.expected_at is not None:
            return f"Done: order {result.order.number} is moved to {wording.day(result.order.expected_at, self.zone)}."
        appointment = result.appointment
        if appointment is None:
            return "Done."
        if result.tool == "cancel_appointment":
            return f"Done: your {appointment.service} on {wording.when(appointment.starts_at, self.zone)} is cancelled."
        verb = "moved to" if result.tool == "move_appointment" else "booked for"
        return (f"Done: your {appointment.service} is {verb} {wording.when(appointment.starts_at, self.zone)} "
                f"(reference {appointment.reference}).")

    def _email_confirmation(self, who: VerifiedCustomer, text: str) -> bool | None:
        """True: emailed; False: it failed; None: no address on file or email is not set up."""
        if not (self.config.accounts.email_confirmations and self.mailer is not None and who.profile.email):
            return None
        body = (f"Hello{' ' + who.profile.name.split()[0] if who.profile.name else ''},\n\n{text}\n\n"
                f"If this wasn't you, or you have a question, {self.contact}.\n\n{self.config.business.name}")
        try:
            self.mailer.send(who.profile.email, f"{self.config.business.name}: {text.removeprefix('Done: ')}", body)
        except Exception as exc:  # the change stands; the customer is told the email did not go
            log.error("confirmation email failed: %s", type(exc).__name__, extra={"conversation_id": who.conversation_id})
            return False
        return True

    # -- a message for the owner ----------------------------------------------------------------------
    def _take_message(self, cid: str, session: AccountSession | None, redacted: str) -> DeskReply:
        who = self.identity.current(cid, session)
        self.store.leave_owner_message(self.source.business, redacted, conversation_id=cid,
                                       customer_id=who.profile.id if who else None)
        self._save(cid, session, {})
        return DeskReply(wording.message_taken(self.contact), "message_taken",
                         tool={"tool": "leave_message", "status": "done"})

    # -- helpers ------------------------------------------------------------------------------------------
    def _service(self, text: str) -> str:
        low = text.lower()
        return next((name for name in self.config.accounts.services if name in low),
                    next(iter(self.config.accounts.services)))

    def _save(self, cid: str, session: AccountSession | None, pending: dict[str, Any]) -> None:
        session = session if session is not None else self.store.account_session(cid)
        self.store.save_account_session(cid, customer_id=session.customer_id if session else None,
                                        verified_at=session.verified_at if session else None,
                                        failed_attempts=session.failed_attempts if session else 0, pending=pending)


def _time_dict(wanted: TimeRequest | None) -> dict[str, str | None] | None:
    """A time request as plain JSON for the session (a day and a clock time: nothing personal)."""
    if wanted is None:
        return None
    return {"day": wanted.day.isoformat() if wanted.day else None,
            "at": wanted.at.strftime("%H:%M") if wanted.at else None, "part": wanted.part_of_day}


def _time_request(value: Any) -> TimeRequest | None:
    if not isinstance(value, dict):
        return None
    day, at = value.get("day"), value.get("at")
    return TimeRequest(date.fromisoformat(day) if day else None, time.fromisoformat(at) if at else None,
                       value.get("part"))
