"""A circuit breaker for the model: when it keeps failing, stop waiting on it for a while.

Closed: calls go through. After ``failures`` outages in a row it opens: calls fail at once with
``ModelUnavailable`` (the turn then answers from the passages in milliseconds instead of every
customer waiting out timeouts and retries). After ``cooldown_s`` one trial call goes through
(half-open); success closes the circuit, failure opens it for another cooldown.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from agent.errors import ModelUnavailable


class CircuitBreaker:
    def __init__(self, failures: int = 3, cooldown_s: float = 30.0, *, description: str = "the model",
                 clock: Callable[[], float] = time.monotonic) -> None:
        if failures < 1 or cooldown_s <= 0:
            raise ValueError("a circuit breaker needs failures >= 1 and a positive cooldown")
        self.failures, self.cooldown_s, self.description, self._clock = failures, cooldown_s, description, clock
        self._lock = threading.Lock()
        self._in_a_row = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> str:
        with self._lock:
            if self._opened_at is None:
                return "closed"
            return "half-open" if self._clock() - self._opened_at >= self.cooldown_s else "open"

    def before_call(self) -> None:
        """Let the call through, or raise ModelUnavailable at once while the circuit is open."""
        with self._lock:
            if self._opened_at is None:
                return
            waited = self._clock() - self._opened_at
            if waited >= self.cooldown_s and not self._trial_running:
                self._trial_running = True  # one trial call; the others keep failing fast until it ends
                return
            left = max(0.0, self.cooldown_s - waited)
            raise ModelUnavailable(f"{self.description} failed {self._in_a_row} times in a row; not calling it "
                                   f"again for {left:.0f} s (circuit open)", attempts=0)

    def record_success(self) -> None:
        with self._lock:
            self._in_a_row, self._opened_at, self._trial_running = 0, None, False

    def record_failure(self) -> None:
        with self._lock:
            self._in_a_row += 1
            self._trial_running = False
            if self._opened_at is not None or self._in_a_row >= self.failures:
                self._opened_at = self._clock()
