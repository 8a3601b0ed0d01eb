"""Empathy in customer service, scored by a deterministic rubric a person can read and argue with.

A reply is judged against the customer's message on seven points:

* **acknowledgement**: when the customer brings a problem or a feeling, the reply sympathises with
  it ("that sounds frustrating", "I'm sorry your cake arrived broken": full marks); understanding
  ("I understand", "you're not alone") counts for less, support and good wishes ("I hope", "rest
  assured") for less again. Barely counts for a plain question.
* **focus**: it talks to the customer about them ("you", "your order"), not about itself.
* **next step**: it says what happens now or what the customer can do ("we'll send a new one",
  "you can call us on ..."); an open "anything else?" counts for less.
* **apology fit**: one apology when something went wrong; none for a plain question; three or more
  (an apology storm) also caps the score.
* **respect**: no blame, dismissal or condescension ("you should have", "calm down", "as I said"),
  no swearing. Any of these also caps the score, however warm the rest.
* **tone**: within the uncanny-valley limits of ``guardrails.tone`` (no gushing, pet names, feigned
  feelings, promises a bot cannot keep); pet names, false intimacy, promises, flattery and shouting
  also cap the score.
* **length**: readable: neither a curt fragment nor a wall of text.

The weights depend on what the customer brought: a problem or a feeling makes acknowledgement the
largest part; a plain question makes the next step (the answer) the largest part. The weights were
set by reading the rubric's components against the first half of the EPITOME emotional-reactions
ratings (see ``evals.validate_empathy``); the second half is held out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from evals.score import Score
from evals.scorers import empathy_cues as cues

#: How much each component counts, by what the customer brought. Each row sums to 1.
WEIGHTS: dict[str, dict[str, float]] = {
    "problem": {"acknowledgement": 0.40, "focus": 0.15, "next_step": 0.10, "apology_fit": 0.05,
                "respect": 0.15, "tone": 0.05, "length": 0.10},
    "good_news": {"acknowledgement": 0.25, "focus": 0.15, "next_step": 0.25, "apology_fit": 0.05,
                  "respect": 0.15, "tone": 0.05, "length": 0.10},
    "question": {"acknowledgement": 0.10, "focus": 0.15, "next_step": 0.30, "apology_fit": 0.10,
                 "respect": 0.15, "tone": 0.10, "length": 0.10},
}
#: Blame, dismissal or condescension caps the score here, whatever else the reply does well.
DISRESPECT_CAP = 0.4
#: Crossing the uncanny valley (pet names, false intimacy, promises, flattery, shouting) or an apology
#: storm (three or more) caps the score here: warmth that sounds like a person pretending is not empathy.
UNCANNY_CAP = 0.6
SEVERE_TONE = frozenset({"false_intimacy", "promise", "pet_name", "flattery", "shouting"})
APOLOGY_STORM = 3
#: Uncanny-valley findings of the tone rail, by kind, and what each costs the tone component.
TONE_COSTS = {"false_intimacy": 0.5, "promise": 0.4, "feigned_feeling": 0.35, "flattery": 0.35, "pet_name": 0.35,
              "shouting": 0.25, "intensifier": 0.15, "exclamation": 0.15, "emoji": 0.15, "interjection": 0.1}
#: VADER's compound score at or below which a message is a problem even without a problem word.
STRONGLY_NEGATIVE = -0.5
#: Readable length, in words, for one reply.
SHORTEST, LONGEST, LONGEST_SENTENCE = 6, 160, 40


@dataclass(frozen=True)
class EmpathyBreakdown:
    """The rubric's parts for one reply, each in [0, 1], and what the customer brought."""

    context: str
    components: dict[str, float]
    notes: dict[str, str]
    caps: tuple[str, ...]
    value: float


