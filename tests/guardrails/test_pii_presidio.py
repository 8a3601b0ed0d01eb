"""PII precision and recall on real labelled data (presidio-research's synthetic set, first half).

A found span counts when it overlaps a labelled span of the same type; boundaries are reported
separately. The floors are what the rail reaches today, a little below, so a regression fails.
Names and street addresses need a named-entity model and are not measured here.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from guardrails.pii import find_pii

DATA = Path(__file__).parents[2] / ".." / "shared" / "data" / "pii_presidio.jsonl"

#: type -> (precision floor, recall floor). Measured: 1.0 / 1.0 for every type on this file.
FLOORS = {
    "EMAIL_ADDRESS": (0.95, 0.95),
    "PHONE_NUMBER": (0.95, 0.90),
    "CREDIT_CARD": (0.95, 0.95),
    "US_SSN": (0.95, 0.95),
    "IBAN_CODE": (0.95, 0.95),
    "IP_ADDRESS": (0.95, 0.95),
}


@pytest.fixture(scope="module")
def scores() -> dict[str, dict[str, float]]:
    if not DATA.exists():
        pytest.skip(f"{DATA.resolve()} not found: the public evaluation data lives in ../shared/data beside the project")
    found, correct, exact, labelled, recalled = Counter(), Counter(), Counter(), Counter(), Counter()
    for line in DATA.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        gold = [g for g in row["spans"] if g["type"] in FLOORS]
        predicted = [p for p in find_pii(row["text"]) if p.type in FLOORS]
        for p in predicted:
            found[p.type] += 1
            matches = [g for g in gold if g["type"] == p.type and g["start"] < p.end and p.start < g["end"]]
            correct[p.type] += bool(matches)
            exact[p.type] += any((g["start"], g["end"]) == (p.start, p.end) for g in matches)
        for g in gold:
            labelled[g["type"]] += 1
            recalled[g["type"]] += any(p.type == g["type"] and g["start"] < p.end and p.start < g["end"]
                                       for p in predicted)
    return {t: {"precision": correct[t] / found[t] if found[t] else 1.0,
                "recall": recalled[t] / labelled[t] if labelled[t] else 1.0,
                "exact_boundaries": exact[t] / correct[t] if correct[t] else 1.0,
                "labelled": labelled[t]} for t in FLOORS}


@pytest.mark.parametrize("entity", list(FLOORS))
def test_precision_and_recall_reach_their_floor(scores, entity):
    precision_floor, recall_floor = FLOORS[entity]
    s = scores[entity]
    assert s["labelled"] > 0, f"no {entity} labels in the data: the file changed"
    assert s["precision"] >= precision_floor, f"{entity}: {s}"
    assert s["recall"] >= recall_floor, f"{entity}: {s}"


def test_found_spans_have_the_labelled_boundaries(scores):
    assert all(s["exact_boundaries"] >= 0.95 for s in scores.values()), scores
