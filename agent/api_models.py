"""The REST API's request and response bodies (pydantic), and their conversion from Tactful's own types.

No web framework here: ``agent.api`` is the one module that imports FastAPI.
"""

from __future__ import annotations

import math
import re
import time
import uuid
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from agent.handoff import TicketView, waiting_minutes
from agent.reply import Reply
from agent.store import StoredTurn, Ticket

_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
#: Conversation ids are uuid hex; older or imported ones may use these characters too.
CONVERSATION_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"


def _short_text(value: str | None) -> str | None:
    """Names and ids: control characters dropped, whitespace folded; empty becomes None."""
    if value is None:
        return None
    value = " ".join(_CONTROLS.sub(" ", value).split())
    return value or None


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- customers -------------------------------------------------------------------------------------
class CustomerIn(_Body):
    name: str | None = Field(None, max_length=200, description="How the customer would like to be addressed.")
    id: str | None = Field(None, max_length=200, description="The business's own id for the customer.")

    @field_validator("name", "id")
    @classmethod
    def _fold(cls, value: str | None) -> str | None:
        return _short_text(value)


class NewConversation(_Body):
    customer: CustomerIn | None = None
    channel: str = Field("api", pattern=r"^[a-z0-9_-]{1,32}$", description="Where the customer is writing from.")


class ConversationCreated(BaseModel):
    conversation_id: str = Field(description="Unguessable id; the customer's only key to the conversation.")


class MessageIn(_Body):
    text: str = Field(description="The customer's message. Empty or very long messages get a polite answer.")
    message_id: str | None = Field(
        None, min_length=1, max_length=80, description="Your own id for this message: send it again with the same "
        "id after a dropped connection and it is stored once, with the same reply.")


class SourceOut(BaseModel):
    doc_id: str
    title: str
    heading: str
    score: float


class VerdictOut(BaseModel):
    rail: str
    passed: bool
    action: str
    reason: str
    category: str | None = None


class ReplyOut(BaseModel):
    """The assistant's answer to one message (Tactful's public ``Reply``)."""

    text: str
    conversation_id: str
    escalated: bool
    escalation_reason: str | None
    sources: list[SourceOut]
    sentiment: dict[str, Any] | None
    outcome: str
    disclosed: bool
    ticket_id: int | None
    verdicts: list[VerdictOut]


class MessageOut(BaseModel):
    seq: int
    role: Literal["customer", "assistant", "person"]
    text: str
    created_at: datetime
    is_person: bool = Field(False, description="True for a message written by a person at the business.")
    name: str | None = Field(None, description="The person's name when is_person is true.")
    sources: list[SourceOut] = Field(default_factory=list)


class Transcript(BaseModel):
    conversation_id: str
    messages: list[MessageOut]


class RatingIn(_Body):
    score: int = Field(ge=1, le=5, description="1 (poor) to 5 (excellent).")
    comment: str = Field("", max_length=2000)
    nps: int | None = Field(None, ge=0, le=10, description="Optional: how likely the customer is to recommend the "
                                                          "business, 0 (not at all) to 10 (extremely); for NPS.")

    @field_validator("score", "nps", mode="before")
    @classmethod
    def _a_number(cls, value: Any, info: ValidationInfo) -> Any:
        """A JSON number (5 or 5.0), not true or "5": a rating someone typed by mistake is refused."""
        if isinstance(value, (bool, str)):
            raise ValueError("the score is a number from 1 to 5" if info.field_name == "score"
                             else "nps is a number from 0 to 10")
        return value


class RatingOut(BaseModel):
    conversation_id: str
    score: int
    comment: str
    nps: int | None = None
    created_at: datetime


# -- operators -------------------------------------------------------------------------------------
TicketFilter = Literal["open", "assigned", "resolved", "waiting", "all"]


class TicketOut(BaseModel):
    id: int
    conversation_id: str
    status: str
    priority: str
    reason: str
    mood: dict[str, Any]
    assignee: str | None
    resolution: str | None
    created_at: datetime
    updated_at: datetime
    assigned_at: datetime | None
    resolved_at: datetime | None
    waiting_minutes: int


class TicketDetail(BaseModel):
    ticket: TicketOut
    summary: str
    customer_name: str | None
    channel: str
    transcript: list[MessageOut]


class TicketAction(_Body):
    agent_name: str = Field(min_length=1, max_length=80, description="The person acting; customers see it.")
    text: str | None = Field(None, max_length=8000, description="The message, for /reply.")

    @field_validator("agent_name")
    @classmethod
    def _fold(cls, value: str) -> str:
        return _short_text(value) or ""  # blank names are refused by the desk, with its own message


class TicketActionOut(BaseModel):
    ticket: TicketOut
    message: MessageOut | None = None


# -- probes and errors -----------------------------------------------------------------------------
class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready", "unavailable"]
    reason: str | None = None
    checks: dict[str, bool]


class ErrorOut(BaseModel):
    error: str


class ValidationErrorOut(BaseModel):
    error: str
    detail: list[dict[str, Any]]


