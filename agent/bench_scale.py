"""``tactful bench load`` and ``tactful bench turn``: how Tactful's own code scales.

- ``load``: real ``tactful serve`` processes (one worker, then several) on loopback, driven through the
  REST API at 1, 10 and 100 concurrent conversations, on the configured store (SQLite by default, or
  PostgreSQL) and index (embedded Chroma, or a Chroma server); turns/s, p50/p95/p99, memory per worker,
  and an audit run showing that no message was lost or duplicated.
- ``turn``: one process, no HTTP: the time of a whole turn, and of retrieval alone, as the knowledge
  base grows (demo documents plus 1k, 10k, 100k synthetic chunks).

The model is never called: the ``extractive`` provider answers from the passages, so the figures
measure Tactful (rails, retrieval, store, mood, escalation, HTTP), not a model.
"""

from __future__ import annotations

import json
import platform
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console

from agent.bench import percentile
from agent.bench_load import LoadPlan, run_load
from agent.bench_serve import start_server
from agent.config import TactfulConfig


def _server_env(data_dir: Path, store_url: str | None, chroma: tuple[str, int] | None) -> dict[str, str]:
    # Rate limits off: the load generator is one client address standing for many customers.
    env = {"TACTFUL_DATA_DIR": str(data_dir), "TACTFUL_LLM__PROVIDER": "extractive",
           "TACTFUL_SERVER__RATE_LIMIT_CLIENT_PER_MINUTE": "0", "TACTFUL_SERVER__RATE_LIMIT_CONVERSATION_PER_MINUTE": "0"}
    if store_url:
        env["TACTFUL_STORE__URL"] = store_url
    if chroma:
        env["TACTFUL_KNOWLEDGE__CHROMA_HOST"], env["TACTFUL_KNOWLEDGE__CHROMA_PORT"] = chroma[0], str(chroma[1])
    return env


