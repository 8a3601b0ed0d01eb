"""Who is writing, as far as the channel tells us."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class Customer:
    name: str | None = None
    customer_id: str | None = None

    @classmethod
    def coerce(cls, value: "Customer | Mapping[str, Any] | str | None") -> "Customer | None":
        """Accept a Customer, a mapping such as a suite's ``{"name": ...}``, a bare name, or None."""
        if value is None or isinstance(value, Customer):
            return value
        if isinstance(value, str):
            return cls(name=value.strip() or None)
        if isinstance(value, Mapping):
            name = value.get("name")
            cid = value.get("id") or value.get("customer_id")
            return cls(name=str(name) if name else None, customer_id=str(cid) if cid else None)
        raise TypeError(f"customer must be a mapping, a name or None, not {type(value).__name__}")
