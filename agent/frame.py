"""The deterministic frame around every answer: disclosure, lead-in, honest fallbacks, next step.

The embedded model is tiny, so everything that must always be right is written here, in the
business's voice, and the model only fills in the answer body.
"""

from __future__ import annotations

from agent.config import BusinessProfile
from guardrails.disclosure import disclosure_answer, role_play_refusal
from guardrails.injection import extraction_decline, injection_decline
from guardrails.sensitive import referral_reply


class ReplyFrame:
    """Fixed sentences for one business. Plain, brief, warm, and always honest about being automated."""

    def __init__(self, business: BusinessProfile) -> None:
        self.business = business

    def disclosure(self) -> str:
        b = self.business
        return (f"Hi, you're chatting with {b.name}'s automated assistant: I'm a bot, not a person. "
                "I answer from the business's own information, and I can put you in touch with the team at any time.")

    def lead_in(self, source_title: str) -> str:
        return f"Here's what our {source_title.strip() or 'information'} says:"

    def next_step(self) -> str:
        return "Is there anything else I can help with?"

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

    def bot_question_answer(self) -> str:
        """The truthful answer to "am I talking to a bot?", with the way to reach a person."""
        return disclosure_answer(self.business.name, self.business.handoff_contact)

    def role_play_refusal(self) -> str:
        return role_play_refusal(self.business.name, self.business.handoff_contact)

    def injection_decline(self, category: str | None) -> str:
        if category == "prompt_extraction":
            return extraction_decline(self.business.name)
        return injection_decline(self.business.name)

    def sensitive_referral(self, category: str | None) -> str:
        return referral_reply(category or "safety", self.business.name, self.business.handoff_contact)

    def handoff_offer(self) -> str:
        return f"Of course. {self.person_offer()}"

    def empty_message(self) -> str:
        return "Your message came through empty. What can I help you with?"

    def too_long(self, length: int, limit: int) -> str:
        return (f"Your message is longer than I can read in one go ({length:,} characters; the limit is {limit:,}). "
                "Could you send the main question on its own?")
