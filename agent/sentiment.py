"""Reading the customer's mood from a message, behind a small seam (VADER today; a model later)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Mood = Literal["negative", "neutral", "positive"]


@dataclass(frozen=True)
class EmotionalState:
    """The customer's state as read for one turn: VADER's compound score in [-1, 1] and its label."""

    compound: float
    label: Mood

    def to_dict(self) -> dict:
        return {"compound": round(self.compound, 4), "label": self.label}


class SentimentReader(Protocol):
    def read(self, text: str) -> EmotionalState: ...


class VaderSentimentReader:
    """The lexicon model VADER, with its published thresholds (compound >= 0.05 positive, <= -0.05 negative)."""

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self._analyzer = SentimentIntensityAnalyzer()

    def read(self, text: str) -> EmotionalState:
        compound = float(self._analyzer.polarity_scores(text)["compound"])
        label: Mood = "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"
        return EmotionalState(compound=compound, label=label)
