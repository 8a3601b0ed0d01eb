"""``tactful eval run`` (the typer app in evals.cli): exit codes, messages and the files it writes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from evals.cli import app

runner = CliRunner()


@pytest.fixture
def cli_env(agent_env):
    """The test agent's environment, with the fast hash embedder: these tests are about the command."""
    return {**agent_env, "TACTFUL_EMBEDDING__PROVIDER": "hash", "COLUMNS": "200"}


@pytest.mark.parametrize("command", [[], ["run"], ["validate-empathy"]])
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
    assert {p.name for p in out.iterdir()} == {"report.json", "junit.xml", "summary.md"}
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
