"""``tactful eval compare``: what a change did, case by case, from two report.json files."""

from __future__ import annotations

import copy
import json

import pytest
from typer.testing import CliRunner

from evals.cli import app
from evals.compare import CompareError, compare_files, compare_reports, load_report
from evals.compare_view import compare_markdown
from evals.report import write_reports
from evals.runner import run_suites

runner = CliRunner()


def score(value: float, passed: bool | None = None, reason: str = "") -> dict:
    return {"value": value, "passed": value >= 1.0 if passed is None else passed, "reason": reason or f"v{value}"}


def case(case_id: str, suite: str = "s", error: str | None = None, **scores: dict) -> dict:
    passed = error is None and all(s["passed"] for s in scores.values())
    return {"suite": suite, "id": case_id, "passed": passed, "error": error, "scores": scores, "turns": []}


def report(*cases: dict, metrics: dict | None = None, thresholds: list | None = None) -> dict:
    return {"schema_version": 1, "passed": all(c["passed"] for c in cases), "metrics": metrics or {"cases": len(cases)},
            "thresholds": thresholds or [], "cases": list(cases)}


BASE = report(
    case("steady", empathy=score(0.9, True), grounding=score(1.0)),
    case("breaks", empathy=score(0.8, True), grounding=score(1.0)),
    case("colder", empathy=score(0.92, True)),
    case("mends", empathy=score(0.7, True), grounding=score(0.5, reason="missing '£4.50'")),
    case("gone", empathy=score(0.9, True)),
    metrics={"cases": 5, "empathy": 0.844, "grounding": 0.8333, "pii_leaks": 0, "latency_p95_ms": 40.0},
    thresholds=[{"metric": "grounding", "direction": "min", "limit": 0.9, "value": 0.8333, "status": "miss"},
                {"metric": "empathy", "direction": "min", "limit": 0.8, "value": 0.844, "status": "pass"}],
)


def changed() -> dict:
    new = copy.deepcopy(BASE)
    cases = {c["id"]: c for c in new["cases"]}
    cases["breaks"]["scores"]["grounding"] = score(0.0, reason="did not cite delivery.md (cited nothing)")
    cases["breaks"]["passed"] = False
    cases["colder"]["scores"]["empathy"] = score(0.81, True)
    cases["mends"]["scores"]["grounding"] = score(1.0, reason="cites delivery.md")
    cases["mends"]["passed"] = True
    new["cases"] = [c for c in new["cases"] if c["id"] != "gone"] + [case("fresh", empathy=score(0.3, False))]
    new["metrics"] = {"cases": 5, "empathy": 0.786, "grounding": 0.6667, "pii_leaks": 1, "latency_p95_ms": 90.0}
    new["thresholds"] = [{"metric": "grounding", "direction": "min", "limit": 0.9, "value": 0.6667, "status": "miss"},
                         {"metric": "empathy", "direction": "min", "limit": 0.8, "value": 0.786, "status": "miss"}]
    return new


def test_cases_that_fail_now_or_score_lower_are_regressions():
    diff = compare_reports(BASE, changed())
    regressed = {c.key: c for c in diff.regressed_cases}
    assert set(regressed) == {"s/breaks", "s/colder"}
    breaks = [ch.what for ch in regressed["s/breaks"].regressions]
    assert breaks == ["passed → failed", "grounding 1 → 0 (-1), now fails"]
    assert "did not cite delivery.md" in regressed["s/breaks"].regressions[0].reason
    assert [ch.what for ch in regressed["s/colder"].regressions] == ["empathy 0.92 → 0.81 (-0.11)"]
    assert diff.regressed


def test_cases_that_pass_now_or_score_higher_are_improvements():
    diff = compare_reports(BASE, changed())
    [mends] = diff.improved_cases
    assert mends.key == "s/mends"
    assert [ch.what for ch in mends.improvements] == ["failed → passed", "grounding 0.5 → 1 (+0.5), now passes"]
    assert "missing '£4.50'" in mends.improvements[0].reason  # what it failed on before


def test_added_and_removed_cases_are_listed_but_neither_regress_nor_improve():
    diff = compare_reports(BASE, changed())
    assert diff.added == [("s/fresh", False)] and diff.removed == [("s/gone", True)]
    assert "s/fresh" not in {c.key for c in diff.cases}


def test_metric_deltas_know_which_direction_is_better():
    deltas = {m.name: m for m in compare_reports(BASE, changed()).metrics}
    assert deltas["empathy"].verdict == "worse" and deltas["empathy"].better_when == "higher"
    assert deltas["pii_leaks"].verdict == "worse" and deltas["pii_leaks"].better_when == "lower"
    assert deltas["pii_leaks"].delta == 1
    assert deltas["latency_p95_ms"].verdict == "worse" and not deltas["latency_p95_ms"].deterministic
    assert "cases" not in deltas


def test_a_newly_missed_threshold_is_a_regression_even_with_no_case_changes():
    old, new = copy.deepcopy(BASE), copy.deepcopy(BASE)
    new["thresholds"][1]["status"] = "miss"
    diff = compare_reports(old, new)
    assert not diff.cases and diff.regressed
    assert [t.metric for t in diff.regressed_thresholds] == ["empathy"]
    assert diff.headline == "1 threshold(s) newly missed"


