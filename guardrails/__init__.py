"""Tactful's guardrails: one module a rail, each returning a typed ``Verdict``. Usable on their own.

    from guardrails import redact_pii
    redact_pii("Mail me at jo@example.com").text   # "Mail me at <EMAIL_ADDRESS>"
"""

from guardrails.grounding import (GroundingRail, GroundingVerdict, SentenceSupport, best_supported_sentences,
                                  split_sentences)
from guardrails.pii import PiiRail, Redaction, redact_pii
from guardrails.text_hygiene import CleanText, clean_text, decode_bytes
from guardrails.verdict import Span, Verdict

__all__ = [
    "redact_pii", "Redaction", "PiiRail",
    "GroundingRail", "GroundingVerdict", "SentenceSupport", "best_supported_sentences", "split_sentences",
    "clean_text", "CleanText", "decode_bytes",
    "Verdict", "Span",
]
