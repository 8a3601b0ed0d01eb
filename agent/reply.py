"""What one turn gives back to a channel: the public ``Reply`` of DESIGN.md and its parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from collections import deque
from typing import Any, Callable, Iterator

from guardrails.verdict import Verdict
from agent.sentiment import EmotionalState


@dataclass(frozen=True)
class Source:
    """A knowledge chunk the answer drew on, as a citation."""

    doc_id: str
    title: str
    heading: str
    chunk_id: str
    score: float

    @property
    def label(self) -> str:
        return f"{self.title} > {self.heading}" if self.heading and self.heading != self.title else self.title

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "title": self.title, "heading": self.heading,
                "chunk_id": self.chunk_id, "score": round(self.score, 4)}


@dataclass(frozen=True)
class Reply:
    """The answer to one customer message.

    ``outcome`` says how the body was produced: ``answered`` (model, grounded), ``extractive``
    (passage sentences, by configuration or because the model's answer was not supported),
    ``unknown`` (the knowledge base does not cover it), ``model_unavailable`` (fallback),
    ``rejected`` (the message itself could not be used), ``handed_off`` (a person takes over:
    ``escalated`` is True and ``escalation_reason`` says why), ``queued`` or ``with_person`` (a
    person has the conversation; with a person the text is empty: the assistant stays silent),
    ``referred`` (a sensitive matter), ``declined`` (an injection attempt), ``greeted``, ``closed``;
    about the customer's account (agent/accounts): ``account_verification`` (asked to prove who they
    are), ``account_answered``, ``account_slots_offered``, ``account_confirm`` (asked for a yes),
    ``account_done`` (a change was made), ``account_unchanged``, ``account_refused`` (policy said no),
    ``account_locked``, ``account_unavailable``, ``account_message_asked``, ``message_taken``, ``opted_out``.
    """

    text: str
    conversation_id: str
    escalated: bool = False
    escalation_reason: str | None = None
    sources: list[Source] = field(default_factory=list)
    sentiment: EmotionalState | None = None
    verdicts: list[Verdict] = field(default_factory=list)
    outcome: str = "answered"
    disclosed: bool = False
    #: The hand-off ticket this turn opened, or the one the conversation is waiting on.
    ticket_id: int | None = None
    #: The account tool this turn used: {"tool": "move_appointment", "status": "done" | "awaiting_yes" | ...}.
    tool: dict[str, Any] | None = None


class ReplyStream:
    """Iterate for the reply's text as it is produced; ``.reply`` holds the full Reply afterwards."""

    def __init__(self, deltas: Iterator[str], finish: Callable[[], Reply]) -> None:
        self._deltas = deltas
        self._finish = finish
        self._reply: Reply | None = None

    def __iter__(self) -> Iterator[str]:
        yield from self._deltas
        self._reply = self._finish()

    @property
    def reply(self) -> Reply:
        if self._reply is None:
            deque(self, maxlen=0)  # run the turn to the end without keeping its pieces
        assert self._reply is not None
        return self._reply
