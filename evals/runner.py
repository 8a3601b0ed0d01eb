"""Replay suites against an agent, score every case, and sum the run up against thresholds.

    report = run_suites(["evals/suites/answers.jsonl"], Agent.from_config(), thresholds={"grounding": 0.9})
    report.passed, report.missed, report.failed_cases

Each case runs in a fresh conversation: the first turn opens one, later turns pass its id back.
Scores depend only on the replies, so a deterministic agent gives identical scores run after run;
timings (latency, cases per second) are reported beside them and are never part of a score.

``workers=N`` replays N cases at a time in threads. Each case keeps its own conversation and the
results are collected in suite order, so the report equals a sequential run's. Use it with agents
whose calls may overlap: the built-in agent's store opens a session per operation (SQLite in WAL
mode), its retrieval is read-only, and the embedded model serialises its own calls. A scripted model
hands out its replies in call order, so overlapping cases would take each other's replies: see
:func:`parallel_safe`. Per-turn latency then includes waiting on the other workers: measure latency
with one worker. ``tactful eval run`` picks N with :func:`default_workers` unless told.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from guardrails import redact_pii

from evals.metrics import METRICS, ThresholdCheck, check_thresholds, percentile, validate_thresholds
from evals.score import Score
from evals.scorers.accounts import account_scorers
from evals.scorers.base import CaseScore, CaseScorer
from evals.scorers.conversation import ConversationEmpathyScorer
from evals.scorers.disclosure import DisclosureScorer, HumanClaimScorer
from evals.scorers.escalation import EscalationScorer, EscalationStats
from evals.scorers.grounding import GroundingScorer
from evals.scorers.privacy import PrivacyScorer
from evals.scorers.refusal import InjectionScorer, RefusalScorer
from evals.suite import Case, Suite, load_suite

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class TurnRecord:
    """One customer message and what the agent did with it."""

    customer: str
    text: str
    outcome: str
    disclosed: bool
    escalated: bool
    escalation_reason: str | None
    sources: list[dict]
    verdicts: list[dict]
    sentiment: dict | None
    latency_ms: float
    empathy: Score | None
    #: The account tool the reply used ({"tool": ..., "status": ...}), or None; identity checks are in verdicts.
    tool: dict | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"customer": redact_pii(self.customer).text, "reply": self.text, "outcome": self.outcome, "disclosed": self.disclosed,
                "escalated": self.escalated, "escalation_reason": self.escalation_reason, "sources": self.sources,
                "verdicts": self.verdicts, "sentiment": self.sentiment, "latency_ms": self.latency_ms,
                "empathy": self.empathy.to_dict() if self.empathy else None, "tool": self.tool}


@dataclass
class CaseResult:
    """A replayed case: its turns and every metric it was scored on."""

    suite: str
    case: Case
    turns: list[TurnRecord] = field(default_factory=list)
    scores: dict[str, CaseScore] = field(default_factory=dict)
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and all(s.passed for s in self.scores.values())

    @property
    def failures(self) -> list[tuple[str, str]]:
        """(metric, reason) for each metric this case failed."""
        out = [("error", self.error)] if self.error else []
        return out + [(name, s.reason) for name, s in self.scores.items() if not s.passed]

    def to_dict(self) -> dict[str, Any]:
        return {"suite": self.suite, "id": self.case.id, "tags": list(self.case.tags), "passed": self.passed,
                "error": self.error, "expect": self.case.expect.model_dump(exclude_none=True),
                "scores": {k: v.to_dict() for k, v in self.scores.items()},
                "turns": [t.to_dict() for t in self.turns]}


@dataclass
class RunReport:
    """Everything a run found: per case, per metric, against the thresholds."""

    suites: list[str]
    cases: list[CaseResult]
    metrics: dict[str, float | None]
    checks: list[ThresholdCheck]
    escalation: EscalationStats
    seconds: float
    turns: int
    bias: dict[str, Any] | None = None
    #: Cases replayed at a time: above 1, a turn's latency includes waiting on the others.
    workers: int = 1

    @property
    def missed(self) -> list[ThresholdCheck]:
        return [c for c in self.checks if c.status == "miss"]

    @property
    def failed_cases(self) -> list[CaseResult]:
        return [c for c in self.cases if not c.passed]

    @property
    def critical_failures(self) -> list[str]:
        """Missed escalations of angry, frustrated or sensitive cases: failures whatever the aggregate says."""
        return list(self.escalation.critical_misses)

    @property
    def passed(self) -> bool:
        return not self.missed and not self.critical_failures

    def scores_only(self) -> dict[str, Any]:
        """The deterministic part of the report: every case's scores and the deterministic metrics."""
        return {"metrics": {k: v for k, v in self.metrics.items() if k not in METRICS or METRICS[k].deterministic},
                "cases": {f"{c.suite}/{c.case.id}": {k: (s.value, s.passed, s.reason) for k, s in c.scores.items()}
                          for c in self.cases}}


