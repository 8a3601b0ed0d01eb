"""The account tools offered to a model that can call functions (OpenAI-compatible ones can), for the
requests the deterministic reading in ``intents`` does not recognise ("the cake for Saturday, can I still
change the day?").

The model only routes: it sees the customer's redacted words (never their email or phone number) and
may name one tool with the order number or booking reference it heard. What happens next is the same as
for a recognised request: the identity check, the policy in the tool, and the customer's yes. Asked only
when the message talks about an order or a booking, so general questions cost no extra model call.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from agent.accounts.intents import IntentMatch, references
from agent.llm.base import ChatMessage

if TYPE_CHECKING:
    from agent.llm.gateway import ModelGateway

_REFERENCE = {"type": "string", "description": "The order number or booking reference, only if the customer gave one."}
_DESCRIPTIONS = {
    "order_status": "Look up where the customer's own order is, or when it will be ready.",
    "cancel_order": "Cancel the customer's own order (the customer will be asked to confirm).",
    "change_order": "Move the customer's own order to another day (they will confirm).",
    "book_appointment": "Book an appointment for the customer (they will choose a time and confirm).",
    "move_appointment": "Move the customer's own appointment to another time (they will confirm).",
    "cancel_appointment": "Cancel the customer's own appointment (they will confirm).",
    "my_appointments": "Tell the customer when their upcoming appointments are.",
    "leave_message": "Pass a message from the customer to the owner.",
}
ACCOUNT_TOOLS: list[dict[str, Any]] = [
    {"type": "function", "function": {"name": name, "description": description,
                                      "parameters": {"type": "object", "properties": {"reference": _REFERENCE},
                                                     "required": []}}}
    for name, description in _DESCRIPTIONS.items()]
#: Words that make a message worth offering the tools for (an order, a booking, a delivery of theirs).
ABOUT_AN_ACCOUNT = re.compile(r"\b(?:order|orders|ordered|parcel|package|delivery|deliveries|cake|booking|booked|"
                              r"appointment|appointments|consultation|reservation|reference|ref|collect|collection|"
                              r"cancel|reschedule|rebook)\b", re.IGNORECASE)


class ModelToolChooser:
    """Asks the model which account tool, if any, a message calls for."""

    def __init__(self, gateway: "ModelGateway", business_name: str) -> None:
        self.gateway = gateway
        self.system = (f"You route messages from customers of {business_name}. If, and only if, the customer asks "
                       "to look up, change or cancel their own order or appointment, book an appointment, or leave "
                       "a message for the owner, call the matching tool. For any other message, including general "
                       "questions about policies, prices or opening hours, call no tool and reply NONE.")

    def __call__(self, redacted: str) -> tuple[IntentMatch, str | None] | None:
        """(the request, the reference the model heard) or None."""
        if not ABOUT_AN_ACCOUNT.search(redacted):
            return None
        call = self.gateway.choose_tool([ChatMessage("system", self.system), ChatMessage("user", redacted)],
                                        ACCOUNT_TOOLS)
        if call is None:
            return None
        heard = references(f"reference {call.arguments.get('reference') or ''}")  # a bare number counts here
        return IntentMatch(call.name, "the model's tool call"), (heard[0] if heard else None)  # type: ignore[arg-type]
