"""The escalation policy: each trigger with its reason, the cases that must not hand over, and the
explicit-request figures on real customer utterances (NLU++)."""

from __future__ import annotations

import json

import pytest

from agent.config import EscalationConfig, TactfulConfig
from agent.customer import Customer
from agent.escalation import ConversationSoFar, EscalationPolicy, repeat_count
from agent.sentiment import VaderSentimentReader, follow
from guardrails.pipeline import RailPipeline
from guardrails.sensitive import CATEGORIES
from tests.conftest import shared_data


@pytest.fixture(scope="module")
def reader() -> VaderSentimentReader:
    return VaderSentimentReader()


@pytest.fixture(scope="module")
def rails() -> RailPipeline:
    config = TactfulConfig()
    return RailPipeline(config.guardrails.input, config.guardrails.output, None)


def decide(rails, reader, messages, *, customer=None, config=None):
    """Run the policy over a conversation's customer messages, as the turn does; the first hand-off wins."""
    policy = EscalationPolicy(config or EscalationConfig())
    history: list[str] = []
    moods = []
    for message in messages:
        checked = rails.check_input(message)
        state = follow(reader.read(checked.text), moods)
        sensitive = checked.flag(*CATEGORIES)
        decision = policy.on_message(checked.text, state, ConversationSoFar(history, (), tuple(moods)),
                                     wants_human=checked.flag("wants_human") is not None,
                                     sensitive=sensitive.category if sensitive else None, customer=customer)
        if decision.escalate:
            return decision
        history.append(checked.text)
        moods.append(state)
    return decision


@pytest.mark.parametrize("messages, reason", [
    (["Can I speak to a real person please?"], "customer_request"),
    (["I'd rather talk to someone at the shop"], "customer_request"),
    (["get me your manager on the line"], "customer_request"),
    (["I don't feel comfortable sharing my details with a machine"], "customer_request"),
    (["This is ridiculous, the third time I've asked about my refund!"], "frustration"),
    (["Your service is a joke. I'll be leaving a one-star review."], "frustration"),
    (["WHERE IS MY ORDER I PAID FOR IT TWO DAYS AGO"], "frustration"),
    (["My loaf was a bit stale", "I'm quite annoyed about it to be honest", "I'm getting really fed up now"],
     "rising_frustration"),
    (["Where is my order?", "where is my order??"], "loop"),
    (["How do I change the date of my cake order?", "I asked how to change the date of my cake order"], "loop"),
    (["I found a piece of glass in my bread"], "sensitive:safety"),
    (["My lawyer will be in touch about this"], "sensitive:legal"),
])
def test_each_trigger_hands_over_with_its_reason(rails, reader, messages, reason):
    decision = decide(rails, reader, messages)
    assert decision.escalate and decision.reason == reason, decision


@pytest.mark.parametrize("messages", [
    ["What time do you open on Sunday?"],
    ["Ugh, the weather is awful today. Are you open?"],
    ["ugh, mondays", "do you have croissants?"],
    ["Do you deliver?", "and on Sundays?"],
    ["Do you deliver to SE22?", "Do you make wedding cakes?", "Can I pay by card?"],
    ["Bit annoying that you're closed on Mondays. What are your hours?"],
    ["I'm worried my cake won't be ready in time, when can I collect it?"],
    ["I need someone to clean my room"],
    ["Table for just one person please"],
    ["Thanks, that's great"],
])
def test_routine_questions_and_mild_feelings_stay_with_the_assistant(rails, reader, messages):
    decision = decide(rails, reader, messages)
    assert not decision.escalate, decision


def test_a_vip_with_a_problem_goes_to_a_person_and_a_vip_question_does_not(rails, reader):
    vip = Customer(name="Ann", vip=True)
    assert decide(rails, reader, ["The bread in my order was mouldy"], customer=vip).reason == "vip"
    assert not decide(rails, reader, ["What time do you close on Saturday?"], customer=vip).escalate


def test_a_problem_with_a_large_order_goes_to_a_person(rails, reader):
    big, small = Customer(order_value=420.0), Customer(order_value=12.0)
    message = ["The wedding cake order is missing the top tier"]
    assert decide(rails, reader, message, customer=big).reason == "order_value"
    assert not decide(rails, reader, message, customer=small).escalate


def test_a_switched_off_trigger_does_not_fire(rails, reader):
    config = EscalationConfig(triggers=["customer_request"])
    assert not decide(rails, reader, ["This is ridiculous, the third time I've asked!"], config=config).escalate
    assert decide(rails, reader, ["can I talk to a human"], config=config).escalate


def test_crisis_is_urgent_and_a_request_from_an_upset_customer_is_high_priority(rails, reader):
    assert decide(rails, reader, ["I just want to end it all"]).priority == "urgent"
    assert decide(rails, reader, ["This is useless, I want a person"]).priority == "high"
    assert decide(rails, reader, ["can I talk to a person?"]).priority == "normal"


def test_after_retrieval_repeated_failures_and_unanswerable_high_stakes_questions_hand_over(reader):
    policy = EscalationPolicy(EscalationConfig())
    calm = reader.read("Do you sell car insurance?")
    first = policy.on_retrieval("Do you sell car insurance?", calm, ConversationSoFar(), outcome="unknown",
                                relevance=0.1)
    assert not first.escalate
    second = policy.on_retrieval("Can you fix my laptop?", calm, ConversationSoFar(("x",), ("unknown",)),
                                 outcome="unknown", relevance=0.1)
    assert second.reason == "repeated_failure"
    unsure = policy.on_retrieval("Can I get a refund on a chargeback?", calm, ConversationSoFar(),
                                 outcome="answerable", relevance=0.38)
    assert unsure.reason == "high_stakes:refund" and not unsure.answer_first
    own_case = policy.on_retrieval("I was charged twice on my card", calm, ConversationSoFar(),
                                   outcome="answerable", relevance=0.7)
    assert own_case.escalate and own_case.answer_first  # the policy is quoted, then a person acts on it
    policy_question = policy.on_retrieval("What is your refund policy?", calm, ConversationSoFar(),
                                          outcome="answerable", relevance=0.6)
    assert not policy_question.escalate


@pytest.mark.parametrize("message, earlier, count", [
    ("where is my order??", ["Where is my order?"], 2),
    ("I'm asking AGAIN where is my order", ["where is my order", "WHERE IS MY ORDER"], 3),
    ("and on Sunday?", ["When do you open?"], 1),
    ("Do you make wedding cakes?", ["Do you deliver to SE22?"], 1),
])
def test_repeat_count_matches_the_same_need(message, earlier, count):
    assert repeat_count(message, earlier) == count


def test_explicit_requests_for_a_person_in_nlupp_are_recognised(rails, reader):
    """NLU++ (real banking and hotel utterances): F1 of the hand-off decision on its `handoff` label.

    The policy also hands over for reasons NLU++ does not label (an angry threat to leave, a refund
    still not paid); those count against precision here, so this is a floor, not the whole story.
    """
    path = shared_data("escalation_nlupp.jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    tp = fp = fn = 0
    for row in rows:
        got = decide(rails, reader, [row["text"]]).escalate
        tp += got and row["escalate"]
        fp += got and not row["escalate"]
        fn += row["escalate"] and not got
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.90, f"precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f}"
