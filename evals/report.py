"""Writing a run down: ``report.json`` (everything), ``junit.xml`` (for CI), ``summary.md`` (for a pull
request) and ``report.html`` (for people: charts, drawn by ``evals.report_html``).

    write_reports(report, "reports/eval")   # -> {"json": Path, "junit": Path, "markdown": Path, "html": Path}
"""

from __future__ import annotations

import json
import platform
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from evals.metrics import METRICS, format_value
from evals.runner import RunReport
from evals.scorers.accounts import by_tool

SCHEMA_VERSION = 1
MAX_FAILURE_ROWS = 50


def report_dict(report: RunReport) -> dict[str, Any]:
    """The whole run as plain data: every case, every score, every verdict."""
    return {
        "schema_version": SCHEMA_VERSION,
        "passed": report.passed,
        "suites": report.suites,
        "metrics": report.metrics,
        "thresholds": [c.to_dict() for c in report.checks],
        "missed": [c.metric for c in report.missed],
        "critical_failures": report.critical_failures,
        "escalation": report.escalation.to_dict(),
        "timing": {"seconds": round(report.seconds, 3), "turns": report.turns, "workers": report.workers,
                   "cases_per_s": report.metrics.get("cases_per_s"),
                   "latency_p50_ms": report.metrics.get("latency_p50_ms"),
                   "latency_p95_ms": report.metrics.get("latency_p95_ms"), "python": platform.python_version()},
        "failed_cases": [f"{c.suite}/{c.case.id}" for c in report.failed_cases],
        "cases": [c.to_dict() for c in report.cases],
        **({"bias": report.bias} if report.bias is not None else {}),
    }


def write_json(report: RunReport, path: Path, data: dict[str, Any] | None = None) -> Path:
    data = report_dict(report) if data is None else data
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_html(report: RunReport, path: Path, data: dict[str, Any] | None = None) -> Path:
    """The self-contained HTML page (inline SVG charts, no scripts) for the run."""
    from evals.report_html import render_html

    path.write_text(render_html(report_dict(report) if data is None else data), encoding="utf-8")
    return path


def junit_tree(report: RunReport) -> ET.ElementTree:
    """One <testsuite> per suite, one <testcase> per case and metric; a "thresholds" suite for the gate."""
    root = ET.Element("testsuites", name="tactful-eval")
    by_suite: dict[str, list] = {}
    for result in report.cases:
        by_suite.setdefault(result.suite, []).append(result)
    for suite, results in by_suite.items():
        element = ET.SubElement(root, "testsuite", name=suite)
        tests = failures = 0
        for result in results:
            seconds = sum(t.latency_ms for t in result.turns) / 1000
            checks = list(result.scores.items()) or [("error", None)]
            for metric, score in checks:
                tests += 1
                case = ET.SubElement(element, "testcase", classname=f"{suite}.{result.case.id}", name=metric,
                                     time=f"{seconds / max(1, len(checks)):.4f}")
                if score is None:
                    failures += 1
                    ET.SubElement(case, "error", message=_clean(result.error or "not run")).text = \
                        _clean(result.error or "")
                elif not score.passed:
                    failures += 1
                    ET.SubElement(case, "failure", message=_clean(score.reason),
                                  type=metric).text = _clean(f"value {score.value}: {score.reason}")
                else:
                    ET.SubElement(case, "system-out").text = _clean(f"value {score.value}: {score.reason}")
        element.set("tests", str(tests))
        element.set("failures", str(failures))
        element.set("errors", "0")
    gate = ET.SubElement(root, "testsuite", name="thresholds")
    tests = failures = 0
    for check in report.checks:
        tests += 1
        case = ET.SubElement(gate, "testcase", classname="thresholds", name=check.metric, time="0")
        if check.status == "miss":
            failures += 1
            ET.SubElement(case, "failure", message=check.describe, type="threshold").text = check.describe
        elif check.status == "n/a":
            ET.SubElement(case, "skipped", message=f"{check.metric}: no cases to measure")
    for case_id in report.critical_failures:
        tests += 1
        failures += 1
        case = ET.SubElement(gate, "testcase", classname="thresholds", name=f"critical_escalation.{case_id}", time="0")
        ET.SubElement(case, "failure", message=f"{case_id}: missed escalation of an angry or sensitive case",
                      type="critical_escalation")
    gate.set("tests", str(tests))
    gate.set("failures", str(failures))
    gate.set("errors", "0")
    ET.indent(root)
    return ET.ElementTree(root)


def write_junit(report: RunReport, path: Path) -> Path:
    junit_tree(report).write(path, encoding="utf-8", xml_declaration=True)
    return path


