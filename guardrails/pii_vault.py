"""A per-conversation PII vault and the output-side leak check.

``PiiVault.redact`` numbers placeholders per value (``<EMAIL_ADDRESS_1>``; the same value always gets
the same placeholder within one conversation), so the model can still tell two e-mail addresses apart;
``restore`` puts the customer's own values back into a reply meant for that same customer.

Storage: ``to_dict()`` holds the customer's personal data in clear. Store it encrypted (at rest, with a
per-deployment key) or not at all (keep it in memory for the life of the conversation); never log it,
never put it in an eval report or a transcript shown to anyone but this customer and the business.

``PiiLeakRail.check(reply, vault)`` fails a reply that carries personal data which did not come from
this customer's vault and is not one of the business's own public contacts (``allowed``): the repair
replaces each such value with its plain ``<TYPE>`` placeholder.
"""

from __future__ import annotations

import re
from typing import Iterable

from guardrails.pii import Redaction, find_pii
from guardrails.verdict import Span, Verdict

_PLACEHOLDER = re.compile(r"<([A-Z_]+)_(\d+)>")


def _normal(value: str) -> str:
    """Compare values as a person would: case, spaces and phone or card punctuation do not matter."""
    compact = re.sub(r"[\s().-]+", "", value).casefold()
    return compact


class PiiVault:
    """The personal data one customer gave in one conversation, behind numbered placeholders."""

    def __init__(self, entities: Iterable[str] | None = None) -> None:
        self.entities = tuple(entities) if entities is not None else None
        self._values: dict[str, str] = {}   # placeholder -> original value (the first spelling seen)
        self._keys: dict[tuple[str, str], str] = {}  # (type, normalised value) -> placeholder
        self._counts: dict[str, int] = {}

    def placeholder_for(self, entity_type: str, value: str) -> str:
        key = (entity_type, _normal(value))
        if key not in self._keys:
            self._counts[entity_type] = self._counts.get(entity_type, 0) + 1
            placeholder = f"<{entity_type}_{self._counts[entity_type]}>"
            self._keys[key] = placeholder
            self._values[placeholder] = value
        return self._keys[key]

    def redact(self, text: str) -> Redaction:
        """``text`` with each piece of personal data replaced by its numbered placeholder."""
        spans = find_pii(text, self.entities)
        pieces, position = [], 0
        for span in spans:
            pieces += [text[position:span.start], self.placeholder_for(span.type, text[span.start:span.end])]
            position = span.end
        pieces.append(text[position:])
        return Redaction(text="".join(pieces), spans=spans)

    def restore(self, text: str) -> str:
        """Put this customer's own values back; an unknown placeholder is left as it is."""
        return _PLACEHOLDER.sub(lambda m: self._values.get(m.group(), m.group()), text)

    def knows(self, entity_type: str, value: str) -> bool:
        return (entity_type, _normal(value)) in self._keys

    def __contains__(self, value: str) -> bool:
        normal = _normal(value)
        return any(key[1] == normal for key in self._keys)

    def __len__(self) -> int:
        return len(self._values)

    def to_dict(self) -> dict:
        """A JSON-ready copy, personal data in clear: store it encrypted or not at all (see the module doc)."""
        return {"version": 1, "entities": list(self.entities) if self.entities is not None else None,
                "values": dict(self._values)}

    @classmethod
    def from_dict(cls, data: dict) -> "PiiVault":
        if data.get("version") != 1:
            raise ValueError(f"unknown PII vault version {data.get('version')!r}: expected 1")
        vault = cls(data.get("entities"))
        for placeholder, value in data["values"].items():
            m = _PLACEHOLDER.fullmatch(placeholder)
            if not m:
                raise ValueError(f"bad placeholder {placeholder!r} in a stored PII vault")
            entity_type, number = m.group(1), int(m.group(2))
            vault._values[placeholder] = value
            vault._keys[(entity_type, _normal(value))] = placeholder
            vault._counts[entity_type] = max(vault._counts.get(entity_type, 0), number)
        return vault


class PiiLeakRail:
    """Output side: a reply may carry only this customer's own data and the business's public contacts."""

    name = "pii_leak"

    def __init__(self, allowed: Iterable[str] = (), entities: Iterable[str] | None = None) -> None:
        self.allowed = frozenset(_normal(value) for value in allowed)
        self.entities = tuple(entities) if entities is not None else None

    def check(self, reply: str, vault: PiiVault | None = None) -> Verdict:
        leaks: list[Span] = []
        for span in find_pii(reply, self.entities):
            value = reply[span.start:span.end]
            if _normal(value) in self.allowed or (vault is not None and vault.knows(span.type, value)):
                continue
            leaks.append(span)
        if not leaks:
            return Verdict(rail=self.name, passed=True, action="allow",
                           reason="no personal data beyond the customer's own and the business's contacts")
        pieces, position = [], 0
        for span in leaks:
            pieces += [reply[position:span.start], f"<{span.type}>"]
            position = span.end
        pieces.append(reply[position:])
        types = ", ".join(sorted({s.type for s in leaks}))
        return Verdict(rail=self.name, passed=False, action="repair", category="pii_leak",
                       reason=f"the reply carries personal data that is not this customer's: {types}",
                       spans=tuple(leaks), repaired="".join(pieces))
