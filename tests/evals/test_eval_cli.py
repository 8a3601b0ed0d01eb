"""``tactful eval run`` (the typer app in evals.cli): exit codes, messages and the files it writes."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from evals.cli import app

runner = CliRunner()


@pytest.fixture
def cli_env(agent_env):
    """The test agent's environment, with the fast hash embedder: these tests are about the command."""
    return {**agent_env, "TACTFUL_EMBEDDING__PROVIDER": "hash", "COLUMNS": "200"}


@pytest.mark.parametrize("command", [[], ["run"], ["compare"], ["validate-empathy"]])
def test_every_command_has_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_a_passing_run_exits_0_and_writes_the_reports(cli_env, write_suite, tmp_path):
    suite = write_suite("ok", [{"id": "hello", "turns": ["Do you deliver?"], "expect": {"disclose_ai": True}}])
    out = tmp_path / "reports"
    result = runner.invoke(app, ["run", str(suite), "--out", str(out), "--no-default-thresholds",
                                 "--min", "disclosure=1", "--min", "human_claims=0"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert "pass disclosure 1" in result.output and "passed" in result.output
    assert {p.name for p in out.iterdir()} == {"report.json", "junit.xml", "summary.md", "report.html"}
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["passed"] is True


def test_a_missed_threshold_exits_1_and_names_the_failed_case(cli_env, write_suite, tmp_path):
    suite = write_suite("miss", [{"id": "unicorns", "turns": ["Do you deliver?"],
                                  "expect": {"answer_contains": ["unicorn rides"]}}])
    result = runner.invoke(app, ["run", str(suite), "--out", str(tmp_path / "r"), "--min", "grounding=0.9"],
                           env=cli_env)
    assert result.exit_code == 1, result.output
    assert "MISS grounding 0 (needs >= 0.9)" in result.output and "miss/unicorns" in result.output


def test_a_malformed_suite_exits_2_with_file_line_and_field(cli_env, write_suite, tmp_path):
    suite = write_suite("broken", [{"id": "a", "turns": ["hi"]}, {"id": "b", "turns": ["hi"], "expect": {"escalte": True}}])
    result = runner.invoke(app, ["run", str(suite), "--out", str(tmp_path / "r")], env=cli_env)
    assert result.exit_code == 2
    assert f"{suite}:2: expect.escalte: unknown key" in result.output
    assert not (tmp_path / "r").exists()  # nothing ran


@pytest.mark.parametrize("option, message", [
    ("empthy=0.7", "unknown metric 'empthy'"),
    ("empathy", "write it as NAME=VALUE"),
    ("empathy=high", "is not a number"),
])
def test_bad_thresholds_exit_2(cli_env, write_suite, tmp_path, option, message):
    suite = write_suite("ok", [{"id": "a", "turns": ["hi"]}])
    result = runner.invoke(app, ["run", str(suite), "--min", option, "--out", str(tmp_path / "r")], env=cli_env)
    assert result.exit_code == 2 and message in result.output


def test_missing_suite_file_and_unknown_shared_set_exit_2(cli_env, tmp_path):
    assert "no such file" in runner.invoke(app, ["run", str(tmp_path / "nope.jsonl")], env=cli_env).output
    result = runner.invoke(app, ["run", "shared:nonsense", "--data-dir", str(tmp_path)], env=cli_env)
    assert result.exit_code == 2 and "no shared suite 'nonsense'" in result.output


def test_a_bad_configuration_exits_2(cli_env, write_suite, tmp_path):
    suite = write_suite("ok", [{"id": "a", "turns": ["hi"]}])
    result = runner.invoke(app, ["run", str(suite), "--out", str(tmp_path / "r")],
                           env={**cli_env, "TACTFUL_LLM__PROVIDER": "telepathy"})
    assert result.exit_code == 2 and "llm.provider" in result.output


def test_workers_run_cases_in_parallel_with_the_same_report(cli_env, write_suite, tmp_path):
    suite = write_suite("ok", [{"id": f"q{i}", "turns": ["Do you deliver?"], "expect": {"disclose_ai": True}}
                               for i in range(4)])
    reports = {}
    for workers in ("1", "3"):
        result = runner.invoke(app, ["run", str(suite), "--out", str(tmp_path / workers), "--no-default-thresholds",
                                     "--workers", workers], env=cli_env)
        assert result.exit_code == 0, result.output
        data = json.loads((tmp_path / workers / "report.json").read_text(encoding="utf-8"))
        reports[workers] = [(c["id"], c["scores"]) for c in data["cases"]]
    assert reports["1"] == reports["3"]


def test_workers_fall_back_to_one_with_a_scripted_model(cli_env, write_suite, tmp_path):
    suite = write_suite("ok", [{"id": "a", "turns": ["Do you deliver?"]}, {"id": "b", "turns": ["Do you deliver?"]}])
    env = {**cli_env, "TACTFUL_LLM__PROVIDER": "scripted",
           "TACTFUL_LLM__SCRIPTED_REPLIES": json.dumps(["We deliver within 3 miles."] * 4)}
    result = runner.invoke(app, ["run", str(suite), "--out", str(tmp_path / "r"), "--no-default-thresholds",
                                 "--workers", "4"], env=env)
    assert result.exit_code == 0, result.output
    assert "cases run one at a time" in result.output


def test_workers_default_to_what_the_provider_gains_from(cli_env, write_suite, tmp_path):
    suite = write_suite("ok", [{"id": f"q{i}", "turns": ["Do you deliver?"]} for i in range(3)])
    result = runner.invoke(app, ["run", str(suite), "--out", str(tmp_path / "r"), "--no-default-thresholds"],
                           env=cli_env)
    assert result.exit_code == 0, result.output
    timing = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))["timing"]
    assert timing["workers"] == min(8, len(os.sched_getaffinity(0)))  # no model: one per CPU
    assert f"{timing['workers']} at a time" in result.output


