"""The command line with hostile arguments: a clear message and exit code, never a traceback."""

from __future__ import annotations

import json

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from typer.testing import CliRunner

from agent.cli import app
from evals.suite import SuiteError, parse_suite
from tests.fuzz.conftest import FUZZ
from tests.fuzz.strategies import TRICKY_CHARS, tricky_text

runner = CliRunner()
#: What argv can carry: no NUL; undecodable bytes arrive as lone surrogates (U+DC80-U+DCFF, surrogateescape).
ARG = tricky_text(300).map(lambda t: t.replace("\x00", "")).filter(lambda t: not t.startswith("-"))


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)[:300]
    assert "Traceback" not in result.output


@FUZZ
@given(text=st.one_of(ARG, st.just(""), st.text(st.sampled_from(TRICKY_CHARS), max_size=30),
                      st.binary(max_size=40).map(lambda b: b.replace(b"\x00", b"").decode("utf-8", "surrogateescape"))),
       side=st.sampled_from(["input", "output", "both"]), as_json=st.booleans())
def test_guard_checks_any_text_without_crashing(text, side, as_json):
    result = runner.invoke(app, ["guard", "--side", side, *(["--json"] if as_json else []), "--", text],
                           env={"COLUMNS": "200"})
    no_traceback(result)
    assert result.exit_code == 0, result.output[-500:]
    if as_json:
        json.loads(result.stdout)


@FUZZ
@given(side=st.text(max_size=20).map(lambda t: t.replace("\x00", "")).filter(lambda s: s not in ("input", "output", "both")))
def test_guard_with_a_wrong_side_fails_clearly(side):
    result = runner.invoke(app, ["guard", "--side", side, "hello"])
    no_traceback(result)
    assert result.exit_code == 2


@pytest.mark.parametrize("args", [["guard"], ["guard", "--side"], ["guard", "--nonsense", "x"], ["ask"],
                                  ["serve", "--port", "0"], ["serve", "--port", "nope"], ["serve", "--workers", "-1"],
                                  ["bench", "--queries", "many"], ["no-such-command"], ["eval", "run"],
                                  ["ingest", "/no/such/path"]])
def test_bad_arguments_fail_with_a_usage_message(args, tmp_path):
    result = runner.invoke(app, args, env={"TACTFUL_DATA_DIR": str(tmp_path)})
    no_traceback(result)
    assert result.exit_code == 2, result.output[-500:]


LINE = st.one_of(tricky_text(60), st.just("{"), st.just('{"id": 1}'), st.just('{"id": "a", "turns": []}'),
                 st.just('{"id": "a", "turns": ["hi"], "expect": {"nope": 1}}'), st.just("[" * 5000 + "]" * 5000),
                 st.just('{"id": "a", "turns": ["\\ud800"]}'))


@FUZZ
@given(lines=st.lists(LINE, max_size=4), minimum=st.lists(st.text(max_size=20).map(lambda t: t.replace("\x00", "")),
                                                          max_size=2))
def test_eval_run_with_a_broken_suite_or_threshold_fails_clearly(tmp_path_factory, lines, minimum):
    text = "\n".join(lines)
    assume(_broken(text))  # a good suite would replay the agent: not what this test is about
    folder = tmp_path_factory.mktemp("eval")
    suite = folder / "broken.jsonl"
    suite.write_bytes(text.encode("utf-8", "surrogatepass"))
    args = ["eval", "run", str(suite), "--out", str(folder / "out")]
    for pair in minimum:
        args += ["--min", pair]
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    no_traceback(result)
    assert result.exit_code == 2, result.output[-500:]
    assert "error" in result.output


def _broken(text: str) -> bool:
    try:
        parse_suite(text)
    except SuiteError:
        return True
    return False