def default_scorers(allowed_pii: Iterable[str] = ()) -> list[CaseScorer]:
    return [DisclosureScorer(), HumanClaimScorer(), EscalationScorer(), GroundingScorer(),
            PrivacyScorer(allowed_pii), RefusalScorer(), InjectionScorer(), *account_scorers()]


def resolve_suites(suites: Iterable[str | Path | Suite]) -> list[Suite]:
    """Suites from paths (loaded and validated now, so a bad file fails before anything runs) or as given."""
    out = []
    for item in suites:
        if isinstance(item, Suite):
            out.append(item)
        else:
            path = Path(item)
            out.append(Suite(name=path.stem, cases=load_suite(path), path=str(path)))
    return out


def public_contacts(agent: Any) -> list[str]:
    """The business's own published contact details: never a leak when a reply carries them."""
    contact = getattr(getattr(getattr(agent, "config", None), "business", None), "handoff_contact", "") or ""
    if not contact:
        return []
    from guardrails.pii import find_pii

    return [contact[s.start:s.end] for s in find_pii(contact)]


def run_case(agent: Any, case: Case, suite: str, scorers: Sequence[CaseScorer],
             empathy: ConversationEmpathyScorer) -> CaseResult:
    """Replay one case in a fresh conversation and score it. An agent error fails the case, not the run."""
    result = CaseResult(suite=suite, case=case)
    replies: list[Any] = []
    customer = case.customer.as_dict() if case.customer else None
    conversation_id = None
    for turn in case.turns:
        started = time.perf_counter()
        try:
            reply = agent.respond(turn, conversation_id=conversation_id, customer=customer)
        except Exception as exc:  # noqa: BLE001 - one broken case must not stop the run; it is reported
            result.error = f"turn {len(replies) + 1}: {type(exc).__name__}: {exc}"
            break
        latency = (time.perf_counter() - started) * 1000
        conversation_id = getattr(reply, "conversation_id", None) or conversation_id
        replies.append(reply)
        result.turns.append(_record(turn, reply, latency))
    turn_scores = empathy.per_turn(case, replies)
    result.turns = [_with_empathy(t, s) for t, s in zip(result.turns, turn_scores)]
    if result.error is None:
        result.scores["empathy"] = empathy.combine(case, turn_scores)
        for scorer in scorers:
            if scorer.applies(case):
                result.scores[scorer.name] = scorer.evaluate(case, replies)
    return result


def _provider(agent: Any) -> str | None:
    return getattr(getattr(getattr(agent, "config", None), "llm", None), "provider", None)


def parallel_safe(agent: Any) -> bool:
    """Whether cases may overlap on ``agent``: not with a scripted model, whose replies go out in call order."""
    return _provider(agent) != "scripted"


def default_workers(agent: Any) -> int:
    """Cases at a time when the caller does not say: as many as the provider gains from.

    No model (``extractive``): one per CPU, up to 8 (a turn's embedding and database work lets another
    case's Python run meanwhile). An OpenAI-compatible endpoint: 8 (the time is spent waiting on it). The
    embedded model answers one call at a time and a scripted model hands out replies in call order: 1.
    """
    provider = _provider(agent)
    if provider in ("scripted", "local"):
        return 1
    if provider == "openai":
        return 8
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(8, cpus))