# -- OpenAI-compatible chat completions ------------------------------------------------------------
class ChatMessageIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        """The message's text; content parts of type "text" are joined (images and the like are ignored)."""
        if isinstance(self.content, list):
            return "\n".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")  # temperature, top_p, ...: Tactful decides those

    model: str = Field("tactful", max_length=200)
    messages: list[ChatMessageIn] = Field(min_length=1)
    stream: bool = False
    user: str | None = Field(None, max_length=200, description="Keeps one conversation per user.")
    metadata: dict[str, Any] | None = Field(None, description='{"conversation_id": ...} continues that one.')

    def customer_message(self) -> str | None:
        """The last user message: the customer's. Earlier turns are in Tactful's own store."""
        for message in reversed(self.messages):
            if message.role == "user":
                return message.text()
        return None


class ChatMessageOut(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatMessageOut
    finish_reason: Literal["stop"] = "stop"


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class TactfulExtras(BaseModel):
    """Not in OpenAI's format: what a tool needs to continue the conversation or notice a hand-off."""

    conversation_id: str
    escalated: bool
    escalation_reason: str | None
    outcome: str
    ticket_id: int | None


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage
    tactful: TactfulExtras


# -- conversions -----------------------------------------------------------------------------------
def _source(data: Any) -> SourceOut:
    get = data.get if isinstance(data, dict) else (lambda k, d=None: getattr(data, k, d))
    return SourceOut(doc_id=str(get("doc_id", "")), title=str(get("title", "")), heading=str(get("heading", "")),
                     score=round(float(get("score", 0.0) or 0.0), 4))


def reply_out(reply: Reply) -> ReplyOut:
    return ReplyOut(text=reply.text, conversation_id=reply.conversation_id, escalated=reply.escalated,
                    escalation_reason=reply.escalation_reason, sources=[_source(s) for s in reply.sources],
                    sentiment=reply.sentiment.to_dict() if reply.sentiment else None, outcome=reply.outcome,
                    disclosed=reply.disclosed, ticket_id=reply.ticket_id,
                    verdicts=[VerdictOut(rail=v.rail, passed=v.passed, action=v.action, reason=v.reason,
                                         category=v.category) for v in reply.verdicts])


def message_out(turn: StoredTurn) -> MessageOut | None:
    """A stored turn as the customer sees it; None for what a customer never sees (empty texts)."""
    if not turn.text.strip() or turn.role not in ("customer", "assistant", "agent"):
        return None
    is_person = turn.role == "agent"
    return MessageOut(seq=turn.seq, role="person" if is_person else turn.role, text=turn.text,
                      created_at=turn.created_at, is_person=is_person,
                      name=turn.meta.get("agent_name") if is_person else None,
                      sources=[_source(s) for s in turn.sources] if turn.role == "assistant" else [])


def transcript(turns: list[StoredTurn]) -> list[MessageOut]:
    return [m for m in map(message_out, turns) if m is not None]


def ticket_out(ticket: Ticket, now: datetime | None = None) -> TicketOut:
    return TicketOut(id=ticket.id, conversation_id=ticket.conversation_id, status=ticket.status,
                     priority=ticket.priority, reason=ticket.reason, mood=ticket.mood, assignee=ticket.assignee,
                     resolution=ticket.resolution, created_at=ticket.created_at, updated_at=ticket.updated_at,
                     assigned_at=ticket.assigned_at, resolved_at=ticket.resolved_at,
                     waiting_minutes=waiting_minutes(ticket, now or datetime.now(timezone.utc)))


def ticket_detail(view: TicketView) -> TicketDetail:
    return TicketDetail(ticket=ticket_out(view.ticket), summary=view.ticket.summary,
                        customer_name=view.customer_name, channel=view.channel, transcript=transcript(view.transcript))


def rough_tokens(text: str) -> int:
    """About four characters a token: good enough for the ``usage`` counts tools display."""
    return math.ceil(len(text) / 4)


def chat_completion(request: ChatCompletionRequest, reply: Reply, prompt: str) -> ChatCompletion:
    prompt_tokens, completion_tokens = rough_tokens(prompt), rough_tokens(reply.text)
    return ChatCompletion(
        id=f"chatcmpl-{uuid.uuid4().hex}", created=int(time.time()), model=request.model,
        choices=[ChatChoice(message=ChatMessageOut(content=reply.text))],
        usage=Usage(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
                    total_tokens=prompt_tokens + completion_tokens),
        tactful=extras(reply))


def extras(reply: Reply) -> TactfulExtras:
    return TactfulExtras(conversation_id=reply.conversation_id, escalated=reply.escalated,
                         escalation_reason=reply.escalation_reason, outcome=reply.outcome, ticket_id=reply.ticket_id)


def chat_chunk(completion_id: str, created: int, model: str, delta: dict[str, Any],
               finish_reason: str | None = None, **more: Any) -> dict[str, Any]:
    """One chunk of OpenAI's streaming format (``object: chat.completion.chunk``)."""
    return {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}], **more}
