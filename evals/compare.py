"""Two runs side by side: what a change did, metric by metric and case by case.

    diff = compare_files("main/report.json", "branch/report.json")
    diff.regressed                   # True when any case got worse or a threshold is newly missed
    diff.regressed_cases, diff.improved_cases, diff.metrics

How a comparison is shown (Rich tables, Markdown for a pull request) is in ``evals.compare_view``.

A case *regressed* when it passed before and fails now, or when one of its scores dropped (by more
than ``tolerance``) or newly failed; it *improved* the other way round. A case can do both (better
grounding, colder tone): it is listed under each. Cases are matched by ``suite/id``; cases only in
one report are listed as added or removed and are neither. A threshold met (or not applicable)
before and missed now is a regression too. Metric deltas are shown with the direction that is
better (from ``evals.metrics``); timings (latency, cases per second) are shown but, being noise
from run to run, never count as a regression.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping

from evals.metrics import METRICS, format_value

Verdict = Literal["better", "worse", "same", "n/a"]
#: Score changes smaller than this are rounding, not a change (scores are stored to 4 decimals).
EPSILON = 1e-9


class CompareError(ValueError):
    """A report file that cannot be compared: missing, not JSON, or not a report the runner wrote."""


@dataclass(frozen=True)
class MetricDelta:
    """One run-level metric in both reports."""

    name: str
    old: float | None
    new: float | None
    direction: str | None  # "min": higher is better; "max": lower is better; None: unknown metric
    deterministic: bool = True

    @property
    def delta(self) -> float | None:
        if not _number(self.old) or not _number(self.new):
            return None
        return round(self.new - self.old, 6)  # type: ignore[operator]

    @property
    def verdict(self) -> Verdict:
        delta = self.delta
        if delta is None:
            return "n/a"
        if abs(delta) <= EPSILON:
            return "same"
        if self.direction is None:
            return "n/a"
        return "better" if (delta > 0) == (self.direction == "min") else "worse"

    @property
    def better_when(self) -> str:
        return {"min": "higher", "max": "lower"}.get(self.direction or "", "")


@dataclass(frozen=True)
class Change:
    """One thing that moved in one case: its pass/fail status, or one metric's score."""

    metric: str  # "status" for the case's pass/fail, else the metric's name
    kind: Literal["regressed", "improved"]
    what: str  # "passed → failed", "empathy 0.82 → 0.71 (-0.11)"
    reason: str = ""  # why it fails now (regressions) or what it says now (improvements)


@dataclass
class CaseDiff:
    key: str
    changes: list[Change] = field(default_factory=list)

    @property
    def regressions(self) -> list[Change]:
        return [c for c in self.changes if c.kind == "regressed"]

    @property
    def improvements(self) -> list[Change]:
        return [c for c in self.changes if c.kind == "improved"]


@dataclass(frozen=True)
class ThresholdChange:
    metric: str
    old: str  # "pass", "miss", "n/a" or "" (not checked)
    new: str
    describe: str

    @property
    def regressed(self) -> bool:
        return self.new == "miss" and self.old != "miss"

    @property
    def improved(self) -> bool:
        return self.old == "miss" and self.new in ("pass", "n/a")


@dataclass
class Comparison:
    old_path: str
    new_path: str
    old_passed: bool | None
    new_passed: bool | None
    old_cases: int
    new_cases: int
    metrics: list[MetricDelta]
    cases: list[CaseDiff]
    thresholds: list[ThresholdChange]
    added: list[tuple[str, bool]]  # (suite/id, passed)
    removed: list[tuple[str, bool]]

    @property
    def regressed_cases(self) -> list[CaseDiff]:
        return [c for c in self.cases if c.regressions]

    @property
    def improved_cases(self) -> list[CaseDiff]:
        return [c for c in self.cases if c.improvements]

    @property
    def regressed_thresholds(self) -> list[ThresholdChange]:
        return [t for t in self.thresholds if t.regressed]

    @property
    def regressed(self) -> bool:
        return bool(self.regressed_cases or self.regressed_thresholds)

    @property
    def headline(self) -> str:
        if self.regressed:
            parts = []
            if self.regressed_cases:
                parts.append(f"{len(self.regressed_cases)} case(s) regressed")
            if self.regressed_thresholds:
                parts.append(f"{len(self.regressed_thresholds)} threshold(s) newly missed")
            return ", ".join(parts) + (f"; {len(self.improved_cases)} improved" if self.improved_cases else "")
        if self.improved_cases:
            return f"no regressions; {len(self.improved_cases)} case(s) improved"
        return "no regressions, no improvements"


