"""PII precision and recall on real labelled data (presidio-research's synthetic set, first half).

A found span counts when it overlaps a labelled span of the same type; boundaries are reported
separately. The floors are what the rail reaches today, a little below, so a regression fails.
Measured (overlap): structured types 1.0 / 1.0; PERSON 0.96 / 0.68; STREET_ADDRESS 0.96 / 0.37;
DATE_OF_BIRTH precision 1.0 against the DATE_TIME labels; overall precision 0.98. PERSON recall is
below the issue's 0.85 target: without a named-entity model, bare surnames and unknown first names
in free text are missed on purpose (see ``guardrails.pii_names``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails.pii import find_pii
from guardrails.pii_measure import load_rows, overall_precision, score

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "pii_presidio.jsonl"

#: type -> (precision floor, recall floor); None: not measured (the labels hold every date, not birth dates).
FLOORS = {
    "EMAIL_ADDRESS": (0.95, 0.95),
    "PHONE_NUMBER": (0.95, 0.95),
    "CREDIT_CARD": (0.95, 0.95),
    "US_SSN": (0.95, 0.95),
    "IBAN_CODE": (0.95, 0.95),
    "IP_ADDRESS": (0.95, 0.95),
    "PERSON": (0.93, 0.65),
    "STREET_ADDRESS": (0.93, 0.35),
    "DATE_OF_BIRTH": (0.95, None),
}


@pytest.fixture(scope="module")
def scores():
    if not DATA.exists():
        pytest.skip(f"{DATA} not found: the public evaluation data lives in ../shared/data beside the project")
    return score(load_rows(DATA), lambda t: [(s.type, s.start, s.end) for s in find_pii(t)], FLOORS)


@pytest.mark.parametrize("entity", list(FLOORS))
def test_precision_and_recall_reach_their_floor(scores, entity):
    precision_floor, recall_floor = FLOORS[entity]
    s = scores[entity]
    assert s.labelled > 0, f"no {entity} labels in the data: the file changed"
    assert s.found > 0 and s.precision >= precision_floor, s
    if recall_floor is not None:
        assert s.recall >= recall_floor, s


def test_overall_precision_is_at_least_the_issue_target(scores):
    assert overall_precision(scores) >= 0.95


def test_structured_finds_have_the_labelled_boundaries(scores):
    structured = [s for t, s in scores.items() if t in ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN",
                                                        "IBAN_CODE", "IP_ADDRESS")]
    assert all(s.exact / s.correct >= 0.95 for s in structured), structured
