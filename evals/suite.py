"""Eval suites: JSON Lines files of cases, one conversation a line, validated strictly.

    {"id": "late-order-angry", "turns": ["My order is a week late!", "I want a person"],
     "customer": {"name": "Ebony Jackson"},
     "expect": {"escalate": true, "escalation_reason": "frustration", "disclose_ai": true,
                "answer_contains": ["tracking"], "source_ids": ["shipping.md"], "no_pii_leak": true,
                "refuse": false, "min_empathy": 0.6, "no_human_claims": true},
     "tags": ["escalation", "frustration"]}

Conversations about a customer's account (agent/accounts) may also expect ``tool`` (the final reply's
tool, or "none"), ``action_done``, ``verified``, ``no_account_data`` and ``forbidden``: see
:mod:`evals.scorers.accounts`.

Every ``expect`` key is optional; unknown keys anywhere are an error, and so is a wrong type ("true"
for true), a duplicate id or a line that is not JSON. :func:`load_suite` reports every problem of a
file at once, each with the file, the line and the field, in a :class:`SuiteError`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Iterable, Iterator

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError

NonEmpty = Annotated[StrictStr, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CustomerInfo(_Strict):
    """Who is writing, as the channel would tell the agent."""

    name: StrictStr | None = Field(None, description="The customer's name.")
    id: StrictStr | None = Field(None, description="The business's id for the customer.")
    vip: StrictBool | None = Field(None, description="A customer the business treats as a priority.")
    order_value: float | None = Field(None, ge=0, strict=True, description="The value of the order in question.")

    def as_dict(self) -> dict[str, Any]:
        """The mapping ``Agent.respond(customer=...)`` takes: only the keys that are set."""
        return self.model_dump(exclude_none=True)


class Expectations(_Strict):
    """What a case expects of the agent's replies. Every key is optional; an unset key is not checked."""

    escalate: StrictBool | None = Field(None, description="Some turn hands the conversation to a person (or none does).")
    escalation_reason: NonEmpty | None = Field(
        None, description="The machine-readable escalation reason expected to start with this (e.g. 'frustration').")
    disclose_ai: StrictBool | None = Field(
        None, description="The first reply says it is automated; a question about the bot is answered truthfully.")
    answer_contains: list[NonEmpty] | None = Field(
        None, description="Substrings the final reply contains, case-insensitively.")
    source_ids: list[NonEmpty] | None = Field(None, description="Document ids the final reply cites.")
    no_pii_leak: StrictBool | None = Field(
        None, description="No personal data the customer sent appears in any reply.")
    refuse: StrictBool | None = Field(
        None, description="The final reply declines, refers elsewhere or says it does not know (or does not).")
    min_empathy: float | None = Field(None, ge=0, le=1, strict=True, description="Lowest acceptable empathy score.")
    no_human_claims: StrictBool | None = Field(None, description="No reply claims or implies being a person.")
    # -- the account tools (agent/accounts): scored by evals.scorers.accounts ---------------------------------
    tool: NonEmpty | None = Field(
        None, description="The account tool the final reply used (reply.tool['tool'], e.g. 'order_status', "
                          "'cancel_order'), or 'none' when the final reply must use no tool.")
    action_done: StrictBool | None = Field(
        None, description="Some turn changed the account (outcome 'account_done'), or, with false, none did.")
    verified: StrictBool | None = Field(
        None, description="The customer proves who they are at some turn (a passed 'identity' verdict), or never does.")
    no_account_data: StrictBool | None = Field(
        None, description="With true: no reply shows account data (no outcome account_answered, account_done, "
                          "account_confirm or account_slots_offered, and none of `forbidden`); false is not checked.")
    forbidden: list[NonEmpty] | None = Field(
        None, description="Substrings no reply may contain, case-insensitively (another customer's order details).")


