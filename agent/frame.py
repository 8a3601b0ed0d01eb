"""The deterministic frame around every answer: disclosure, lead-in, honest fallbacks, next step.

The embedded model is tiny, so everything that must always be right is written here, in the
business's voice, and the model only fills in the answer body.
"""

from __future__ import annotations

from datetime import datetime

from agent.business_hours import OpeningHours
from agent.config import BusinessProfile
from guardrails.disclosure import disclosure_answer, role_play_refusal
from guardrails.injection import extraction_decline, injection_decline
from guardrails.sensitive import referral_reply


class ReplyFrame:
    """Fixed sentences for one business. Plain, brief, warm, and always honest about being automated."""

    def __init__(self, business: BusinessProfile) -> None:
        self.business = business
        self.hours = OpeningHours(business.opening_hours, business.timezone)

    def disclosure(self) -> str:
        b = self.business
        return (f"Hi, you're chatting with {b.name}'s automated assistant: I'm a bot, not a person. "
                "I answer from the business's own information, and I can put you in touch with the team at any time.")

    def lead_in(self, source_title: str, mood: str = "neutral", *, at_fault: bool = False) -> str:
        """The sentence before the answer; it follows the customer's mood (see ``agent.sentiment``).

        Upset: acknowledgement, a short apology only where something went wrong on our side, and
        straight to what to do. Confused: a promise of plain steps. Worried: a calm acknowledgement.
        No cheerfulness for anyone who is not happy.
        """
        source = f"our {source_title.strip() or 'information'}"
        if mood == "upset":
            opening = "I'm sorry about this." if at_fault else "I understand this is frustrating."
            return f"{opening} Here's what {source} says, so we can sort it out:"
        if mood == "confused":
            return f"Let me keep it simple. Here's what {source} says:"
        if mood == "anxious":
            return f"I understand you want to be sure. Here's what {source} says:"
        if at_fault:
            return f"I'm sorry about that. Here's what {source} says:"
        return f"Here's what {source} says:"

    def next_step(self, mood: str = "neutral") -> str:
        if mood == "upset":
            return (f"If that doesn't solve it, say \"person\" and I'll pass this conversation to {self.business.team_name}, "
                    "so you won't have to explain it again.")
        if mood == "confused":
            return "If any part is unclear, ask me about that part, or say \"person\" to talk to the team."
        if mood == "anxious":
            return "If you'd like a person to double-check, just say so."
        if mood == "happy":
            return "Happy to help. Is there anything else you'd like to know?"
        return "Is there anything else I can help with?"

    def thanks_close(self) -> str:
        return "You're welcome. If anything else comes up, I'm here."

    def greeting(self) -> str:
        return "Hello. What can I help you with?"

    # -- hand-off -----------------------------------------------------------------------------
    HANDOFF_LEADS = {
        "customer_request": "Of course.",
        "frustration": "I'm sorry this has been frustrating.",
        "rising_frustration": "I'm sorry this has been frustrating.",
        "loop": "I'm sorry, I haven't managed to sort this out for you.",
        "repeated_failure": "I'm sorry I couldn't answer that.",
        "high_stakes": "This is one for a person, so it's handled properly rather than guessed at.",
        "vip": "I'd like a person to look at this for you.",
        "order_value": "I'd like a person to look at this for you.",
        "sensitive": "",
    }

    def handoff_notice(self, reason: str, now: datetime | None = None) -> str:
        """What happens next, honestly: who takes over, that they see everything, and when."""
        b = self.business
        lead = self.HANDOFF_LEADS.get(reason.split(":", 1)[0], "")
        story = "They'll see this whole conversation, so you won't need to repeat anything."
        if self.hours.is_open(now):
            when = f"You should hear back here within about {_minutes(b.reply_within_minutes)}."
            body = f"I'm passing this conversation to {b.team_name} now, and a person will take over here. {story} {when}"
        else:
            back = self.hours.describe_next(now)
            body = (f"I'm passing this conversation to {b.team_name}. Nobody is in right now"
                    + (f"; a person will pick it up {back}." if back else ".")
                    + f" {story} If there's anything they should know, like an order number or the best way to "
                    "reach you, leave it here and they'll see it.")
        return f"{lead} {body}".strip()

    def queued(self, assigned: bool, mood: str = "neutral") -> str:
        """A customer writes while waiting for a person (the assistant does not answer for them)."""
        if assigned:
            return ""
        sorry = "I'm sorry for the wait. " if mood == "upset" else ""
        return (f"{sorry}I've added that to the conversation. {self.business.team_name.capitalize()} will see it "
                "when they pick it up.")

    def person_offer(self) -> str:
        b = self.business
        return f"To talk to a person, {b.handoff_contact} ({b.contact_hours})."

    def unknown(self) -> str:
        return (f"I'm sorry, I don't have reliable information about that in {self.business.name}'s knowledge base, "
                f"so I'd rather not guess. {self.person_offer()}")

    def model_unavailable_with_passage(self) -> str:
        return "I couldn't put a full answer together just now, so here is the relevant part of our information:"

    def model_unavailable(self) -> str:
        return (f"I'm sorry, I'm having a technical problem and can't answer properly right now. "
                f"Please try again in a minute. {self.person_offer()}")

    def store_unavailable(self) -> str:
        return (f"I'm sorry, a technical problem on our side means I can't take messages right now. "
                f"Please try again in a few minutes. {self.person_offer()}")

    def accounts_unavailable(self) -> str:
        """Orders and bookings cannot be read right now (the business's system or the store is down)."""
        return (f"I'm sorry, I can't reach our orders and bookings right now because of a technical problem on "
                f"our side. Please try again in a few minutes. {self.person_offer()}")

    def knowledge_unavailable(self) -> str:
        """The shop's documents cannot be searched right now (index or embedder down): no guessing."""
        return (f"I'm sorry, I can't look that up right now because of a technical problem on our side. "
                f"Please ask again in a few minutes. {self.person_offer()}")

    def bot_question_answer(self) -> str:
        """The truthful answer to "am I talking to a bot?", with the way to reach a person."""
        return disclosure_answer(self.business.name, self.business.handoff_contact)

    def role_play_refusal(self) -> str:
        return role_play_refusal(self.business.name, self.business.handoff_contact)

    def injection_decline(self, category: str | None) -> str:
        if category == "prompt_extraction":
            return extraction_decline(self.business.name)
        return injection_decline(self.business.name)

    def sensitive_referral(self, category: str | None, *, business_told: bool = False) -> str:
        return referral_reply(category or "safety", self.business.name, self.business.handoff_contact,
                              business_told=business_told)

    def handoff_offer(self) -> str:
        return f"Of course. {self.person_offer()}"

    def empty_message(self) -> str:
        return "Your message came through empty. What can I help you with?"

    def too_long(self, length: int, limit: int) -> str:
        return (f"Your message is longer than I can read in one go ({length:,} characters; the limit is {limit:,}). "
                "Could you send the main question on its own?")


def _minutes(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} minutes"
    hours = minutes / 60
    return f"{hours:g} hour{'s' if hours != 1 else ''}"
