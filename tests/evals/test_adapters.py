"""Public data sets turned into suites at run time, never copied into the project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.adapters import SHARED_SUITES, shared_suite
from evals.suite import SuiteError, load_suite

from tests.conftest import shared_data

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(SHARED_SUITES))
def test_each_shared_set_becomes_valid_cases(name):
    data_dir = shared_data(f"{name}.jsonl").parent
    suite = shared_suite(f"shared:{name}", data_dir)
    rows = [line for line in (data_dir / f"{name}.jsonl").read_text(encoding="utf-8").split("\n") if line.strip()]
    assert len(suite.cases) == len(rows)
    assert len({c.id for c in suite.cases}) == len(suite.cases)
    assert suite.name == f"shared-{name}"


def test_expectations_follow_the_labels():
    data_dir = shared_data("injection_attacks.jsonl").parent
    injection = shared_suite("injection_attacks", data_dir).cases
    assert all(c.expect.refuse is ("injection" in c.tags or None) for c in injection)
    escalation = shared_suite("escalation_nlupp", data_dir).cases
    assert sum(bool(c.expect.escalate) for c in escalation) == 41
    bots = [c for c in shared_suite("disclosure_questions", data_dir).cases if "asks_if_bot" in c.tags]
    assert len(bots) == 120 and all(len(c.turns) == 2 for c in bots)  # asked after the first-reply notice


def test_limit_keeps_a_spread_of_rows():
    data_dir = shared_data("escalation_nlupp.jsonl").parent
    cases = shared_suite("escalation_nlupp", data_dir, limit=100).cases
    assert len(cases) == 100
    assert any(c.expect.escalate for c in cases) and any(not c.expect.escalate for c in cases)


def test_a_malformed_data_file_is_reported_with_line_and_field(tmp_path):
    (tmp_path / "out_of_scope.jsonl").write_text('{"text": "a", "out_of_scope": true}\n{"text": "b"}\n',
                                                 encoding="utf-8")
    with pytest.raises(SuiteError) as info:
        shared_suite("out_of_scope", tmp_path)
    assert (info.value.line, info.value.field) == (2, "out_of_scope")


def test_missing_data_says_where_it_was_looked_for(tmp_path):
    with pytest.raises(FileNotFoundError, match="shared/data"):
        shared_suite("sensitive_requests", tmp_path)


def test_bundled_suites_do_not_copy_the_public_data():
    texts = set()
    for name in SHARED_SUITES:
        path = shared_data(f"{name}.jsonl")
        texts |= {json.loads(line)["text"].strip().lower() for line in path.read_text(encoding="utf-8").split("\n")
                  if line.strip()}
    for suite in (REPO / "evals" / "suites").glob("*.jsonl"):
        for case in load_suite(suite):
            copied = [t for t in case.turns if len(t) > 25 and t.strip().lower() in texts]
            assert not copied, f"{suite.name}/{case.id} copies public data: {copied}"
