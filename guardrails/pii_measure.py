"""Precision and recall of a PII finder on labelled text (Presidio-research's format), per entity type.

A found span counts as correct when it overlaps a labelled span of the same type; a labelled span is
recalled when a found span of its type overlaps it. ``exact`` is the share of correct finds whose
boundaries equal the label's. DATE_OF_BIRTH finds are judged against DATE_TIME labels (the data has
no birth-date type: a birth date is a date), so a DOB find on a non-date is a false positive.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

#: Our type -> the type it is judged against in the labels.
JUDGED_AS = {"DATE_OF_BIRTH": "DATE_TIME"}
#: Types whose recall is not measured: the labels hold every date, and we want only birth dates.
PRECISION_ONLY = frozenset({"DATE_OF_BIRTH"})


@dataclass(frozen=True)
class TypeScore:
    type: str
    found: int
    correct: int
    labelled: int
    recalled: int
    exact: int

    @property
    def precision(self) -> float | None:
        return self.correct / self.found if self.found else None

    @property
    def recall(self) -> float | None:
        if self.type in PRECISION_ONLY or not self.labelled:
            return None
        return self.recalled / self.labelled


def load_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


Finder = Callable[[str], Iterable[tuple[str, int, int]]]


def score(rows: Sequence[dict], find: Finder, types: Iterable[str]) -> dict[str, TypeScore]:
    """Per-type counts for ``find(text) -> [(type, start, end), ...]`` on ``rows``, for ``types`` only."""
    types = tuple(types)
    found, correct, exact, labelled, recalled = Counter(), Counter(), Counter(), Counter(), Counter()
    for row in rows:
        predicted = [(t, s, e) for t, s, e in find(row["text"]) if t in types]
        gold = row["spans"]
        for t, s, e in predicted:
            judged = JUDGED_AS.get(t, t)
            matches = [g for g in gold if g["type"] == judged and g["start"] < e and s < g["end"]]
            found[t] += 1
            correct[t] += bool(matches)
            exact[t] += any((g["start"], g["end"]) == (s, e) for g in matches)
        for t in types:
            judged = JUDGED_AS.get(t, t)
            for g in gold:
                if g["type"] == judged:
                    labelled[t] += 1
                    recalled[t] += any(pt == t and g["start"] < pe and ps < g["end"] for pt, ps, pe in predicted)
    return {t: TypeScore(t, found[t], correct[t], labelled[t], recalled[t], exact[t]) for t in types}


def overall_precision(scores: dict[str, TypeScore]) -> float:
    found = sum(s.found for s in scores.values())
    return sum(s.correct for s in scores.values()) / found if found else 1.0
