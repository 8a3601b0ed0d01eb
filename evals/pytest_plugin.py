"""Tactful in your own tests: ``assert_reply`` and the ``tactful_agent`` fixture (pytest plugin "tactful").

    from evals.pytest_plugin import assert_reply

    def test_an_angry_customer_gets_a_person(tactful_agent):
        assert_reply(tactful_agent, "This is the third time I ask. I want a person NOW",
                     escalate=True, min_empathy=0.6, disclose_ai=True)

Each keyword means what the same ``expect`` key means in a suite, checked by the same scorer, so a
test and a suite case agree on what passing is. A keyword left at None is not checked (and, as in a
suite, ``disclose_ai=False`` checks nothing). Every failed expectation is listed in one
AssertionError, with the reply.

``tactful_agent`` is the built-in demo bakery on the extractive provider (no model: deterministic
and fast) with its index and store in a temporary folder, built once per test session. To test your
own business, override ``tactful_agent_settings`` in a ``conftest.py``::

    @pytest.fixture(scope="session")
    def tactful_agent_settings():
        return {"TACTFUL_CONFIG": "tactful.yaml"}      # any TACTFUL_ setting: TACTFUL_LLM__PROVIDER, ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

import pytest

if TYPE_CHECKING:
    from agent import Agent, Reply

#: The id of the one-turn case assert_reply builds, as scorer reasons may name it.
CASE_ID = "assert_reply"


def assert_reply(agent: Any, message: str, *, escalate: bool | None = None, min_empathy: float | None = None,
                 disclose_ai: bool | None = None, answer_contains: str | Sequence[str] | None = None,
                 refuse: bool | None = None, no_pii_leak: bool | None = None, conversation_id: str | None = None,
                 customer: Any = None) -> "Reply":
    """Send ``message`` to ``agent`` and check the reply; return it, or raise AssertionError naming every miss.

    - ``escalate``: the reply hands the conversation to a person (True) or does not (False).
    - ``min_empathy``: the reply's empathy score (``evals.score_empathy``) is at least this.
    - ``disclose_ai=True``: a first reply says it is automated; a question about the bot is answered
      truthfully. With ``conversation_id`` (a conversation already under way) only the second is checked.
    - ``answer_contains``: each substring appears in the reply, case-insensitively.
    - ``refuse``: the reply declines, refers elsewhere, says it does not know or hands over (True), or not.
    - ``no_pii_leak=True``: no personal data from ``message`` comes back in the reply.
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not this function's
    from evals.suite import Case, SuiteError, parse_case

    if isinstance(answer_contains, str):
        answer_contains = [answer_contains]
    expect = {k: v for k, v in {"escalate": escalate, "min_empathy": min_empathy, "disclose_ai": disclose_ai,
                                "answer_contains": list(answer_contains) if answer_contains is not None else None,
                                "refuse": refuse, "no_pii_leak": no_pii_leak}.items() if v is not None}
    if isinstance(min_empathy, int) and not isinstance(min_empathy, bool):
        expect["min_empathy"] = float(min_empathy)
    try:
        case: Case = parse_case({"id": CASE_ID, "turns": [message], "expect": expect}, path="assert_reply")
    except SuiteError as exc:
        raise TypeError("assert_reply: " + "; ".join(f"{p.field}: {p.message}" for p in exc.problems)) from None
    reply = agent.respond(message, conversation_id=conversation_id, customer=customer)
    failures = check_reply(agent, case, reply, continuing=conversation_id is not None)
    if failures:
        raise AssertionError(describe_failures(message, reply, failures))
    return reply


def check_reply(agent: Any, case: Any, reply: Any, *, continuing: bool = False) -> list[tuple[str, str]]:
    """(expectation, reason) for each expectation of the one-turn ``case`` the reply misses."""
    from evals.runner import public_contacts
    from evals.scorers.base import BOT_STATEMENT, text_of
    from evals.scorers.conversation import ConversationEmpathyScorer
    from evals.scorers.disclosure import DisclosureScorer, asking_turns
    from evals.scorers.escalation import EscalationScorer
    from evals.scorers.grounding import GroundingScorer
    from evals.scorers.privacy import PrivacyScorer
    from evals.scorers.refusal import RefusalScorer

    expect, replies = case.expect, [reply]
    failures: list[tuple[str, str]] = []

    def check(key: str, result: Any) -> None:
        if not result.passed:
            failures.append((key, f"{result.reason} (score {result.value:g})" if key == "min_empathy"
                             else result.reason))

    if expect.escalate is not None:
        result = EscalationScorer().evaluate(case, replies)
        if not result.passed:  # a one-off message has no trigger label to name
            failures.append(("escalate", result.reason.replace(" (unspecified)", "")))
    if expect.min_empathy is not None:
        check("min_empathy", ConversationEmpathyScorer().evaluate(case, replies))
    if expect.disclose_ai:
        if not continuing:
            check("disclose_ai", DisclosureScorer().evaluate(case, replies))
        elif asking_turns(case) and not BOT_STATEMENT.search(text_of(reply)):
            failures.append(("disclose_ai", "the message asks about the bot and the reply does not say it is "
                                            "automated"))
    if expect.answer_contains:
        check("answer_contains", GroundingScorer().evaluate(case, replies))
    if expect.refuse is not None:
        check("refuse", RefusalScorer().evaluate(case, replies))
    if expect.no_pii_leak:
        check("no_pii_leak", PrivacyScorer(public_contacts(agent)).evaluate(case, replies))
    return failures


def describe_failures(message: str, reply: Any, failures: list[tuple[str, str]]) -> str:
    from evals.scorers.base import outcome_of, short, text_of

    lines = [f"assert_reply: {len(failures)} expectation(s) not met for {short(message, 100)!r}"]
    lines += [f"  - {key}: {reason}" for key, reason in failures]
    escalated = bool(getattr(reply, "escalated", False))
    how = f"outcome {outcome_of(reply) or 'unknown'}" + (
        f", escalated ({getattr(reply, 'escalation_reason', None) or 'no reason'})" if escalated else ", not escalated")
    lines.append(f"  reply ({how}): {short(text_of(reply), 400)!r}")
    return "\n".join(lines)


# -- fixtures -------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def tactful_agent_settings() -> Mapping[str, str]:
    """Extra TACTFUL_ settings for ``tactful_agent`` (override it in conftest.py); none by default."""
    return {}


@pytest.fixture(scope="session")
def tactful_agent(tmp_path_factory: pytest.TempPathFactory,
                  tactful_agent_settings: Mapping[str, str]) -> Iterator["Agent"]:
    """An Agent on the extractive provider with its data in a temporary folder, built once a session.

    Only the settings given here are read: not the developer's own environment or tactful.yaml.
    """
    from agent.assembly import build_agent
    from agent.config import load_config

    environ = {"TACTFUL_DATA_DIR": str(tmp_path_factory.mktemp("tactful")), "TACTFUL_LLM__PROVIDER": "extractive",
               **dict(tactful_agent_settings)}
    agent = build_agent(config=load_config(environ=environ))
    try:
        yield agent
    finally:
        agent.close()
