"""Tactful's evaluation harness: suites, deterministic scorers, the runner and its reports.

    from evals import score_empathy
    score_empathy(customer="My cake arrived broken", reply="I'm sorry it arrived damaged. ...").value

    from evals import run_suites, write_reports
    report = run_suites(["evals/suites/answers.jsonl"], agent, thresholds={"grounding": 0.9})
    write_reports(report, "reports/eval")      # report.json, junit.xml, summary.md, report.html

    from evals.compare import compare_files    # what a change did: `tactful eval compare OLD NEW`
    from evals.pytest_plugin import assert_reply   # suite expectations in a project's own tests

Nothing in the project imports ``evals``; it uses only the agent's public API.
"""

from evals.metrics import DEFAULT_THRESHOLDS, METRICS
from evals.report import write_reports
from evals.runner import RunReport, run_suites
from evals.score import Score
from evals.scorers.empathy import EmpathyScorer, score_empathy
from evals.suite import Case, Suite, SuiteError, load_suite

__all__ = [
    "Score", "EmpathyScorer", "score_empathy",
    "Case", "Suite", "SuiteError", "load_suite",
    "run_suites", "RunReport", "write_reports", "METRICS", "DEFAULT_THRESHOLDS",
]
