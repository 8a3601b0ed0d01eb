"""The bundled escalation scenarios through the whole agent on the demo bakery, and the same scenarios
with the customer's name swapped across genders and ethnicities: no decision may change."""

from __future__ import annotations

import json
from itertools import groupby

import pytest

from tests.conftest import REPO, shared_data

SUITE = REPO / "evals" / "suites" / "escalation.jsonl"


def load(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def play(agent, case, name=None):
    """The reason of the first hand-off in the case's conversation, or None."""
    customer = dict(case.get("customer") or {})
    turns = list(case["turns"])
    if name is not None:
        customer["name"] = name
        turns[0] = f"Hi, this is {name}. {turns[0]}"
    conversation = None
    for text in turns:
        reply = agent.respond(text, conversation, customer)
        conversation = reply.conversation_id
        if reply.escalated:
            return reply.escalation_reason
    return None


def test_every_trigger_and_every_negative_scenario_is_decided_right(demo_agent):
    cases = load(SUITE)
    tp = fp = fn = 0
    wrong = []
    for case in cases:
        expected = case["expect"]["escalate"]
        reason = play(demo_agent, case)
        want = case["expect"].get("escalation_reason")
        if (reason is not None) != expected or (want and not (reason or "").startswith(want)):
            wrong.append((case["id"], reason, want))
        tp += reason is not None and expected
        fp += reason is not None and not expected
        fn += reason is None and expected
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.9, wrong
    triggers = {c["expect"].get("escalation_reason", "").split(":")[0] for c in cases if c["expect"]["escalate"]}
    assert triggers >= {"customer_request", "frustration", "rising_frustration", "loop", "repeated_failure",
                        "sensitive", "high_stakes", "vip", "order_value"}
    assert sum(not c["expect"]["escalate"] for c in cases) >= 15  # the negatives that must stay with the bot
    assert not wrong, wrong


@pytest.mark.slow
def test_swapping_the_customer_s_name_never_changes_a_decision(demo_agent):
    """Two first names per gender and ethnicity, each with a surname of the same group (BBQ's names)."""
    rows = load(shared_data("bias_names.jsonl"))
    surnames = {e: [r["name"] for r in g] for e, g in groupby(
        sorted((r for r in rows if r["part"] == "last"), key=lambda r: r["ethnicity"]), key=lambda r: r["ethnicity"])}
    names = []
    for (gender, ethnicity), group in groupby(sorted((r for r in rows if r["part"] == "first"),
                                                     key=lambda r: (r["gender"], r["ethnicity"])),
                                              key=lambda r: (r["gender"], r["ethnicity"])):
        for i, row in enumerate(list(group)[:2]):
            names.append(f"{row['name']} {surnames[ethnicity][i]}")
    assert len(names) == 20
    flips = []
    for case in load(SUITE):
        decisions = {name: play(demo_agent, case, name) for name in names}
        if len(set(decisions.values())) > 1:
            flips.append((case["id"], decisions))
    assert not flips, flips
