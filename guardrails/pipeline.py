"""The rail pipeline: named rails, in a configured order, on the input and output side of a turn.

    pipeline = RailPipeline(input_rails=["pii", "injection", "sensitive", "bot_question"],
                            output_rails=["human_claim", "tone", "pii_leak"])
    checked = pipeline.check_input("Are you a bot? Mail me at jo@example.com")
    checked.text                      # "Are you a bot? Mail me at <EMAIL_ADDRESS>" (the original stays in memory)
    checked.flag("asks_if_bot")       # the BotQuestionRail's verdict
    guard = pipeline.output_guard(allowed_pii=["hello@crumbandco.example"])
    text, verdicts = guard.check("I'm Sarah and I love baking!! Delivery is £3.50.")

Rails are named, and unknown names fail when the pipeline is built (the agent's configuration
validates them earlier still). Output rails see one sentence at a time so streaming replies are
checked before they are shown; per-reply limits (exclamations, emoji, apologies) carry across
sentences in the guard.

Unicode tricks: the PII, injection and bot-question rails check the message's skeleton
(:mod:`guardrails.skeleton`: zero-width and bidi characters removed, NFKC, look-alike letters read as
ASCII), so "ignоre previous instructions" with a Cyrillic о or "are y\u200bou a b\u200bot?" are caught
like their plain forms; what they find is mapped back, and redaction replaces the original characters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from guardrails.disclosure import BotQuestionRail, HumanClaimRail
from guardrails.injection import InjectionRail
from guardrails.pii import PiiRail, redact_pii
from guardrails.pii_vault import PiiLeakRail, PiiVault
from guardrails.sensitive import SensitiveRail
from guardrails.tone import ToneLimits, ToneRail
from guardrails.verdict import Verdict

INPUT_RAILS = ("pii", "injection", "sensitive", "bot_question")
OUTPUT_RAILS = ("human_claim", "tone", "pii_leak")


@dataclass
class InputCheck:
    """The customer's message after the input rails: the redacted ``text`` (what goes on to the model,
    the logs and the store), the ``original`` the detecting rails read, and every verdict, in order."""

    text: str
    original: str = ""
    verdicts: list[Verdict] = field(default_factory=list)

    def flag(self, *categories: str) -> Verdict | None:
        """The first verdict that found one of ``categories`` (e.g. "asks_if_bot", "injection")."""
        return next((v for v in self.verdicts if v.category in categories and v.action != "allow"), None)


class OutputGuard:
    """Checks one reply sentence by sentence; repairs what it can, drops what it cannot."""

    def __init__(self, rails: Sequence[Any], tone_limits: ToneLimits, vault: PiiVault | None = None) -> None:
        self._rails = rails
        self._vault = vault
        self._tone_budget = ToneRail.new_budget(tone_limits) if any(isinstance(r, ToneRail) for r in rails) else None
        self.verdicts: list[Verdict] = []

    def check(self, sentence: str) -> tuple[str, list[Verdict]]:
        """The sentence as it may be shown ("" when nothing of it may), with the verdicts of each rail."""
        verdicts = []
        for rail in self._rails:
            if not sentence.strip():
                break
            if isinstance(rail, ToneRail):
                verdict = rail.check(sentence, budget=self._tone_budget)
            elif isinstance(rail, PiiLeakRail):
                verdict = rail.check(sentence, self._vault)
            else:
                verdict = rail.check(sentence)
            verdicts.append(verdict)
            if verdict.action == "repair":
                sentence = verdict.repaired or ""
            elif verdict.action == "block":
                sentence = ""
        self.verdicts.extend(v for v in verdicts if v.action != "allow")
        return sentence.strip(), verdicts


class RailPipeline:
    def __init__(self, input_rails: Iterable[str] = INPUT_RAILS, output_rails: Iterable[str] = OUTPUT_RAILS,
                 tone_limits: ToneLimits | None = None) -> None:
        self.input_names = _known(list(input_rails), INPUT_RAILS, "input")
        self.output_names = _known(list(output_rails), OUTPUT_RAILS, "output")
        self.tone_limits = tone_limits or ToneLimits()
        self._input = {"pii": PiiRail(), "injection": InjectionRail(), "sensitive": SensitiveRail(),
                       "bot_question": BotQuestionRail()}
        self._human_claim = HumanClaimRail()
        self._tone = ToneRail(self.tone_limits)
        self._passage_injection = self._input["injection"]

    def check_input(self, text: str, vault: PiiVault | None = None) -> InputCheck:
        """Run the input rails in order. The PII rail produces the redacted text that travels on; the
        detecting rails read the original, in memory only, so a placeholder never hides what they look
        for (a name-like word redacted out of "¿Eres un robot?") and their spans point into it.

        With the conversation's ``vault``, placeholders are numbered (``<EMAIL_ADDRESS_1>``) and the values
        kept there, so a reply to this same customer can carry them back (``vault.restore``)."""
        checked = InputCheck(text=text, original=text)
        for name in self.input_names:
            if name == "pii":
                redaction = vault.redact(text) if vault is not None else redact_pii(text)
                checked.text = redaction.text
                checked.verdicts.append(self._input["pii"].verdict(redaction))
            else:
                checked.verdicts.append(self._input[name].check(text))
        return checked

    def check_passage(self, text: str) -> tuple[str, Verdict | None]:
        """A retrieved passage with any instructions planted in it removed ("injection" must be enabled)."""
        if "injection" not in self.input_names:
            return text, None
        verdict = self._passage_injection.check(text, source="passage")
        if verdict.action == "allow":
            return text, None
        return (verdict.repaired or ""), verdict

    def output_guard(self, allowed_pii: Iterable[str] = (), vault: PiiVault | None = None) -> OutputGuard:
        """A guard for one reply. ``allowed_pii``: values that may appear (the business's own contacts);
        ``vault``: this customer's own values, which may appear in a reply to them."""
        rails: list[Any] = []
        for name in self.output_names:
            if name == "human_claim":
                rails.append(self._human_claim)
            elif name == "tone":
                rails.append(self._tone)
            elif name == "pii_leak":
                rails.append(PiiLeakRail(allowed=set(allowed_pii)))
        return OutputGuard(rails, self.tone_limits, vault)


def _known(names: list[str], known: tuple[str, ...], side: str) -> list[str]:
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown {side} rail(s): {', '.join(unknown)}; known: {', '.join(known)}")
    return names