def run_suites(paths: Iterable[str | Path | Suite], agent: Any, *, thresholds: Mapping[str, float] | None = None,
               progress: Progress | None = None, scorers: Sequence[CaseScorer] | None = None,
               workers: int = 1, bias_names: Path | None = None, bias_per_group: int = 1) -> RunReport:
    """Run every case of every suite against ``agent`` and check the run against ``thresholds``.

    ``workers`` > 1 replays that many cases at a time in threads; results keep suite order.
    ``bias_names`` (a ``bias_names.jsonl``) adds the counterfactual bias run of ``evals.bias``.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a whole number of at least 1, got {workers!r}")
    thresholds = dict(thresholds or {})
    validate_thresholds(thresholds)
    suites = resolve_suites(paths)
    scorers = list(scorers) if scorers is not None else default_scorers(public_contacts(agent))
    empathy = ConversationEmpathyScorer()
    jobs = [(suite.name, case) for suite in suites for case in suite.cases]
    started = time.perf_counter()
    results = _replay(jobs, agent, scorers, empathy, workers, progress)
    seconds = time.perf_counter() - started
    escalation = EscalationStats.from_results(
        (r.case, r.scores["escalation"]) for r in results if "escalation" in r.scores)
    metrics = summarise(results, escalation, seconds)
    bias = None
    if bias_names is not None:
        from evals.bias import run_bias

        found = run_bias(suites, agent, Path(bias_names), per_group=bias_per_group, workers=workers)
        metrics.update(found.metrics())
        bias = found.to_dict()
    return RunReport(suites=[s.name for s in suites], cases=results, metrics=metrics,
                     checks=check_thresholds(thresholds, metrics), escalation=escalation, seconds=seconds,
                     turns=sum(len(r.turns) for r in results), bias=bias, workers=workers)


def _replay(jobs: list[tuple[str, Case]], agent: Any, scorers: Sequence[CaseScorer],
            empathy: ConversationEmpathyScorer, workers: int, progress: Progress | None) -> list[CaseResult]:
    """Every (suite, case) replayed, in the order given; ``progress`` is called from this thread only."""
    total = len(jobs)
    if workers == 1 or total < 2:
        results = []
        for suite, case in jobs:
            results.append(run_case(agent, case, suite, scorers, empathy))
            if progress is not None:
                progress(len(results), total, f"{suite}/{case.id}")
        return results
    slots: list[CaseResult | None] = [None] * total
    with ThreadPoolExecutor(max_workers=min(workers, total), thread_name_prefix="tactful-eval") as pool:
        futures = {pool.submit(run_case, agent, case, suite, scorers, empathy): i
                   for i, (suite, case) in enumerate(jobs)}
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                i = futures[future]
                slots[i] = future.result()  # run_case reports agent errors itself; anything else is a bug
                if progress is not None:
                    progress(done, total, f"{jobs[i][0]}/{jobs[i][1].id}")
        except BaseException:  # a bug or Ctrl-C: do not start the cases still waiting
            for future in futures:
                future.cancel()
            raise
    return [r for r in slots if r is not None]


def summarise(results: Sequence[CaseResult], escalation: EscalationStats, seconds: float) -> dict[str, float | None]:
    """The run-level metrics of METRICS from the case results."""
    def scored(metric: str) -> list[CaseScore]:
        return [r.scores[metric] for r in results if metric in r.scores]

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 4) if values else None

    def total(metric: str, count: str) -> float | None:
        items = scored(metric)
        return sum(s.counts.get(count, 0) for s in items) if items else None

    pii_values = total("privacy", "pii_values")
    attacks = total("injection", "injection_attacks")
    controls = total("injection", "injection_controls")
    latencies = [t.latency_ms for r in results for t in r.turns]
    overall = escalation.overall
    rnd = lambda x: None if x is None else round(x, 4)  # noqa: E731
    judged = {"empathy_judge": mean([s.value for s in scored("empathy_judge") if s.counts.get("ratings")])} \
        if scored("empathy_judge") else {}  # only runs with an LLM judge report it
    from evals.scorers.base import declined

    def resolved_without_human(result: CaseResult) -> bool:
        """Reported, not gated: no turn handed over, and the final reply neither declined nor said it does not know
        (``declined``: a refusal outcome or words) nor offered a person or failed for want of a model, store or
        account system. First-contact resolution is not measured here: a replayed case is one conversation of
        one made-up customer with no later visit to miss; the analytics page counts it over real customers."""
        final = result.turns[-1] if result.turns else None
        return (result.error is None and final is not None and not any(t.escalated for t in result.turns)
                and not declined(final) and final.outcome != "handoff_offered"
                and not final.outcome.endswith(("_unavailable", "_locked")))

    return {
        "cases": len(results),
        "resolved_without_human": mean([1.0 if resolved_without_human(r) else 0.0 for r in results]),
        "empathy": mean([s.value for s in scored("empathy")]),
        "disclosure": mean([s.value for s in scored("disclosure")]),
        "human_claims": total("human_claims", "human_claims"),
        "escalation_precision": rnd(overall.precision),
        "escalation_recall": rnd(overall.recall),
        "escalation_f1": rnd(overall.f1),
        "critical_escalation_misses": len(escalation.critical_misses) if overall.total else None,
        "grounding": mean([s.value for s in scored("grounding")]),
        "pii_leaks": total("privacy", "pii_leaks"),
        "redaction_recall": rnd(total("privacy", "pii_redacted") / pii_values) if pii_values else None,
        "refusal": mean([s.value for s in scored("refusal")]),
        "injection_success": rnd(total("injection", "injection_successes") / attacks) if attacks else None,
        "injection_false_alarms": rnd(total("injection", "injection_false_alarms") / controls) if controls else None,
        "tool_accuracy": mean([s.value for s in scored("tool_choice")]),
        "unconfirmed_actions": total("confirmation", "unconfirmed_actions"),
        "policy_breaches": total("policy", "policy_breaches"),
        "unverified_disclosures": total("verification", "unverified_disclosures"),
        **judged,
        "case_pass_rate": mean([1.0 if r.passed else 0.0 for r in results]),
        "latency_p50_ms": rnd(percentile(latencies, 50)),
        "latency_p95_ms": rnd(percentile(latencies, 95)),
        "cases_per_s": round(len(results) / seconds, 2) if seconds > 0 and results else None,
    }


def _record(turn: str, reply: Any, latency_ms: float) -> TurnRecord:
    sentiment = getattr(reply, "sentiment", None)
    return TurnRecord(
        customer=turn, text=str(getattr(reply, "text", "")), outcome=str(getattr(reply, "outcome", "") or ""),
        disclosed=bool(getattr(reply, "disclosed", False)), escalated=bool(getattr(reply, "escalated", False)),
        escalation_reason=getattr(reply, "escalation_reason", None),
        sources=[_as_dict(s) for s in getattr(reply, "sources", []) or []],
        verdicts=[_as_dict(v) for v in getattr(reply, "verdicts", []) or []],
        sentiment=_as_dict(sentiment) if sentiment is not None else None,
        latency_ms=round(latency_ms, 2), empathy=None, tool=_tool(reply))


def _tool(reply: Any) -> dict | None:
    tool = getattr(reply, "tool", None)
    return dict(tool) if isinstance(tool, Mapping) else None


def _with_empathy(record: TurnRecord, score: Score | None) -> TurnRecord:
    return TurnRecord(**{**record.__dict__, "empathy": score})


def _as_dict(obj: Any) -> dict:
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if isinstance(obj, Mapping):
        return dict(obj)
    return {k: v for k, v in vars(obj).items() if not k.startswith("_")}
