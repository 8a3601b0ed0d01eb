"""Escalation figures for ``tactful bench``: the mood reader and policy's cost per turn, and how well
explicit requests for a person are recognised on real customer utterances (NLU++, read at run time).

The multi-turn scenarios for the other triggers are an eval suite (``evals/suites/escalation.jsonl``),
scored by ``tactful eval run``.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from agent.customer import Customer
from agent.escalation import ConversationSoFar, EscalationPolicy
from agent.sentiment import VaderSentimentReader, follow

CONVERSATION = [
    "Hi, my order was meant to be delivered this morning",
    "It's now 3pm and it still hasn't come, where is it?",
    "Do you deliver on Sundays as well?",
    "This is really frustrating, I needed it for a party!!",
    "ok thanks, I'll wait then",
    "Actually can I just talk to someone at the shop?",
]


def escalation_speed(config, rounds: int = 400) -> dict[str, Any]:
    """Reading the mood (with its trend) and both policy steps for one turn, late in a conversation."""
    reader = VaderSentimentReader()
    policy = EscalationPolicy(config.escalation)
    customer = Customer(name="Sam", vip=False, order_value=80.0)
    times = []
    for i in range(rounds):
        message = CONVERSATION[i % len(CONVERSATION)]
        earlier = CONVERSATION[: i % len(CONVERSATION)]
        moods = [reader.read(m) for m in earlier]  # stored with each turn in real use: not timed
        history = ConversationSoFar(tuple(earlier), ("answered",) * len(earlier), tuple(moods))
        start = time.perf_counter()
        state = follow(reader.read(message), history.moods)
        decision = policy.on_message(message, state, history, wants_human=False, sensitive=None, customer=customer)
        if not decision.escalate:
            policy.on_retrieval(message, state, history, outcome="answerable", relevance=0.5)
        times.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": round(float(np.percentile(times, 50)), 3), "p95_ms": round(float(np.percentile(times, 95)), 3),
            "n": rounds}


def explicit_requests(config, shared: Path) -> dict[str, Any] | None:
    """NLU++'s ``handoff`` label against the decision the input rails, mood reader and policy make on the
    message alone. Hand-offs for other reasons (an angry threat, a refund still unpaid) are counted as
    false positives here and listed by reason."""
    from guardrails.pipeline import RailPipeline
    from guardrails.sensitive import CATEGORIES

    path = shared / "escalation_nlupp.jsonl"
    if not path.exists():
        return None
    rails = RailPipeline(config.guardrails.input, config.guardrails.output)
    reader = VaderSentimentReader()
    policy = EscalationPolicy(config.escalation)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    tp = fp = fn = 0
    other: Counter[str] = Counter()
    for row in rows:
        checked = rails.check_input(row["text"])
        sensitive = checked.flag(*CATEGORIES)
        decision = policy.on_message(checked.text, follow(reader.read(checked.text), []), ConversationSoFar(),
                                     wants_human=checked.flag("wants_human") is not None,
                                     sensitive=sensitive.category if sensitive else None)
        tp += decision.escalate and row["escalate"]
        fn += row["escalate"] and not decision.escalate
        if decision.escalate and not row["escalate"]:
            fp += 1
            other[decision.reason or "?"] += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "n": len(rows),
            "positives": tp + fn, "false_positives_by_reason": dict(other)}
