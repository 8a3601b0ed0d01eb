"""The ``tactful`` command line: each command works, has --help, and fails clearly on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "hours.md").write_text("# Opening hours\n\nWe open Tuesday to Saturday from 7:00 to 18:00, and on "
                                 "Sunday from 8:00 to 14:00. We are closed on Mondays.\n", encoding="utf-8")
    (kb / "delivery.md").write_text("# Delivery\n\nWe deliver within 3 miles. Delivery costs £3.50 and is free "
                                    "on orders over £60.\n", encoding="utf-8")
    return {"TACTFUL_DATA_DIR": str(tmp_path / "data"), "TACTFUL_LLM__PROVIDER": "extractive",
            "TACTFUL_KNOWLEDGE__SOURCES": json.dumps([str(kb)]), "COLUMNS": "200"}


@pytest.mark.parametrize("command", [[], ["ingest"], ["ask"], ["chat"], ["bench"], ["guard"]])
def test_every_command_has_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_ingest_reports_what_was_indexed_and_skipped(env, tmp_path):
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (extra / "notes.docx").write_bytes(b"PK\x03\x04")
    (extra / "faq.csv").write_text("question,answer\nDo you sell coffee?,Yes: espresso and filter.\n")
    result = runner.invoke(app, ["ingest", str(extra)], env=env)
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output
    assert "broken.pdf" in result.output and "notes.docx" in result.output
    again = runner.invoke(app, ["ingest", str(extra)], env=env)
    assert "1 unchanged" in again.output and "0 chunks embedded" in again.output


def test_a_skipped_file_whose_name_or_reason_looks_like_markup_is_reported_as_written(env, tmp_path):
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "notes [bold]x[red].docx").write_bytes(b"PK\x03\x04")
    (extra / "faq.csv").write_text("[/b],answer\nDo you sell coffee?,Yes.\n")
    result = runner.invoke(app, ["ingest", str(extra)], env=env)
    assert result.exit_code == 0, result.output
    assert "notes [bold]x[red].docx" in result.output


def test_ingest_of_a_missing_path_fails_clearly(env, tmp_path):
    result = runner.invoke(app, ["ingest", str(tmp_path / "nope")], env=env)
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_ask_answers_and_names_the_source(env):
    result = runner.invoke(app, ["ask", "When are you open on Sunday?"], env=env)
    assert result.exit_code == 0, result.output
    assert "automated assistant" in result.output
    assert "8:00" in result.output
    assert "Sources: hours.md" in result.output


def test_chat_keeps_one_conversation_and_discloses_once(env):
    result = runner.invoke(app, ["chat"], env=env, input="How much is delivery?\nAre you open on Mondays?\n\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("automated assistant") == 2  # the banner and the first reply, not the second
    assert "£3.50" in result.output and "closed on Mondays" in result.output
    assert "Goodbye" in result.output


def test_bad_configuration_exits_with_the_key_and_fix(env):
    result = runner.invoke(app, ["ask", "hello"], env={**env, "TACTFUL_LLM__PROVIDER": "gpt5"})
    assert result.exit_code == 2
    assert "TACTFUL_LLM__PROVIDER" in result.output and "'extractive'" in result.output


def test_bench_runs_small_and_writes_results(env, tmp_path):
    data = tmp_path / "docs.jsonl"
    data.write_text("\n".join(json.dumps({"id": str(i), "title": f"Policy {i}", "content": f"Policy {i} says "
                                         f"fees are {i} pounds and cards arrive in {i % 7 + 1} days."})
                              for i in range(30)) + "\n{broken\n", encoding="utf-8")
    out = tmp_path / "bench"
    result = runner.invoke(app, ["bench", "--data", str(data), "--synthetic-chunks", "500", "--queries", "10",
                                 "--skip-model", "--output", str(out)], env=env)
    assert result.exit_code == 0, result.output
    results = json.loads((out / "bench.json").read_text())
    assert results["ingest"]["documents"] == 30 and results["ingest"]["reingest_embedded_chunks"] == 0
    assert results["query_synthetic"]["chunks"] == 530 or results["query_synthetic"]["chunks"] == 500
    assert results["query_rho"]["p95_ms"] > 0
    assert (out / "bench.md").read_text().startswith("| measure |")


def test_bench_without_data_says_where_to_find_it(env, tmp_path):
    result = runner.invoke(app, ["bench", "--data", str(tmp_path / "missing.jsonl")], env=env)
    assert result.exit_code == 2
    assert "kb_rho_bank.jsonl" in result.output


def test_guard_prints_every_verdict_and_the_safe_text(env):
    result = runner.invoke(app, ["guard", "--json", "Are you human? Email me at jo@example.com"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["input"]["text"] == "Are you human? Email me at <EMAIL_ADDRESS>"
    assert {"pii", "bot_question"} <= {v["rail"] for v in report["input"]["verdicts"] if v["action"] != "allow"}


def test_guard_repairs_a_reply(env):
    result = runner.invoke(app, ["guard", "--side", "output", "--json",
                                 "I'm so happy for you, hun!! I'll personally drive over."], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert "hun" not in report["output"]["text"] and "personally" not in report["output"]["text"]


def test_guard_rejects_an_unknown_side(env):
    result = runner.invoke(app, ["guard", "--side", "sideways", "hello"], env=env)
    assert result.exit_code == 2 and "--side must be" in result.output
