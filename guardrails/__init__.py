"""Tactful's guardrails: one module a rail, each returning a typed ``Verdict``. Usable on their own.

    from guardrails import redact_pii
    redact_pii("Mail me at jo@example.com").text   # "Mail me at <EMAIL_ADDRESS>"
"""

from guardrails.disclosure import BotQuestionRail, HumanClaimRail, disclosure_answer, role_play_refusal
from guardrails.grounding import (GroundingRail, GroundingVerdict, SentenceSupport, best_supported_sentences,
                                  split_sentences)
from guardrails.injection import InjectionRail, extraction_decline, injection_decline
from guardrails.pii import PiiRail, Redaction, redact_pii
from guardrails.pii_vault import PiiLeakRail, PiiVault
from guardrails.pipeline import InputCheck, OutputGuard, RailPipeline
from guardrails.sensitive import SensitiveRail, referral_reply
from guardrails.text_hygiene import CleanText, clean_text, decode_bytes
from guardrails.tone import ToneBudget, ToneLimits, ToneRail
from guardrails.verdict import Span, Verdict

__all__ = [
    "redact_pii", "Redaction", "PiiRail", "PiiVault", "PiiLeakRail",
    "BotQuestionRail", "HumanClaimRail", "disclosure_answer", "role_play_refusal",
    "InjectionRail", "extraction_decline", "injection_decline", "SensitiveRail", "referral_reply",
    "ToneRail", "ToneLimits", "ToneBudget",
    "GroundingRail", "GroundingVerdict", "SentenceSupport", "best_supported_sentences", "split_sentences",
    "RailPipeline", "InputCheck", "OutputGuard",
    "clean_text", "CleanText", "decode_bytes",
    "Verdict", "Span",
]
