"""Customer accounts and the actions the assistant may take for a customer: where profiles come from,
how a customer proves who they are, and the business's policy limits (enforced in the tools, never
left to the model). A section of ``tactful.yaml`` (``accounts:``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AccountsConfig(BaseModel):
    """Profiles, orders and bookings; switched off unless ``enabled``."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    enabled: bool = Field(False, description="Let the assistant look up orders and bookings and act on them for "
                          "a verified customer.")
