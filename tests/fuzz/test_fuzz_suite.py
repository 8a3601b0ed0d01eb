"""Eval suite files of any content: parsed, or refused with a SuiteError naming the line; never anything else."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evals.suite import SuiteError, load_suite, parse_suite
from tests.fuzz.conftest import FUZZ
from tests.fuzz.strategies import JSON_VALUE, tricky_text

EXPECT_KEYS = ["escalate", "escalation_reason", "disclose_ai", "answer_contains", "source_ids", "no_pii_leak",
               "refuse", "min_empathy", "no_human_claims", "bogus"]
CASE = st.fixed_dictionaries(
    {"id": st.one_of(st.just("case-1"), JSON_VALUE), "turns": st.one_of(st.lists(tricky_text(60), max_size=3), JSON_VALUE)},
    optional={"customer": st.one_of(JSON_VALUE, st.dictionaries(st.sampled_from(["name", "id", "vip", "order_value", "x"]),
                                                                 JSON_VALUE, max_size=3)),
              "expect": st.one_of(JSON_VALUE, st.dictionaries(st.sampled_from(EXPECT_KEYS), JSON_VALUE, max_size=4)),
              "tags": JSON_VALUE, "extra": JSON_VALUE})
LINE = st.one_of(CASE.map(json.dumps), JSON_VALUE.map(json.dumps), tricky_text(80), st.just(""), st.just("{"),
                 st.integers(1, 5000).map(lambda d: "[" * d + "]" * d),
                 st.integers(1, 5000).map(lambda d: '{"id": ' * d + "1" + "}" * d))


def check_error(exc: SuiteError, text: str) -> None:
    message = str(exc)
    assert exc.problems and message
    message.encode("utf-8")  # printable on any terminal that takes UTF-8: no lone surrogates
    lines = text.count("\n") + 1
    assert all(0 <= p.line <= lines for p in exc.problems)


@FUZZ
@given(lines=st.lists(LINE, max_size=6), newline=st.sampled_from(["\n", "\r\n"]))
def test_any_suite_text_parses_or_fails_with_a_suite_error(lines, newline):
    text = newline.join(lines)
    try:
        cases = parse_suite(text, "fuzz.jsonl")
    except SuiteError as exc:
        check_error(exc, text)
    else:
        assert cases and len({c.id for c in cases}) == len(cases)


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), st.lists(LINE, max_size=4).map(
    lambda ls: "\n".join(ls).encode("utf-8", "surrogatepass"))))
def test_any_suite_file_loads_or_fails_with_a_suite_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("suite") / "fuzz.jsonl"
    path.write_bytes(data)
    try:
        load_suite(path)
    except SuiteError as exc:
        assert str(path) in str(exc)
        str(exc).encode("utf-8")


@pytest.mark.parametrize("depth", [50, 2_000, 100_000])
def test_deeply_nested_lines_are_a_suite_error(depth):
    text = '{"id": "deep", "turns": ["hi"], "customer": ' + "[" * depth + "]" * depth + "}"
    with pytest.raises(SuiteError) as caught:
        parse_suite(text, "deep.jsonl")
    assert caught.value.line == 1


@pytest.mark.parametrize("line", ['{"id": "a", "turns": ["hi"], "expect": {"escalate": "\\ud800"}}',
                                  '{"id": "a", "turns": ["cake \\udf82"]}', '{"id": "a\\ud83c", "turns": ["hi"]}'])
def test_a_lone_surrogate_is_a_clear_suite_error(line):
    with pytest.raises(SuiteError, match="lone surrogate") as caught:
        parse_suite(line)
    str(caught.value).encode("utf-8")


def test_a_complete_surrogate_pair_is_fine():
    (case,) = parse_suite('{"id": "cake", "turns": ["my \\ud83c\\udf82 arrived broken"]}')
    assert case.turns == ["my \U0001f382 arrived broken"]


def test_a_suite_file_that_is_a_folder_or_missing_is_a_suite_error(tmp_path):
    for path in (tmp_path, tmp_path / "missing.jsonl"):
        with pytest.raises(SuiteError):
            load_suite(path)
