"""The email channel's settings: where mail comes in (a provider's inbound webhook or an IMAP mailbox)
and how replies and confirmations go out (SMTP). A section of ``tactful.yaml`` (``email:``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class EmailConfig(BaseModel):
    """Email in and out; switched off while ``address`` is empty."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    address: str | None = Field(None, description="The business's own address: replies and confirmations come "
                                "from it. Empty: the email channel is off.")
