"""Each conversation's PII vault, kept in this process's memory only (never in the store or a log).

The vault numbers placeholders (``<EMAIL_ADDRESS_1>``) so the model can tell two values apart, and lets a
reply to the same customer carry their own values back. Memory only, bounded: after a restart or on
another worker the conversation simply continues with placeholders, which is the safe failure. Keeping
vaults across workers needs encrypted storage with an operator's key (the privacy-operations work).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from guardrails.pii_vault import PiiVault


class ConversationVaults:
    """Vaults by conversation id, least recently used dropped first beyond ``capacity``."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._vaults: OrderedDict[str, PiiVault] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, conversation_id: str) -> PiiVault:
        with self._lock:
            vault = self._vaults.get(conversation_id)
            if vault is None:
                vault = self._vaults[conversation_id] = PiiVault()
            self._vaults.move_to_end(conversation_id)
            while len(self._vaults) > self.capacity:
                self._vaults.popitem(last=False)
            return vault

    def forget(self, conversation_id: str) -> bool:
        """Drop a conversation's vault (erasure); True if there was one."""
        with self._lock:
            return self._vaults.pop(conversation_id, None) is not None

    def __len__(self) -> int:
        return len(self._vaults)