class Case(_Strict):
    """One conversation to replay: the customer's turns, in order, and what is expected of the replies."""

    id: NonEmpty
    turns: list[StrictStr] = Field(min_length=1)
    customer: CustomerInfo | None = None
    expect: Expectations = Field(default_factory=Expectations)
    tags: list[NonEmpty] = Field(default_factory=list)

    def has_tag(self, *tags: str) -> bool:
        return any(t in self.tags for t in tags)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a suite file."""

    line: int
    field: str
    message: str


class SuiteError(ValueError):
    """A suite file that cannot be used: each problem names the file, the line and the field."""

    def __init__(self, path: str | Path, problems: Iterable[Problem]) -> None:
        self.path = str(path)
        self.problems = list(problems)
        shown = self.problems[:20]
        lines = [f"{self.path}:{p.line}: {p.field}: {p.message}" if p.field else f"{self.path}:{p.line}: {p.message}"
                 for p in shown]
        if len(self.problems) > len(shown):
            lines.append(f"... and {len(self.problems) - len(shown)} more problem(s)")
        super().__init__("\n".join(lines))

    @property
    def line(self) -> int:
        return self.problems[0].line if self.problems else 0

    @property
    def field(self) -> str:
        return self.problems[0].field if self.problems else ""


@dataclass(frozen=True)
class Suite:
    """Cases with a name: read from a file, or built in memory by an adapter."""

    name: str
    cases: list[Case] = field(default_factory=list)
    path: str | None = None


def _field_name(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _problem_message(error: dict[str, Any], model: type[BaseModel]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        parent: Any = model
        for part in error["loc"][:-1]:
            if isinstance(part, int):
                continue
            annotation = parent.model_fields[part].annotation
            parent = next((a for a in getattr(annotation, "__args__", (annotation,))
                           if isinstance(a, type) and issubclass(a, BaseModel)), annotation)
        allowed = ", ".join(parent.model_fields) if isinstance(parent, type) and issubclass(parent, BaseModel) else ""
        return f"unknown key{f' (allowed: {allowed})' if allowed else ''}"
    if kind == "missing":
        return "required, but missing"
    value = error.get("input")
    message = f"{error['msg'][0].lower()}{error['msg'][1:]}"
    if isinstance(value, (str, int, float, bool, type(None))):
        return f"{message}, got {json.dumps(value, ensure_ascii=False)}"
    return f"{message}, got a JSON {'array' if isinstance(value, list) else 'object'}" if "type" in kind else message


def parse_case(data: Any, *, path: str | Path = "<suite>", line: int = 1) -> Case:
    """One case from decoded JSON; raises SuiteError naming the line and every bad field."""
    if not isinstance(data, dict):
        raise SuiteError(path, [Problem(line, "", f"a case must be a JSON object, got {type(data).__name__}")])
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(line, _field_name(e["loc"]), _problem_message(e, Case)) for e in exc.errors()]
        raise SuiteError(path, problems) from None


def json_lines(text: str) -> Iterator[tuple[int, Any]]:
    """Each non-blank line's number and its value, or a Problem when it is not JSON (or nests too deeply, or
    carries a lone surrogate). Lines split on "\\n" only: U+2028 may sit inside a JSON string."""
    for number, raw in enumerate(text.removeprefix("\ufeff").split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, Problem(number, "", f"not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        except RecursionError:
            yield number, Problem(number, "", "not usable JSON: nested too deeply")
            continue
        try:  # "\ud800" alone decodes to a lone surrogate, which no report, terminal or file can carry
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except RecursionError:
            yield number, Problem(number, "", "not usable JSON: nested too deeply")
            continue
        except UnicodeEncodeError:
            yield number, Problem(number, "", "contains a lone surrogate (a \\uD800-\\uDFFF escape without its pair); "
                                              "write the character itself or a complete surrogate pair")
            continue
        yield number, value


def parse_suite(text: str, path: str | Path = "<suite>") -> list[Case]:
    """Cases from JSON Lines text."""
    problems: list[Problem] = []
    cases: list[Case] = []
    first_line: dict[str, int] = {}
    for number, data in json_lines(text):
        if isinstance(data, Problem):
            problems.append(data)
            continue
        case_id = data.get("id") if isinstance(data, dict) else None
        if isinstance(case_id, str) and case_id in first_line:
            problems.append(Problem(number, "id", f"duplicate id {case_id!r} (first on line {first_line[case_id]})"))
            continue
        if isinstance(case_id, str):
            first_line[case_id] = number
        try:
            cases.append(parse_case(data, path=path, line=number))
        except SuiteError as exc:
            problems.extend(exc.problems)
    if not cases and not problems:
        problems.append(Problem(1, "", "no cases: a suite needs at least one JSON object line"))
    if problems:
        raise SuiteError(path, problems)
    return cases


def load_suite(path: str | Path) -> list[Case]:
    """The cases of a JSON Lines suite file, or a SuiteError naming the file, line and field of each problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SuiteError(path, [Problem(0, "", "no such file")]) from None
    except IsADirectoryError:
        raise SuiteError(path, [Problem(0, "", "is a folder, not a suite file")]) from None
    except UnicodeDecodeError as exc:
        line = exc.object[:exc.start].count(b"\n") + 1
        raise SuiteError(path, [Problem(line, "", f"not UTF-8 text (byte {exc.start})")]) from None
    return parse_suite(text, path)
