"""The value every scorer returns: a number in [0, 1] and the reason for it, in words."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    """One scorer's judgement of one reply or one case. ``value`` is in [0, 1]; higher is better."""

    value: float
    reason: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, (int, float)) or isinstance(self.value, bool) or math.isnan(self.value):
            raise ValueError(f"Score.value must be a number in [0, 1], got {self.value!r}")
        if not 0.0 <= self.value <= 1.0:
            raise ValueError(f"Score.value must be in [0, 1], got {self.value}")
        object.__setattr__(self, "value", round(float(self.value), 4))

    @property
    def passed(self) -> bool:
        """True for a perfect score: what the pass/fail scorers (disclosure, privacy, ...) mean by a pass."""
        return self.value >= 1.0

    def to_dict(self) -> dict:
        return {"value": self.value, "reason": self.reason}