class EmpathyScorer:
    """Scores one reply to one customer message for customer-service empathy. Deterministic."""

    name = "empathy"

    def __init__(self) -> None:
        self._tone = _tone_rail()
        self._vader = _vader()

    def score(self, customer: str, reply: str) -> Score:
        b = self.breakdown(customer, reply)
        weak = [f"{k} {v:.2f} ({b.notes[k]})" for k, v in b.components.items()
                if v < 1.0 and WEIGHTS[b.context][k] > 0]
        head = f"{b.context}: " + (", ".join(weak) if weak else "every part of the rubric met")
        return Score(b.value, "; ".join([head, *b.caps]))

    def breakdown(self, customer: str, reply: str) -> EmpathyBreakdown:
        customer, reply = customer or "", reply or ""
        context = self.context(customer)
        tone, severe = self._tone_part(reply)
        parts: dict[str, tuple[float, str]] = {
            "acknowledgement": _acknowledgement(reply),
            "focus": _focus(reply),
            "next_step": _next_step(reply),
            "apology_fit": _apology_fit(reply, context),
            "respect": _respect(reply),
            "tone": tone,
            "length": _length(reply),
        }
        weights = WEIGHTS[context]
        value = sum(weights[k] * v for k, (v, _) in parts.items())
        caps = []
        if severe or len(cues.APOLOGY.findall(reply)) >= APOLOGY_STORM:
            caps.append((UNCANNY_CAP, f"capped at {UNCANNY_CAP}: " + (
                f"crosses the uncanny valley ({', '.join(severe)})" if severe else "an apology storm")))
        if cues.DISRESPECT.search(reply):
            caps.append((DISRESPECT_CAP, f"capped at {DISRESPECT_CAP}: blame, dismissal or condescension"))
        applied = tuple(note for cap, note in caps if value > cap)
        value = min([value, *(cap for cap, _ in caps)])
        if not reply.strip():
            value, applied = 0.0, ("an empty reply",)
        return EmpathyBreakdown(context, {k: round(v, 4) for k, (v, _) in parts.items()},
                                {k: note for k, (_, note) in parts.items()}, applied, round(min(1.0, value), 4))

    def context(self, customer: str) -> str:
        """What the customer brought: ``problem`` (a complaint or a feeling), ``good_news`` or ``question``."""
        compound = self._vader.polarity_scores(customer)["compound"] if customer.strip() else 0.0
        if compound <= STRONGLY_NEGATIVE or cues.CUSTOMER_PROBLEM.search(customer):
            return "problem"
        if cues.CUSTOMER_GOOD_NEWS.search(customer):
            return "good_news"
        return "question"

    def _tone_part(self, reply: str) -> tuple[tuple[float, str], list[str]]:
        """The tone component, and the severe uncanny-valley kinds found (they cap the score)."""
        verdict = self._tone.check(reply)
        found = [s.type for s in verdict.spans if s.type in TONE_COSTS]  # apologies are apology_fit's business
        if not found:
            return (1.0, "within the tone limits"), []
        cost = sum(TONE_COSTS[t] for t in found)
        kinds = list(dict.fromkeys(found))
        return (max(0.0, 1.0 - cost), "uncanny valley: " + ", ".join(kinds)), [k for k in kinds if k in SEVERE_TONE]


def _acknowledgement(reply: str) -> tuple[float, str]:
    if cues.ACK_SYMPATHY.search(reply):
        return 1.0, "sympathises with the situation"
    if cues.ACK_UNDERSTANDING.search(reply):
        return 0.75, "shows understanding, but no sympathy for the situation"
    if cues.ACK_SUPPORT.search(reply):
        return 0.5, "supportive, but does not name the situation or feeling"
    return 0.0, "no acknowledgement of the customer's situation"


def _focus(reply: str) -> tuple[float, str]:
    you = len(cues.YOU_WORDS.findall(reply))
    me = len(cues.SELF_WORDS.findall(reply))
    if you:
        return 1.0, f"speaks to the customer ({you} word(s) about them)"
    if me:
        return 0.0, f"talks only about itself ({me} word(s))"
    return 0.5, "addresses nobody"


def _next_step(reply: str) -> tuple[float, str]:
    if cues.NEXT_STEP_CONCRETE.search(reply):
        return 1.0, "says what happens next"
    if cues.NEXT_STEP_OPEN.search(reply):
        return 0.6, "an open offer, no concrete step"
    return 0.0, "no next step"


def _apology_fit(reply: str, context: str) -> tuple[float, str]:
    n = len(cues.APOLOGY.findall(reply))
    if context == "problem":
        table = {0: (0.5, "no apology for a problem"), 1: (1.0, "one apology")}
        return table.get(n, (0.6 if n == 2 else 0.2, f"apology storm: {n} apologies"))
    if n == 0:
        return 1.0, "no apology needed"
    return (0.7 if n == 1 else 0.3), f"{n} apolog{'y' if n == 1 else 'ies'} with nothing to apologise for"


def _respect(reply: str) -> tuple[float, str]:
    rude = [m.group() for m in cues.DISRESPECT.finditer(reply)]
    swearing = [m.group() for m in cues.PROFANITY.finditer(reply)]
    if not rude and not swearing:
        return 1.0, "no blame, dismissal or swearing"
    value = max(0.0, 1.0 - 0.5 * len(rude) - 0.25 * len(swearing))
    return value, "blames, dismisses or swears: " + ", ".join(repr(w) for w in dict.fromkeys(rude + swearing))


def _length(reply: str) -> tuple[float, str]:
    words = len(cues.WORD.findall(reply))
    sentences = [s for s in cues.SENTENCE_END.split(reply) if s.strip()]
    longest = max((len(cues.WORD.findall(s)) for s in sentences), default=0)
    if words < SHORTEST:
        return 0.4, f"curt: {words} words"
    if words > LONGEST:
        return max(0.3, 1.0 - (words - LONGEST) / LONGEST), f"long: {words} words"
    if longest > LONGEST_SENTENCE:
        return 0.7, f"a {longest}-word sentence"
    return 1.0, f"{words} words"


@lru_cache(maxsize=1)
def _tone_rail():
    from guardrails.tone import ToneRail

    return ToneRail()


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=1)
def _default_scorer() -> EmpathyScorer:
    return EmpathyScorer()


def score_empathy(customer: str, reply: str) -> Score:
    """The empathy of ``reply`` as an answer to ``customer``: a value in [0, 1] and the reason in words."""
    return _default_scorer().score(customer, reply)
