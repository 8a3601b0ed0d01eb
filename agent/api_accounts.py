"""Operator endpoints for customer accounts: start a conversation with a customer on an event (order
delayed, appointment reminder, back in stock), and read the messages customers left for the owner.
Routed only when accounts are enabled; both need an operator token."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Literal

from fastapi import Depends, FastAPI
from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from agent.agent import Agent


class ProactiveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event: Literal["order_delayed", "order_ready", "appointment_reminder", "back_in_stock"] = Field(
        description="What happened.")
    order_number: str | None = Field(None, max_length=40, description="The order it is about.")
    appointment_reference: str | None = Field(None, max_length=40, description="The appointment it is about.")
    customer_id: str | None = Field(None, max_length=120, description="The business's own customer id "
                                    "(back_in_stock).")
    item: str | None = Field(None, max_length=200, description="The item back in stock.")
    detail: str = Field("", max_length=500, description="A sentence to add (checked by the output rails).")
    channel: Literal["web", "email", "sms", "whatsapp"] | None = Field(
        None, description="Where to send it; default: the customer's preferred channel, else where they last talked "
        "to us on the web, else email.")


class ProactiveOut(BaseModel):
    status: Literal["sent", "opted_out", "no_channel"] = Field(description="sent, or why not.")
    channel: str | None = None
    conversation_id: str | None = None
    reason: str = ""


class OwnerMessageOut(BaseModel):
    id: int
    conversation_id: str | None
    customer_id: int | None
    text: str
    created_at: str


def add_account_routes(app: FastAPI, agent: "Agent", operator: Callable[..., str],
                       errors: dict[int | str, dict[str, Any]]) -> None:
    from agent.proactive import ProactiveDesk, ProactiveEvent

    desk = ProactiveDesk(agent)

    @app.post("/v1/proactive", response_model=ProactiveOut, tags=["operators"], responses=errors)
    def send_proactive(body: ProactiveIn, _: str = Depends(operator)) -> ProactiveOut:
        """Message a customer about an event, in the business's voice, on their channel (never if they opted out)."""
        result = desk.send(ProactiveEvent(body.event, customer_id=body.customer_id, order_number=body.order_number,
                                          appointment_reference=body.appointment_reference, item=body.item,
                                          detail=body.detail, channel=body.channel))
        return ProactiveOut(**result.to_dict())

    @app.get("/v1/owner-messages", response_model=list[OwnerMessageOut], tags=["operators"], responses=errors)
    def owner_messages(_: str = Depends(operator)) -> list[OwnerMessageOut]:
        """Messages customers asked the assistant to pass on, oldest first (redacted like every stored text)."""
        return [OwnerMessageOut(**m) for m in agent.store.owner_messages(agent.config.collection_name)]