def test_identical_reports_and_timing_noise_are_not_regressions():
    new = copy.deepcopy(BASE)
    new["metrics"]["latency_p95_ms"] = 400.0
    diff = compare_reports(BASE, new)
    assert not diff.regressed and not diff.cases
    assert diff.headline == "no regressions, no improvements"


def test_tolerance_ignores_small_score_drops():
    new = copy.deepcopy(BASE)
    new["cases"][2]["scores"]["empathy"] = score(0.9, True)  # 0.92 -> 0.90
    assert compare_reports(BASE, new).regressed
    assert not compare_reports(BASE, new, tolerance=0.05).regressed


def test_markdown_has_the_tables_for_a_pull_request():
    text = compare_markdown(compare_reports(BASE, changed(), old_path="main.json", new_path="pr.json"))
    assert text.startswith("# Tactful eval compare: ❌ 2 case(s) regressed, 1 threshold(s) newly missed; 1 improved")
    assert "| empathy | 0.844 | 0.786 | -0.058 | higher | ❌ worse |" in text
    assert "| latency_p95_ms | 40 | 90 | +50 | lower | worse (timing) |" in text
    assert "| `s/breaks` | passed → failed |" in text and "## Improvements (1 case(s))" in text
    assert "**Added cases (1):** `s/fresh` (fails)" in text


# -- reading report files -----------------------------------------------------------------------
@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "a report is a JSON object"),
    ('{"cases": []}', "missing 'metrics'"),
    ('{"metrics": {}, "cases": {}}', "'cases' must be a list"),
    ('{"metrics": {}, "cases": [{"suite": "s"}]}', "cases[0] must be an object with a string 'id'"),
])
def test_malformed_reports_are_refused_with_the_file_and_the_problem(tmp_path, content, message):
    path = tmp_path / "report.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CompareError, match="report.json") as info:
        load_report(path)
    assert message in str(info.value)


def test_a_folder_with_a_report_json_in_it_is_read(tmp_path):
    (tmp_path / "report.json").write_text(json.dumps(BASE), encoding="utf-8")
    assert load_report(tmp_path)["metrics"]["cases"] == 5
    with pytest.raises(CompareError, match="no such file"):
        load_report(tmp_path / "missing.json")


# -- the command --------------------------------------------------------------------------------
@pytest.fixture
def reports(tmp_path):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(BASE), encoding="utf-8")
    new.write_text(json.dumps(changed()), encoding="utf-8")
    return old, new


def test_the_command_exits_1_on_a_regression_and_shows_it(reports):
    old, new = reports
    result = runner.invoke(app, ["compare", str(old), str(new)], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert "Regressions (2 case(s))" in result.output and "s/breaks" in result.output
    assert "Improvements (1 case(s))" in result.output and "passed → failed" in result.output
    assert "2 case(s) regressed" in result.output


def test_the_command_exits_0_without_regressions_or_when_told_not_to_fail(reports, tmp_path):
    old, new = reports
    assert runner.invoke(app, ["compare", str(old), str(old)]).exit_code == 0
    result = runner.invoke(app, ["compare", str(old), str(new), "--no-fail-on-regression",
                                 "--markdown", str(tmp_path / "pr" / "comment.md")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "pr" / "comment.md").read_text(encoding="utf-8").startswith("# Tactful eval compare: ❌")


def test_the_command_exits_2_for_a_missing_or_malformed_report(reports, tmp_path):
    old, _ = reports
    missing = runner.invoke(app, ["compare", str(old), str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "nope.json: no such file" in missing.output
    (tmp_path / "bad.json").write_text("[oops", encoding="utf-8")
    bad = runner.invoke(app, ["compare", str(tmp_path / "bad.json"), str(old)])
    assert bad.exit_code == 2 and "not valid JSON" in bad.output


def test_hostile_case_ids_are_shown_as_text_not_markup(tmp_path):
    old = report(case("[bold red]x[/]", grounding=score(1.0)))
    new = report(case("[bold red]x[/]", grounding=score(0.0)))
    (tmp_path / "a.json").write_text(json.dumps(old), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(new), encoding="utf-8")
    result = runner.invoke(app, ["compare", str(tmp_path / "a.json"), str(tmp_path / "b.json")],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 1 and "s/[bold red]x[/]" in result.output


def test_reports_the_runner_wrote_compare_case_by_case(extractive_agent, write_suite, tmp_path):
    cases = [{"id": "fee", "turns": ["How much is delivery?"], "expect": {"answer_contains": ["£4.50"]}},
             {"id": "bread", "turns": ["Do you have gluten-free bread?"], "expect": {"answer_contains": ["Friday"]}}]
    before = write_reports(run_suites([write_suite("shop", cases)], extractive_agent), tmp_path / "before")
    cases[1]["expect"]["answer_contains"] = ["Friday", "unicorn"]
    after = write_reports(run_suites([write_suite("shop", cases)], extractive_agent), tmp_path / "after")
    diff = compare_files(before["json"], after["json"])
    [regressed] = diff.regressed_cases
    assert regressed.key == "shop/bread"
    assert [ch.what for ch in regressed.regressions] == ["passed → failed", "grounding 1 → 0.5 (-0.5), now fails"]
    assert not diff.improved_cases
