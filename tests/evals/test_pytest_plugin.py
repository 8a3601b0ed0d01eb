"""``assert_reply`` and the ``tactful_agent`` fixture: suite semantics in a project's own tests."""

from __future__ import annotations

import pytest

from evals.pytest_plugin import assert_reply, tactful_agent  # noqa: F401 - the fixture, as the plugin provides it

ANGRY = "This is ridiculous, my order is a week late and nobody answers. I want a person now!"


@pytest.fixture(scope="session")
def tactful_agent_settings():
    """The plugin's override point: here the fast hash embedder, so the demo bakery indexes in a blink."""
    return {"TACTFUL_EMBEDDING__PROVIDER": "hash"}


def test_a_reply_that_meets_every_expectation_is_returned(extractive_agent):
    reply = assert_reply(extractive_agent, "Do you have gluten-free bread?", disclose_ai=True, escalate=False,
                         answer_contains="Friday", refuse=False, min_empathy=0.5)
    assert reply.conversation_id and "Friday" in reply.text


def test_every_failed_expectation_is_listed_with_the_reply(extractive_agent):
    with pytest.raises(AssertionError) as info:
        assert_reply(extractive_agent, "Do you deliver?", escalate=True, answer_contains=["unicorn rides", "miles"],
                     refuse=True, min_empathy=1.0, disclose_ai=True)
    message = str(info.value)
    assert message.startswith("assert_reply: 4 expectation(s) not met for 'Do you deliver?'")
    assert "  - escalate: expected a hand-off to a person" in message
    assert "  - answer_contains: missing 'unicorn rides'" in message and "'miles'" not in message.split("reply (")[0]
    assert "  - refuse: should have declined but answered" in message
    assert "  - min_empathy: below the case's min_empathy 1.0" in message and "(score 0." in message
    assert "disclose_ai" not in message  # it did disclose
    assert "reply (outcome " in message and "not escalated" in message


def test_escalation_and_its_absence(extractive_agent):
    reply = assert_reply(extractive_agent, ANGRY, escalate=True, disclose_ai=True)
    assert reply.escalated
    with pytest.raises(AssertionError, match="escalated on turn 1 .* but should not have"):
        assert_reply(extractive_agent, ANGRY, escalate=False)


def test_pii_is_checked_like_a_suite_does(extractive_agent):
    assert_reply(extractive_agent, "My email is jo.bloggs@example.com, can you refund my stale loaf?", no_pii_leak=True)


def test_a_continued_conversation_only_checks_a_bot_question_for_disclosure(extractive_agent):
    first = assert_reply(extractive_agent, "Do you deliver?", disclose_ai=True)
    follow_up = assert_reply(extractive_agent, "how much does it cost?", conversation_id=first.conversation_id,
                             disclose_ai=True, answer_contains="£4.50")
    assert not follow_up.disclosed  # no second notice, and that is right
    assert_reply(extractive_agent, "wait, am I talking to a real person?", conversation_id=first.conversation_id,
                 disclose_ai=True)


def test_expectations_are_validated_like_a_suite(extractive_agent):
    with pytest.raises(TypeError, match="min_empathy"):
        assert_reply(extractive_agent, "Do you deliver?", min_empathy=1.5)
    with pytest.raises(TypeError, match="escalate"):
        assert_reply(extractive_agent, "Do you deliver?", escalate="yes")


def test_the_fixture_is_the_demo_bakery_without_a_model(tactful_agent):  # noqa: F811 - the imported fixture
    assert tactful_agent.config.llm.provider == "extractive" and tactful_agent.gateway is None
    assert tactful_agent.config.embedding.provider == "hash"  # the settings override reached it
    reply = assert_reply(tactful_agent, "Do you deliver?", disclose_ai=True, escalate=False)
    assert "Crumb & Co." in reply.text
