"""The few lines a person reads before taking over, so the customer never has to repeat themselves.

Built deterministically from the stored (already redacted) transcript: what the customer wants,
what the assistant tried, how the customer feels and why the conversation was handed over.
"""

from __future__ import annotations

from typing import Sequence

from agent.escalation import EscalationDecision
from agent.sentiment import EmotionalState
from agent.store import StoredTurn
from guardrails.words import content_words

#: How the assistant's outcomes read in a summary.
OUTCOME_WORDS = {
    "answered": "answered from {sources}",
    "extractive": "quoted {sources}",
    "unknown": "could not answer (nothing in the knowledge base)",
    "model_unavailable": "could not answer (model unavailable)",
    "declined": "declined a request to change its instructions",
    "referred": "pointed to outside help",
    "disclosed": "said it is an automated assistant",
    "handoff_offered": "offered a person",
    "handed_off": "handed over to a person",
    "rejected": "could not read a message",
    "queued": "told the customer a person will pick it up",
    "closed": "closed politely",
    "greeted": "greeted the customer",
}


def _clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def what_they_want(customer_messages: Sequence[str]) -> str:
    """The customer's first message with substance, plus the latest when it says something else."""
    substantive = [m for m in customer_messages if content_words(m)] or list(customer_messages)
    if not substantive:
        return "(no message)"
    first, last = substantive[0], substantive[-1]
    if last is first or set(content_words(last)) <= set(content_words(first)):
        return f'"{_clip(first)}"'
    return f'"{_clip(first)}"; latest: "{_clip(last)}"'


def what_was_tried(turns: Sequence[StoredTurn]) -> str:
    tried = []
    for turn in turns:
        if turn.role != "assistant" or not turn.outcome:
            continue
        titles = ", ".join(dict.fromkeys(s.get("title", "?") for s in turn.sources)) or "the knowledge base"
        words = OUTCOME_WORDS.get(turn.outcome, turn.outcome).format(sources=titles)
        if not tried or tried[-1] != words:
            tried.append(words)
    return "; ".join(tried) or "nothing yet (handed over at once)"


def describe_mood(state: EmotionalState | None) -> str:
    if state is None:
        return "not read"
    felt = sorted(((v, k) for k, v in state.emotions.items() if v >= 0.25), reverse=True)
    feelings = ", ".join(f"{k} {v:.1f}" for v, k in felt) or "calm"
    return f"{state.mood} ({feelings}; trend {state.trend})"


def summarise(turns: Sequence[StoredTurn], decision: EscalationDecision, state: EmotionalState | None) -> str:
    customer = [t.text for t in turns if t.role == "customer"]
    return "\n".join([
        f"Wants: {what_they_want(customer)}",
        f"Tried: {what_was_tried(turns)}",
        f"Mood: {describe_mood(state)}",
        f"Why a person: {decision.reason} ({decision.detail})",
        f"Messages so far: {len(customer)} from the customer",
    ])