# -- reading ------------------------------------------------------------------------------------
def load_report(path: str | Path) -> dict[str, Any]:
    """A report.json written by the runner, checked enough to compare; CompareError says what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CompareError(f"{path}: no such file (pass the report.json that `tactful eval run` wrote)") from None
    except IsADirectoryError:
        candidate = path / "report.json"
        if candidate.is_file():
            return load_report(candidate)
        raise CompareError(f"{path}: is a folder with no report.json in it") from None
    except UnicodeDecodeError as exc:
        raise CompareError(f"{path}: not UTF-8 text (byte {exc.start}): is this a report.json?") from None
    except OSError as exc:
        raise CompareError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CompareError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg} (column {exc.colno})") from None
    return check_report(data, path)


def check_report(data: Any, path: str | Path = "<report>") -> dict[str, Any]:
    if not isinstance(data, dict):
        raise CompareError(f"{path}: a report is a JSON object, this is a JSON {type(data).__name__}")
    missing = [k for k in ("metrics", "cases") if k not in data]
    if missing:
        raise CompareError(f"{path}: not a Tactful eval report: missing {', '.join(repr(m) for m in missing)} "
                           "(pass the report.json that `tactful eval run` wrote)")
    if not isinstance(data["metrics"], dict):
        raise CompareError(f"{path}: 'metrics' must be an object")
    if not isinstance(data["cases"], list):
        raise CompareError(f"{path}: 'cases' must be a list")
    for i, case in enumerate(data["cases"]):
        if not isinstance(case, dict) or not isinstance(case.get("id"), str):
            raise CompareError(f"{path}: cases[{i}] must be an object with a string 'id'")
        if not isinstance(case.get("scores", {}), dict):
            raise CompareError(f"{path}: cases[{i}].scores must be an object")
    return data


# -- comparing ----------------------------------------------------------------------------------
def compare_files(old: str | Path, new: str | Path, *, tolerance: float = 0.0) -> Comparison:
    return compare_reports(load_report(old), load_report(new), tolerance=tolerance, old_path=str(old),
                           new_path=str(new))


def compare_reports(old: Mapping[str, Any], new: Mapping[str, Any], *, tolerance: float = 0.0,
                    old_path: str = "old", new_path: str = "new") -> Comparison:
    """Every metric's delta and every matched case's changes. ``tolerance``: score drops up to it are ignored."""
    if tolerance < 0:
        raise ValueError("tolerance must be at least 0")
    old_cases, new_cases = _by_key(old, old_path), _by_key(new, new_path)
    diffs = []
    for key, after in new_cases.items():
        before = old_cases.get(key)
        if before is not None:
            diff = _case_diff(key, before, after, tolerance)
            if diff.changes:
                diffs.append(diff)
    return Comparison(
        old_path=old_path, new_path=new_path, old_passed=old.get("passed"), new_passed=new.get("passed"),
        old_cases=len(old_cases), new_cases=len(new_cases), metrics=_metric_deltas(old["metrics"], new["metrics"]),
        cases=diffs, thresholds=_threshold_changes(old, new),
        added=[(k, _passed(c)) for k, c in new_cases.items() if k not in old_cases],
        removed=[(k, _passed(c)) for k, c in old_cases.items() if k not in new_cases])


def _by_key(report: Mapping[str, Any], path: str) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for case in report["cases"]:
        key = f"{case.get('suite') or '?'}/{case['id']}"
        if key in out:
            raise CompareError(f"{path}: case {key!r} appears twice")
        out[key] = case
    return out


def _passed(case: Mapping[str, Any]) -> bool:
    if "passed" in case:
        return bool(case["passed"])
    return case.get("error") is None and all(bool(s.get("passed", True)) for s in case.get("scores", {}).values())


def _case_diff(key: str, before: Mapping[str, Any], after: Mapping[str, Any], tolerance: float) -> CaseDiff:
    diff = CaseDiff(key)
    was, now = _passed(before), _passed(after)
    if was and not now:
        diff.changes.append(Change("status", "regressed", "passed → failed", _failure_reasons(after)))
    elif now and not was:
        diff.changes.append(Change("status", "improved", "failed → passed", _failure_reasons(before, "was: ")))
    old_scores, new_scores = before.get("scores", {}), after.get("scores", {})
    for metric, score in new_scores.items():
        prior = old_scores.get(metric)
        if not isinstance(prior, dict) or not isinstance(score, dict):
            continue
        a, b = prior.get("value"), score.get("value")
        reason = str(score.get("reason", ""))
        passed_before, passed_now = bool(prior.get("passed", True)), bool(score.get("passed", True))
        if _number(a) and _number(b):
            what = f"{metric} {format_value(a)} → {format_value(b)} ({b - a:+.4g})"
            if b < a - tolerance - EPSILON or (passed_before and not passed_now):
                diff.changes.append(Change(metric, "regressed", what + ("" if passed_now else ", now fails"), reason))
            elif b > a + tolerance + EPSILON or (passed_now and not passed_before):
                diff.changes.append(Change(metric, "improved", what + (", now passes" if passed_now and not
                                                                       passed_before else ""), reason))
    return diff


def _failure_reasons(case: Mapping[str, Any], prefix: str = "") -> str:
    reasons = [f"error: {case['error']}"] if case.get("error") else []
    reasons += [f"{metric}: {s.get('reason', '')}" for metric, s in case.get("scores", {}).items()
                if isinstance(s, dict) and not s.get("passed", True)]
    return prefix + "; ".join(reasons) if reasons else ""


def _metric_deltas(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[MetricDelta]:
    names = [n for n in new if n != "cases"] + [n for n in old if n not in new and n != "cases"]
    out = []
    for name in names:
        metric = METRICS.get(name)
        out.append(MetricDelta(name, _value(old.get(name)), _value(new.get(name)),
                               metric.direction if metric else None, metric.deterministic if metric else True))
    return out


def _threshold_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[ThresholdChange]:
    def statuses(report: Mapping[str, Any]) -> dict[str, dict]:
        items = report.get("thresholds") or []
        return {t["metric"]: t for t in items if isinstance(t, dict) and isinstance(t.get("metric"), str)}

    before, after = statuses(old), statuses(new)
    out = []
    for name in [*after, *[n for n in before if n not in after]]:
        a, b = before.get(name, {}), after.get(name, {})
        describe = _describe_threshold(b or a)
        out.append(ThresholdChange(name, str(a.get("status", "")), str(b.get("status", "")), describe))
    return out


def _describe_threshold(t: Mapping[str, Any]) -> str:
    sign = "≥" if t.get("direction") == "min" else "≤"
    limit = t.get("limit")
    return f"{t.get('metric')} {sign} {format_value(limit)}" if _number(limit) else str(t.get("metric", ""))


def _value(value: Any) -> float | None:
    return float(value) if _number(value) else None


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