@pytest.mark.parametrize("provider, workers", [("scripted", 1), ("local", 1), ("openai", 8), ("extractive", None)])
def test_default_workers_by_provider(provider, workers):
    from types import SimpleNamespace

    from evals.runner import default_workers

    agent = SimpleNamespace(config=SimpleNamespace(llm=SimpleNamespace(provider=provider)))
    assert default_workers(agent) == (workers or min(8, len(os.sched_getaffinity(0))))


def test_judge_needs_a_model(cli_env, write_suite, tmp_path):
    suite = write_suite("ok", [{"id": "a", "turns": ["Do you deliver?"]}])
    result = runner.invoke(app, ["run", str(suite), "--out", str(tmp_path / "r"), "--judge"], env=cli_env)
    assert result.exit_code == 2 and "--judge needs a language model" in result.output


def test_judge_from_its_own_config_adds_the_empathy_judge_metric(cli_env, write_suite, tmp_path):
    suite = write_suite("ok", [{"id": "a", "turns": ["Do you deliver?"]}])
    judge = tmp_path / "judge.yaml"
    judge.write_text("llm:\n  provider: scripted\n  scripted_replies: ['4', 'Rating: 5', 'no idea']\n",
                     encoding="utf-8")
    result = runner.invoke(app, ["run", str(suite), "--out", str(tmp_path / "r"), "--no-default-thresholds",
                                 "--judge", "--judge-config", str(judge), "--min", "empathy_judge=0.5"], env=cli_env)
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    assert data["metrics"]["empathy_judge"] == 0.875  # (4.5 - 1) / 4
    reason = data["cases"][0]["scores"]["empathy_judge"]["reason"]
    assert "stdev 0.71" in reason and "1 unparsable: 'no idea'" in reason


def test_replayed_conversations_stay_out_of_the_configured_store_unless_kept(cli_env, write_suite, tmp_path):
    import sqlite3
    from pathlib import Path

    suite = write_suite("ok", [{"id": "hello", "turns": ["Do you deliver?"], "expect": {"disclose_ai": True}}])
    args = ["run", str(suite), "--out", str(tmp_path / "reports"), "--no-default-thresholds"]
    database = Path(cli_env["TACTFUL_DATA_DIR"]) / "tactful.db"

    def stored() -> int:
        if not database.exists():
            return 0
        with sqlite3.connect(database) as connection:
            count = connection.execute("SELECT COUNT(*) FROM conversations").fetchone()[0]
        connection.close()
        return count

    assert runner.invoke(app, args, env=cli_env).exit_code == 0
    assert stored() == 0
    assert runner.invoke(app, [*args, "--keep-conversations"], env=cli_env).exit_code == 0
    assert stored() == 1
