"""Each conversation's PII vault, kept in this process's memory only (never in the store or a log).

The vault numbers placeholders (``<EMAIL_ADDRESS_1>``) so the model can tell two values apart, and lets a
reply to the same customer carry their own values back. Memory only, bounded: after a restart or on
another worker the conversation simply continues with placeholders, which is the safe failure. Keeping
vaults across workers needs encrypted storage with an operator's key (the privacy-operations work).

Bounds, because a worker serves conversations for weeks (a soak showed a vault per conversation piling
up): a vault that never got a value holds nothing worth keeping, so it is dropped ``empty_ttl_s`` after
its last use (or once ``capacity`` newer empty ones are held). Vaults with values are kept for the
``capacity`` most recently used conversations, none idle for over ``idle_ttl_s``, with at most
``values_per_vault`` values each and ``max_values`` in all (least recently used vaults go first). A
value beyond a vault's share gets the plain ``<TYPE>`` placeholder: hidden from the model, never restored.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable

from guardrails.pii_vault import PiiVault


class _Vault(PiiVault):
    """A conversation's vault that tells its owner when it takes a value (to be kept, and counted)."""

    def __init__(self, owner: "ConversationVaults", conversation_id: str) -> None:
        super().__init__()
        self.owner = owner
        self.conversation_id = conversation_id
        self.counted = 0  # values the owner has counted for this vault (under its lock)
        self.last_used = 0.0

    def placeholder_for(self, entity_type: str, value: str) -> str:
        if not self.knows(entity_type, value):
            if len(self) >= self.owner.values_per_vault:
                return f"<{entity_type}>"
            self.owner._taking_value(self)
        return super().placeholder_for(entity_type, value)


class ConversationVaults:
    """Vaults by conversation id: empty ones for ``empty_ttl_s``, the rest within the limits in the module doc."""

    def __init__(self, capacity: int = 10_000, *, empty_ttl_s: float = 300.0, idle_ttl_s: float = 86_400.0,
                 values_per_vault: int = 100, max_values: int = 50_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if min(capacity, values_per_vault, max_values) < 1 or min(empty_ttl_s, idle_ttl_s) <= 0:
            raise ValueError("conversation vaults need positive capacity, time limits and value limits")
        self.capacity = capacity
        self.empty_ttl_s = empty_ttl_s
        self.idle_ttl_s = idle_ttl_s
        self.values_per_vault = values_per_vault
        self.max_values = max_values
        self.clock = clock
        self._vaults: OrderedDict[str, _Vault] = OrderedDict()  # with values, least recently used first
        self._empty: OrderedDict[str, _Vault] = OrderedDict()  # no values yet, least recently used first
        self._values = 0  # values in self._vaults, counted as they are taken
        self._lock = threading.Lock()

    def get(self, conversation_id: str) -> PiiVault:
        with self._lock:
            now = self.clock()
            self._expire(self._empty, now - self.empty_ttl_s)
            self._expire(self._vaults, now - self.idle_ttl_s)
            vault = self._vaults.get(conversation_id)
            if vault is not None:
                self._vaults.move_to_end(conversation_id)
            else:
                vault = self._empty.pop(conversation_id, None)
                if vault is None:  # (not ``or``: an empty vault is falsy)
                    vault = _Vault(self, conversation_id)
                self._empty[conversation_id] = vault
                while len(self._empty) > self.capacity:
                    self._empty.popitem(last=False)
            vault.last_used = now
            return vault

    def forget(self, conversation_id: str) -> bool:
        """Drop a conversation's vault (erasure); True if there was one."""
        with self._lock:
            vault = self._vaults.pop(conversation_id, None)
            if vault is not None:
                self._values -= vault.counted
                return True
            return self._empty.pop(conversation_id, None) is not None

    def __len__(self) -> int:
        return len(self._vaults) + len(self._empty)

    @property
    def values(self) -> int:
        """Values held in all the kept vaults."""
        return self._values

    def _taking_value(self, vault: _Vault) -> None:
        """``vault`` is about to take one more value: keep it (it is no longer empty) within the bounds."""
        with self._lock:
            cid = vault.conversation_id
            kept = self._vaults.get(cid)
            if kept is None:
                if self._empty.get(cid) is not vault:
                    return  # dropped or replaced meanwhile: its values live only as long as this turn
                del self._empty[cid]
                self._vaults[cid] = vault
            elif kept is not vault:
                return
            self._vaults.move_to_end(cid)
            vault.last_used = self.clock()
            vault.counted += 1
            self._values += 1
            while len(self._vaults) > self.capacity or (self._values > self.max_values and len(self._vaults) > 1):
                _, dropped = self._vaults.popitem(last=False)
                self._values -= dropped.counted

    def _expire(self, vaults: OrderedDict[str, _Vault], used_before: float) -> None:
        """Drop the vaults last used before ``used_before`` (they are first in the order of use)."""
        while vaults and next(iter(vaults.values())).last_used < used_before:
            _, dropped = vaults.popitem(last=False)
            self._values -= dropped.counted
