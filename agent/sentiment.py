"""Reading the customer's mood, turn by turn, behind a small seam (VADER plus our cues today; a model later).

A reader turns one message into an :class:`EmotionalState`: VADER's compound score, a score in
[0, 1] for each of frustration, anger, confusion, anxiety, urgency and gratitude, the cues behind
them, and the trend against the customer's earlier turns. A customer getting angrier matters more
than one sharp word, so ``trend`` and ``upset_turns`` carry the conversation's direction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal, Mapping, Protocol, Sequence

from agent.mood_cues import CLEAR, EMOTIONS, HINT, exclamation_run, find_cues, shouting

Label = Literal["negative", "neutral", "positive"]
Mood = Literal["upset", "confused", "anxious", "happy", "neutral"]
Trend = Literal["new", "rising", "steady", "falling"]

#: An emotion at or above this score shapes the reply's tone.
FELT = 0.35
#: A rise of at least this much over the recent peak, from a customer already mildly upset, is "rising".
RISE = 0.15


@dataclass(frozen=True)
class EmotionalState:
    """The customer's state as read for one turn.

    ``compound`` and ``label`` are VADER's (compound >= 0.05 positive, <= -0.05 negative);
    ``emotions`` holds a score in [0, 1] for each emotion; ``upset`` is the larger of frustration
    and anger; ``trend`` compares ``upset`` with the previous customer turn; ``upset_turns`` counts
    the customer's consecutive upset turns, this one included.
    """

    compound: float
    label: Label
    emotions: Mapping[str, float] = field(default_factory=dict)
    cues: tuple[str, ...] = ()
    trend: Trend = "new"
    upset_turns: int = 0

    @property
    def upset(self) -> float:
        return max(self.emotions.get("frustration", 0.0), self.emotions.get("anger", 0.0))

    @property
    def intensity(self) -> float:
        """How strongly the customer feels anything at all."""
        return max(self.emotions.values(), default=0.0)

    @property
    def mood(self) -> Mood:
        """The one reading the reply's tone follows: upset first, then confusion, worry, happiness."""
        e = self.emotions
        if self.upset >= FELT:
            return "upset"
        if e.get("confusion", 0.0) >= FELT:
            return "confused"
        if e.get("anxiety", 0.0) >= FELT:
            return "anxious"
        if e.get("gratitude", 0.0) >= FELT or self.compound >= 0.5:
            return "happy"
        return "neutral"

    def to_dict(self) -> dict:
        return {"compound": round(self.compound, 4), "label": self.label, "mood": self.mood,
                "intensity": round(self.intensity, 3), "upset": round(self.upset, 3),
                "emotions": {k: round(v, 3) for k, v in self.emotions.items()}, "cues": list(self.cues),
                "trend": self.trend, "upset_turns": self.upset_turns}

    @classmethod
    def from_dict(cls, data: Mapping) -> "EmotionalState":
        return cls(compound=float(data.get("compound", 0.0)), label=data.get("label", "neutral"),
                   emotions={k: float(v) for k, v in (data.get("emotions") or {}).items()},
                   cues=tuple(data.get("cues") or ()), trend=data.get("trend", "new"),
                   upset_turns=int(data.get("upset_turns", 0)))


class SentimentReader(Protocol):
    """The seam: anything that reads one message into an EmotionalState (trend left as "new")."""

    def read(self, text: str) -> EmotionalState: ...


def follow(state: EmotionalState, previous: Sequence[EmotionalState]) -> EmotionalState:
    """``state`` with its trend over the customer's earlier turns (oldest first) filled in."""
    upset_now = state.upset >= FELT
    if not previous:
        return replace(state, trend="new", upset_turns=int(upset_now))
    last = previous[-1]
    peak = max(p.upset for p in previous[-3:])
    if state.upset >= peak + RISE and (peak >= HINT or state.upset >= CLEAR + HINT):
        trend: Trend = "rising"  # angrier than at any point of the last few turns
    elif state.upset <= last.upset - RISE:
        trend = "falling"
    else:
        trend = "steady"
    return replace(state, trend=trend, upset_turns=(last.upset_turns + 1) if upset_now else 0)


class VaderSentimentReader:
    """VADER (a proven lexicon model for short informal text) plus customer-service cues of our own.

    VADER alone never makes a customer "upset": "ugh, this weather is awful" is negative but says
    nothing about the service. Negativity only strengthens frustration or anger that a cue found.
    """

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._analyzer = SentimentIntensityAnalyzer()

    def read(self, text: str) -> EmotionalState:
        compound = float(self._analyzer.polarity_scores(text)["compound"])
        label: Label = "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"
        scores = dict.fromkeys(EMOTIONS, 0.0)
        names = []
        for cue in find_cues(text):
            scores[cue.emotion] += cue.weight
            names.append(cue.name)
        loud = shouting(text)
        if loud:
            scores["anger"] += loud
            names.append("shouting")
        negativity = max(0.0, -compound)
        if scores["frustration"] >= CLEAR or scores["anger"] >= CLEAR:
            if exclamation_run(text):
                scores["anger"] += HINT
                names.append("exclamations")
            scores["frustration"] += 0.3 * negativity
        elif scores["frustration"]:  # only a hint ("late", "damaged"): may be a question about a policy
            scores["frustration"] += 0.09 * negativity
        else:
            scores["frustration"] += 0.2 * negativity  # at most 0.2: never "upset" on VADER alone
        if scores["gratitude"] and compound < -0.3:
            scores["gratitude"] = HINT  # "thanks for nothing"
        return EmotionalState(compound=compound, label=label,
                              emotions={k: round(min(1.0, v), 3) for k, v in scores.items()}, cues=tuple(names))