def summary_markdown(report: RunReport) -> str:
    """Tables that read well in a pull-request comment."""
    verdict = "✅ passed" if report.passed else "❌ failed"
    m = report.metrics
    lines = [f"# Tactful eval: {verdict}", "",
             f"{m.get('cases')} cases, {report.turns} turns from {len(report.suites)} suite(s) "
             f"({', '.join(report.suites)}) in {report.seconds:.1f} s: {m.get('cases_per_s')} cases/s "
             f"({report.workers} at a time), "
             f"latency p50 {format_value(m.get('latency_p50_ms'))} ms, p95 {format_value(m.get('latency_p95_ms'))} ms.", ""]
    limits = {c.metric: c for c in report.checks}
    lines += ["## Metrics", "", "| metric | value | threshold | status |", "|---|---|---|---|"]
    for name, value in m.items():
        if name == "cases":
            continue
        check = limits.get(name)
        needs = f"{'≥' if check.direction == 'min' else '≤'} {check.limit:g}" if check else ""
        status = {"pass": "✅", "miss": "❌ missed", "n/a": "n/a"}[check.status] if check else ""
        lines.append(f"| {name} | {format_value(value)} | {needs} | {status} |")
    if report.escalation.overall.total:
        lines += ["", "## Escalation by trigger", "", "| trigger | TP | FN | FP | TN | recall | precision |",
                  "|---|---|---|---|---|---|---|"]
        for trigger, c in [*report.escalation.by_trigger.items(), ("**all**", report.escalation.overall)]:
            lines.append(f"| {trigger} | {c.tp} | {c.fn} | {c.fp} | {c.tn} | {format_value(c.recall)} | {format_value(c.precision)} |")
        if report.critical_failures:
            lines += ["", "**Critical misses** (angry, frustrated or sensitive, not handed over): "
                      + ", ".join(f"`{c}`" for c in report.critical_failures)]
    lines += _account_lines([c.to_dict() for c in report.cases])
    per_suite = _per_suite(report)
    lines += ["", "## Suites", "", "| suite | cases | passed | mean empathy |", "|---|---|---|---|"]
    for suite, (n, ok, empathy) in per_suite.items():
        lines.append(f"| {suite} | {n} | {ok} | {format_value(empathy)} |")
    failed = [(c, metric, reason) for c in report.failed_cases for metric, reason in c.failures]
    if failed:
        lines += ["", f"## Failed cases ({len(report.failed_cases)})", "", "| case | metric | reason |",
                  "|---|---|---|"]
        for c, metric, reason in failed[:MAX_FAILURE_ROWS]:
            lines.append(f"| `{c.suite}/{c.case.id}` | {metric} | {_cell(reason)} |")
        if len(failed) > MAX_FAILURE_ROWS:
            lines.append(f"| … | | {len(failed) - MAX_FAILURE_ROWS} more in report.json |")
    lines += ["", "Metric meanings: " + "; ".join(f"**{k}**: {v.description}" for k, v in METRICS.items()
                                                   if k in m), ""]
    return "\n".join(lines)


def write_markdown(report: RunReport, path: Path) -> Path:
    path.write_text(summary_markdown(report), encoding="utf-8")
    return path


def write_reports(report: RunReport, out_dir: str | Path) -> dict[str, Path]:
    """Write the four reports into ``out_dir`` (created if needed); returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = report_dict(report)
    return {"json": write_json(report, out / "report.json", data), "junit": write_junit(report, out / "junit.xml"),
            "markdown": write_markdown(report, out / "summary.md"),
            "html": write_html(report, out / "report.html", data)}


def _per_suite(report: RunReport) -> dict[str, tuple[int, int, float | None]]:
    rows: dict[str, list] = {}
    for c in report.cases:
        rows.setdefault(c.suite, []).append(c)
    out = {}
    for suite, cases in rows.items():
        empathy = [c.scores["empathy"].value for c in cases if "empathy" in c.scores]
        out[suite] = (len(cases), sum(c.passed for c in cases),
                      round(sum(empathy) / len(empathy), 4) if empathy else None)
    return out




def _account_lines(cases: list[dict[str, Any]]) -> list[str]:
    """The account tools table (by expected tool), or nothing when no case is about accounts."""
    rows = by_tool(cases)
    if not rows:
        return []
    lines = ["", "## Account tools", "", "| expected tool | cases | right tool | changes | unconfirmed | "
             "policy breaches | disclosures |", "|---|---|---|---|---|---|---|"]
    for tool, r in rows.items():
        lines.append(f"| {_cell(tool)} | {r['cases']} | {r['right_tool']} | {r['changes']} | {r['unconfirmed']} | "
                     f"{r['breaches']} | {r['disclosures']} |")
    return lines


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")[:300]


def _clean(text: str) -> str:
    """Text XML 1.0 can carry: control characters other than tab and newlines are dropped."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20 and ord(ch) not in (0xFFFE, 0xFFFF)
                   and not 0xD800 <= ord(ch) <= 0xDFFF)
