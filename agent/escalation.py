"""When a conversation goes to a person, and why: the escalation policy.

Deterministic and cheap (no model call): the input rails' flags, the customer's emotional state and
its trend, what the conversation has already tried, retrieval confidence and the business's rules.
Every decision carries a machine-readable reason (``reply.escalation_reason``):

=====================  =================================================================
``customer_request``   the customer asked for a person ("can I speak to someone?")
``sensitive:<kind>``   crisis, medical, legal, safety, harm... (the sensitive rail's category)
``frustration``        frustration or anger at or above ``upset_threshold``
``rising_frustration`` frustration rising over turns, or upset for ``upset_turns`` turns
``loop``               the customer asked for the same thing ``loop_repeats`` times
``repeated_failure``   the assistant could not answer ``failed_answers`` questions
``high_stakes:<topic>`` a high-stakes question (refunds, payments, accounts, allergies) without a
                       confident answer, or a problem with the customer's own money or account
``vip`` / ``order_value``  business rules: a VIP or a large order with a problem
=====================  =================================================================

It also knows when not to: one sharp word, a grumble about the weather or a follow-up question is
not a hand-off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Sequence

from agent.config import EscalationConfig
from agent.customer import Customer
from agent.sentiment import FELT, EmotionalState
from agent.store import StoredTurn
from guardrails.pii import without_placeholders
from guardrails.words import FACT_WORDS, content_words, stem, tokens

Priority = Literal["urgent", "high", "normal", "low"]
#: Sensitive categories that cannot wait for the queue's normal order.
URGENT_SENSITIVE = frozenset({"crisis", "medical_emergency", "safety"})
#: A problem with the customer's own money or account: only a person can act on it.
ACCOUNT_PROBLEM = re.compile(
    r"\b(?:charged (?:me )?(?:twice|two times|double|again|wrong|too much)|double[- ]charged|overcharged|"
    r"billed (?:me )?(?:twice|two times|double|wrong)|(?:did not|didn't|never) (?:make|place|order|authori[sz]e) "
    r"(?:this|that|it|the|an?)\b|unauthori[sz]ed|someone (?:has |had )?(?:used|is using|took|stole|accessed)|"
    r"stolen|hacked|fraud\w*|scam\w*|chargeback|(?:refund|money back) (?:for|on) (?:my|the|our|this) "
    r"(?:order|cake|payment|purchase|booking)|(?:where is|still waiting for|(?:haven't|have not|never) "
    r"(?:got|received|had)) (?:my|the|a) refund)", re.IGNORECASE)
#: Assistant outcomes that mean "I could not answer that".
FAILED_OUTCOMES = frozenset({"unknown", "model_unavailable"})


@dataclass(frozen=True)
class EscalationDecision:
    """Whether this turn hands the conversation to a person, the reason and how urgently."""

    escalate: bool
    reason: str | None = None
    priority: Priority = "normal"
    detail: str = ""
    #: Give the knowledge base's answer (the policy) before the hand-off notice.
    answer_first: bool = False

    @classmethod
    def stay(cls, detail: str = "") -> "EscalationDecision":
        return cls(False, None, "low", detail)

    def to_dict(self) -> dict:
        return {"escalate": self.escalate, "reason": self.reason, "priority": self.priority, "detail": self.detail,
                "answer_first": self.answer_first}


#: Outcomes of the account desk (agent/accounts/desk.py): a conversation about an order, not a loop.
_DESK_OUTCOMES = ("account_", "message_taken")


@dataclass(frozen=True)
class ConversationSoFar:
    """What earlier turns tell the policy: the customer's messages and the assistant's outcomes."""

    customer_messages: Sequence[str] = ()
    assistant_outcomes: Sequence[str | None] = ()
    moods: Sequence[EmotionalState] = field(default_factory=tuple)

    @classmethod
    def since_last_handoff(cls, turns: Sequence[StoredTurn]) -> "ConversationSoFar":
        """The turns since a person last had the conversation: after a hand-back the count starts afresh."""
        start = 0
        for index, turn in enumerate(turns):
            if turn.role == "agent" or (turn.role == "assistant" and turn.outcome == "handed_off"):
                start = index + 1
        recent = turns[start:]
        customer = [t for t in recent if t.role == "customer"]
        # An account dialogue repeats its words by design ("my order" ... "order CR-10234, jo@..."): those
        # messages were answered, so they are not the customer asking again.
        answered_by_desk = {t.meta.get("reply_to") for t in recent
                            if t.role == "assistant" and (t.outcome or "").startswith(_DESK_OUTCOMES)}
        return cls(customer_messages=[t.text for t in customer if t.seq not in answered_by_desk],
                   assistant_outcomes=[t.outcome for t in recent if t.role == "assistant"],
                   moods=[EmotionalState.from_dict(t.meta["mood"]) for t in customer if t.meta.get("mood")])


class EscalationPolicy:
    """Decides hand-offs from configuration; ``on_message`` before retrieval, ``on_retrieval`` after it."""

    def __init__(self, config: EscalationConfig) -> None:
        self.config = config
        self.enabled = frozenset(config.triggers)
        self._high_stakes = re.compile(
            r"\b(?:" + "|".join(re.escape(t).replace(r"\ ", r"\s+")
                                for t in sorted(config.high_stakes_topics, key=len, reverse=True))
            + r")", re.IGNORECASE) if config.high_stakes_topics else None

    # -- before retrieval ---------------------------------------------------------------------
    def on_message(self, message: str, state: EmotionalState, history: ConversationSoFar, *,
                   wants_human: bool = False, sensitive: str | None = None,
                   customer: Customer | None = None) -> EscalationDecision:
        """A decision from the message alone: request, sensitive matter, mood, loops, business rules."""
        c = self.config
        if sensitive and "sensitive" in self.enabled and sensitive in c.sensitive_categories:
            return EscalationDecision(True, f"sensitive:{sensitive}",
                                      "urgent" if sensitive in URGENT_SENSITIVE else "high",
                                      f"a sensitive matter ({sensitive}) needs a person")
        if wants_human and "customer_request" in self.enabled:
            return EscalationDecision(True, "customer_request", self._priority(state), "the customer asked for a person")
        if "rising_frustration" in self.enabled:  # first: "getting angrier" tells the person more
            if state.trend == "rising" and state.upset >= c.rising_threshold:
                return EscalationDecision(True, "rising_frustration", "high",
                                          f"frustration rising to {state.upset:.2f} over the conversation")
            if state.upset_turns >= c.upset_turns:
                return EscalationDecision(True, "rising_frustration", "high",
                                          f"upset for {state.upset_turns} turns in a row")
        if "frustration" in self.enabled and state.upset >= c.upset_threshold:
            return EscalationDecision(True, "frustration", "high",
                                      f"frustration/anger {state.upset:.2f} >= {c.upset_threshold} "
                                      f"({', '.join(state.cues) or 'tone'})")
        repeats = repeat_count(message, history.customer_messages)
        if "loop" in self.enabled and repeats >= c.loop_repeats:
            return EscalationDecision(True, "loop", self._priority(state),
                                      f"the customer has asked for the same thing {repeats} times")
        if customer is not None and self._has_problem(message, state):
            if "vip" in self.enabled and c.vip_with_problem and customer.vip:
                return EscalationDecision(True, "vip", "high", "a VIP customer with a problem")
            if ("order_value" in self.enabled and c.order_value_over is not None
                    and customer.order_value is not None and customer.order_value > c.order_value_over):
                return EscalationDecision(True, "order_value", "high",
                                          f"a problem with an order worth {customer.order_value:.2f} "
                                          f"(over {c.order_value_over:.2f})")
        return EscalationDecision.stay("no trigger")

    # -- after retrieval ----------------------------------------------------------------------
    def on_retrieval(self, message: str, state: EmotionalState, history: ConversationSoFar, *,
                     outcome: str, relevance: float | None, covered: bool = False) -> EscalationDecision:
        """A decision once retrieval says how well the assistant can answer (``outcome``: answerable or unknown;
        ``covered``: a passage holds the question's own words, which is confidence too)."""
        c = self.config
        if "repeated_failure" in self.enabled and outcome in FAILED_OUTCOMES:
            failures = 1 + sum(o in FAILED_OUTCOMES for o in history.assistant_outcomes)
            if failures >= c.failed_answers:
                return EscalationDecision(True, "repeated_failure", self._priority(state),
                                          f"the assistant could not answer {failures} questions")
        topic = self.high_stakes_topic(message)
        if "high_stakes" in self.enabled and topic is not None:
            priority: Priority = "high" if state.upset >= FELT else "normal"
            confident = covered or (relevance is not None and relevance >= c.high_stakes_min_relevance)
            if not confident or outcome in FAILED_OUTCOMES:
                return EscalationDecision(True, f"high_stakes:{topic}", priority,
                                          f"a high-stakes question ({topic}) without a confident answer "
                                          f"(relevance {relevance or 0:.2f} < {c.high_stakes_min_relevance})")
            if ACCOUNT_PROBLEM.search(message) or state.upset >= FELT:
                return EscalationDecision(True, f"high_stakes:{topic}", priority,
                                          f"a problem with the customer's own {topic.replace('_', ' ')}, or an "
                                          "upset customer: the policy is answered, a person acts on it",
                                          answer_first=True)
        return EscalationDecision.stay("answered")

    def high_stakes_topic(self, message: str) -> str | None:
        if self._high_stakes is None:
            return None
        match = self._high_stakes.search(message)
        return match.group(0).lower().replace(" ", "_") if match else None

    @staticmethod
    def _priority(state: EmotionalState) -> Priority:
        if state.upset >= FELT or state.emotions.get("urgency", 0.0) >= FELT:
            return "high"
        return "normal"

    @staticmethod
    def _has_problem(message: str, state: EmotionalState) -> bool:
        return state.upset >= FELT or bool({"something_wrong", "not_working"} & set(state.cues))


def repeat_count(message: str, earlier: Sequence[str]) -> int:
    """How many times the customer has now asked for this: 1 + earlier messages with the same need.

    Two messages have the same need when their content words are the same or mostly overlap (Jaccard
    >= 0.6, or one holds all of the other's, at least two, words) and they do not ask different things
    about it: "where is my order?" and "WHERE IS MY ORDER??" and "I'm asking again, where is my order"
    match; "when do you open?" and "and on Sunday?" do not, nor do "how much is delivery?", "when is
    delivery?" and "do you deliver on Saturdays?" (the days and the question words tell them apart).
    """
    words, asks = _need(message), _question(message)
    if not words:
        return 1
    count = 1
    for previous in earlier:
        other, other_asks = _need(previous), _question(previous)
        if asks and other_asks and asks != other_asks:
            continue
        shared = len(words & other)
        if other and (other == words or (len(words | other) >= 2 and shared / len(words | other) >= 0.6)
                      or (shared >= 2 and shared == min(len(words), len(other)))):
            count += 1
    return count


#: Words about asking rather than about the need: "I'm asking AGAIN, where is my order" is "order".
_ASKING = frozenset({"ask", "again", "still", "question", "tell", "told", "said", "say", "repeat", "already",
                     "time", "once", "more", "anyone", "answer"})
#: Words that say what is asked about the need (a price, a time, a place).
_QUESTION_WORDS = frozenset({"what", "when", "where", "which", "who", "why", "how", "much", "many", "long"})


def _need(message: str) -> set[str]:
    """The words of what is asked for: no placeholders ("<PERSON_1>" is who, not what), no asking words;
    the days and numbers asked about stay ("on Saturdays" is part of the need)."""
    return {w for w in content_words(without_placeholders(message)) if w not in _ASKING} | {
        stem(w) for w in tokens(message) if w in FACT_WORDS}


def _question(message: str) -> frozenset[str]:
    return frozenset(w for w in tokens(message) if w in _QUESTION_WORDS)