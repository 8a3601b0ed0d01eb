"""Who is writing, as far as the channel tells us."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class Customer:
    name: str | None = None
    customer_id: str | None = None
    #: Business rules: a VIP, or a customer with a large order, goes to a person sooner.
    vip: bool = False
    order_value: float | None = None

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
            value_raw = value.get("order_value")
            try:
                order_value = float(value_raw) if value_raw not in (None, "") else None
            except (TypeError, ValueError):
                raise ValueError(f"customer order_value must be a number, not {value_raw!r}") from None
            return cls(name=str(name) if name else None, customer_id=str(cid) if cid else None,
                       vip=bool(value.get("vip", False)), order_value=order_value)
        raise TypeError(f"customer must be a mapping, a name or None, not {type(value).__name__}")