def bench_load(*, workers: list[int], concurrency: list[int], messages: int, store_url: str | None,
               chroma: tuple[str, int] | None, audit_messages: int, audit_conversations: int, audit_workers: int,
               max_seconds: float, console: Console) -> dict[str, Any]:
    """Throughput and latency per (workers, concurrency), then the lost/duplicated audit run."""
    workdir = Path(tempfile.mkdtemp(prefix="tactful-load-"))
    results: dict[str, Any] = {"store": _backend(store_url), "index": f"chroma server {chroma[0]}:{chroma[1]}"
                               if chroma else "embedded chroma", "runs": []}
    try:
        env = _server_env(workdir / "data", store_url, chroma)
        for count in workers:
            console.print(f"[bold]load[/]: starting {count} worker(s)")
            served = start_server(env, workers=count, log_dir=workdir)
            try:
                idle = served.worker_rss_mb()
                for level in concurrency:
                    conversations = max(level, messages // 10)
                    per = max(1, messages // conversations)
                    plan = LoadPlan(served.base_url, conversations=conversations, messages_per_conversation=per,
                                    concurrency=level, max_seconds=max_seconds)
                    run_load(LoadPlan(served.base_url, conversations=2, messages_per_conversation=3,
                                      concurrency=2))  # warm-up: first requests load lazily
                    result = run_load(plan)
                    row = {"workers": count, "concurrency": level, **result.to_dict(),
                           "rss_mb_idle": idle, "rss_mb_after": served.worker_rss_mb()}
                    results["runs"].append(row)
                    console.print(f"  {count} worker(s), {level:>3} concurrent: {result.turns_per_s:6.1f} turns/s, "
                                  f"p50 {result.p50_ms:.0f} ms, p95 {result.p95_ms:.0f} ms, "
                                  f"lost {result.lost}, duplicated {result.duplicated}")
            finally:
                served.stop()
        if audit_messages:
            console.print(f"[bold]audit[/]: {audit_messages:,} messages over {audit_conversations} conversations, "
                          f"{audit_workers} workers")
            served = start_server(env, workers=audit_workers, log_dir=workdir)
            try:
                per = max(1, audit_messages // audit_conversations)
                result = run_load(LoadPlan(served.base_url, conversations=audit_conversations,
                                           messages_per_conversation=per, concurrency=audit_conversations,
                                           max_seconds=max_seconds))
                results["audit"] = {"workers": audit_workers, "conversations": audit_conversations,
                                    **result.to_dict(), "rss_mb": served.worker_rss_mb()}
                console.print(f"  sent {result.sent}, answered {result.answered}, stored {result.stored}, "
                              f"lost {result.lost}, duplicated {result.duplicated}, failed {result.failed}")
            finally:
                served.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return results


def bench_turn(config: TactfulConfig, *, sizes: list[int], turns: int, console: Console) -> dict[str, Any]:
    """Per-turn time in one process (no HTTP, no model) over the demo documents plus ``size`` synthetic chunks."""
    from agent.assembly import build_agent, build_embedder
    from agent.bench_load import QUESTIONS
    from agent.config import load_config

    embedder = build_embedder(config)
    rows = []
    for size in sizes:
        workdir = Path(tempfile.mkdtemp(prefix="tactful-turn-"))
        try:
            env = {"TACTFUL_DATA_DIR": str(workdir), "TACTFUL_LLM__PROVIDER": "extractive"}
            agent = build_agent(config=load_config(environ=env), embedder=embedder)
            started = time.perf_counter()
            _add_synthetic(agent.knowledge, size, embedder)
            build_s = time.perf_counter() - started
            console.print(f"[bold]turn[/]: {size:,} synthetic chunks ({agent.knowledge.count():,} in all)")
            # Every question new to the embedder, at every size: its vector is part of a turn's cost.
            questions = [f"{QUESTIONS[i % len(QUESTIONS)]} ({size}.{i})" for i in range(turns)]
            agent.respond(questions[0])  # warm-up
            turn_ms, search_ms = [], []
            conversation = None
            for i, question in enumerate(questions):
                if i % 5 == 0:
                    conversation = None  # five messages per conversation
                start = time.perf_counter()
                conversation = agent.respond(question, conversation).conversation_id
                turn_ms.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                agent.knowledge.search(question, k=agent.config.knowledge.top_k)
                search_ms.append((time.perf_counter() - start) * 1000)
            agent.close()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        rows.append({"synthetic_chunks": size, "build_seconds": round(build_s, 1), "turns": turns,
                     "turn_p50_ms": round(percentile(turn_ms, 50), 2), "turn_p95_ms": round(percentile(turn_ms, 95), 2),
                     "turn_p99_ms": round(percentile(turn_ms, 99), 2),
                     "retrieval_p50_ms": round(percentile(search_ms, 50), 2),
                     "retrieval_p95_ms": round(percentile(search_ms, 95), 2)})
        console.print(f"  turn p50 {rows[-1]['turn_p50_ms']} ms, p95 {rows[-1]['turn_p95_ms']} ms; "
                      f"retrieval p95 {rows[-1]['retrieval_p95_ms']} ms")
    return {"rows": rows}


def _add_synthetic(knowledge: Any, size: int, embedder: Any) -> None:
    """``size`` chunks of random unit vectors and shuffled demo words: real index work, unrelated content."""
    from knowledge.documents import Chunk

    if size <= 0:
        return
    rng = np.random.default_rng(11)
    words = np.asarray(sorted({w for c in knowledge.vectors.all_chunks() for w in c.text.lower().split()
                               if w.isalpha()}))
    for offset in range(0, size, 5000):
        n = min(5000, size - offset)
        vectors = rng.standard_normal((n, embedder.dimension)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        chunks = [Chunk(chunk_id=f"syn-{i // 10}::{i % 10:04d}", doc_id=f"syn-{i // 10}", title=f"Synthetic {i // 10}",
                        heading="", text=" ".join(rng.choice(words, size=60))) for i in range(offset, offset + n)]
        knowledge.add_prepared(chunks, vectors)


def _backend(url: str | None) -> str:
    if not url:
        return "sqlite (one file)"
    return url.split(":", 1)[0].split("+", 1)[0]


def write_results(results: dict[str, Any], output: Path, name: str) -> Path:
    output.mkdir(parents=True, exist_ok=True)
    results = {"machine": {"python": platform.python_version(), "platform": platform.platform()}, **results}
    (output / f"{name}.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    (output / f"{name}.md").write_text(markdown(results), encoding="utf-8")
    return output / f"{name}.md"


def markdown(results: dict[str, Any]) -> str:
    lines = []
    if results.get("runs"):
        lines += [f"Store: {results['store']}; index: {results['index']}.", "",
                  "| workers | concurrent | turns/s | p50 ms | p95 ms | p99 ms | sent | lost | duplicated | failed "
                  "| RSS per worker MB |", "|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in results["runs"]:
            lines.append(f"| {r['workers']} | {r['concurrency']} | {r['turns_per_s']} | {r['p50_ms']} | {r['p95_ms']} "
                         f"| {r['p99_ms']} | {r['sent']} | {r['lost']} | {r['duplicated']} | {r['failed']} "
                         f"| {', '.join(str(x) for x in r['rss_mb_after'])} |")
    if results.get("audit"):
        a = results["audit"]
        lines += ["", f"Audit: {a['sent']} messages over {a['conversations']} conversations on {a['workers']} workers "
                  f"in {a['seconds']} s: answered {a['answered']}, stored {a['stored']}, lost {a['lost']}, "
                  f"duplicated {a['duplicated']}, failed {a['failed']}."]
    if results.get("soak"):
        s = results["soak"]
        lines += [f"Soak: {s['minutes']} minutes, {s['workers']} worker(s), {s['concurrency']} concurrent conversations: "
                  f"sent {s['sent']}, answered {s['answered']} ({s['turns_per_s']} turns/s), escalated {s['escalated']}, "
                  f"declined {s['declined']}, failed {s['failed']}, lost {s['lost']}, duplicated {s['duplicated']}; "
                  f"memory of all workers {s['rss_mb_start']} MB at minute {s['baseline_minute']}, "
                  f"{s['rss_mb_end']} MB at the end "
                  f"({'flat' if s['memory_flat'] else 'GREW'})."]
    if results.get("rows"):
        lines += ["| synthetic chunks | turn p50 ms | turn p95 ms | turn p99 ms | retrieval p50 ms | retrieval p95 ms |",
                  "|---|---|---|---|---|---|"]
        for r in results["rows"]:
            lines.append(f"| {r['synthetic_chunks']:,} | {r['turn_p50_ms']} | {r['turn_p95_ms']} | {r['turn_p99_ms']} "
                         f"| {r['retrieval_p50_ms']} | {r['retrieval_p95_ms']} |")
    return "\n".join(lines) + "\n"


#: Seconds of soak traffic before memory is first measured (each worker loads models and fills caches).
WARM_UP_S = 20.0


def bench_soak(*, minutes: float, workers: int, concurrency: int, store_url: str | None,
               chroma: tuple[str, int] | None, sample_every_s: float, console: Console) -> dict[str, Any]:
    """Mixed traffic (questions, attacks, upset customers, personal data) for ``minutes`` after a warm-up:
    messages sent, answered, escalated, lost and duplicated, and each worker's memory over time (flat:
    at most 10% and 20 MB a worker above the second sample)."""
    from agent.bench_load import mixed_text

    workdir = Path(tempfile.mkdtemp(prefix="tactful-soak-"))
    totals = {"sent": 0, "answered": 0, "failed": 0, "stored": 0, "lost": 0, "duplicated": 0}
    outcomes: dict[str, int] = {}
    memory: list[dict[str, Any]] = []
    try:
        served = start_server(_server_env(workdir / "data", store_url, chroma), workers=workers, log_dir=workdir)
        try:
            # Warm-up with the same traffic: lazy loads, caches and pools fill before the first memory sample.
            run_load(LoadPlan(served.base_url, conversations=concurrency, messages_per_conversation=8,
                              concurrency=concurrency, max_seconds=WARM_UP_S, text=mixed_text))
            started = time.monotonic()
            end = started + minutes * 60
            next_sample = started
            while time.monotonic() < end:
                if time.monotonic() >= next_sample:
                    memory.append({"minute": round((time.monotonic() - started) / 60, 2),
                                   "rss_mb": served.worker_rss_mb()})
                    next_sample += sample_every_s
                result = run_load(LoadPlan(served.base_url, conversations=concurrency, messages_per_conversation=8,
                                           concurrency=concurrency, max_seconds=max(1.0, end - time.monotonic()),
                                           text=mixed_text))
                for key in totals:
                    totals[key] += getattr(result, key)
                for outcome, count in result.outcomes.items():
                    outcomes[outcome] = outcomes.get(outcome, 0) + count
            memory.append({"minute": round((time.monotonic() - started) / 60, 2), "rss_mb": served.worker_rss_mb()})
            seconds = time.monotonic() - started
        finally:
            served.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    # The baseline is the second sample: at the first, one worker may not have served anything yet
    # (uvicorn hands connections to whichever worker accepts first), which made a 30-minute run look like
    # +217 MB when the workers had grown by 35 and 18 MB.
    baseline = memory[1] if len(memory) > 2 else memory[0]
    first, last = sum(baseline["rss_mb"]), sum(memory[-1]["rss_mb"])
    escalated = sum(outcomes.get(k, 0) for k in ("handed_off", "referred", "queued", "with_person"))
    results = {"soak": {"minutes": round(seconds / 60, 2), "workers": workers, "concurrency": concurrency,
                        **totals, "escalated": escalated, "declined": outcomes.get("declined", 0),
                        "outcomes": outcomes, "turns_per_s": round(totals["answered"] / seconds, 1),
                        "rss_mb_start": round(first, 1), "rss_mb_end": round(last, 1),
                        "baseline_minute": baseline["minute"],
                        "memory_flat": last <= first * 1.10 + 20 * workers, "memory": memory}}
    s = results["soak"]
    console.print(f"soak: {s['minutes']} min, sent {s['sent']}, answered {s['answered']}, escalated {escalated}, "
                  f"declined {s['declined']}, failed {s['failed']}, lost {s['lost']}, duplicated {s['duplicated']}; "
                  f"memory {s['rss_mb_start']} -> {s['rss_mb_end']} MB")
    return results
