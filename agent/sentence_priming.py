"""Priming the sentence-vector store after an ingest, so no customer waits for a sentence to be embedded.

An extractive answer ranks the sentences of the passages a turn retrieved by meaning. Their vectors
come from ``knowledge.sentence_vectors`` when it has them; this fills it for the whole index at ingest
time, with exactly the texts a turn will ask for: each chunk as a turn reads it (``passage_text``: the
body without its "Title > Heading" line, planted instructions removed, as ``Turn._safe_passages`` does),
cut into sentence contexts by the same code that ranks them (``guardrails.extractive.sentence_contexts``).

Bounded: only an index of at most ``knowledge.sentence_priming_max_chunks`` chunks is primed (priming
embeds some four sentences a chunk, about as long as the ingest itself); a larger one fills the store
as questions come. An index version primed once is not primed again (a no-op ``tactful ingest`` stays
quick), and a failure here never fails the ingest: the store is only a cache.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from agent.prompt import passage_body
from guardrails.extractive import sentence_contexts
from guardrails.pipeline import RailPipeline
from knowledge.documents import Chunk, RetrievedPassage
from knowledge.errors import KnowledgeError
from knowledge.sentence_vectors import SentenceVectorStore, as_stored

if TYPE_CHECKING:
    from agent.config import TactfulConfig
    from knowledge import KnowledgeBase

log = logging.getLogger("tactful")

Progress = Callable[[str, int, int], None]
#: Sentences embedded and written per batch: progress is kept batch by batch if priming is interrupted.
BATCH = 256
#: The progress stage ``tactful ingest`` shows while priming.
STAGE = "sentence vectors"


@dataclass(frozen=True)
class PrimingReport:
    """What priming did: ``embedded`` of ``sentences`` distinct sentence contexts from ``chunks`` chunks were
    missing and are stored now; ``skipped`` says why nothing was looked at (None when priming ran)."""

    chunks: int = 0
    sentences: int = 0
    embedded: int = 0
    seconds: float = 0.0
    skipped: str | None = None


def passage_text(chunk: Chunk, rails: RailPipeline) -> str:
    """The text a turn hands the extractive answer for ``chunk`` (see ``Turn._safe_passages``)."""
    text, _ = rails.check_passage(passage_body(RetrievedPassage(chunk, score=0.0, relevance=0.0)))
    return text


def chunk_sentence_contexts(chunks: Iterable[Chunk], rails: RailPipeline) -> list[str]:
    """Every distinct sentence context a turn may embed from ``chunks``, in order of first appearance."""
    contexts: dict[str, None] = {}
    for chunk in chunks:
        contexts.update(dict.fromkeys(sentence_contexts(passage_text(chunk, rails))))
    return list(contexts)


def prime_sentence_vectors(knowledge: "KnowledgeBase", store: SentenceVectorStore, rails: RailPipeline, *,
                           max_chunks: int, batch: int = BATCH, progress: Progress | None = None) -> PrimingReport:
    """Embed and store the sentence contexts of ``knowledge``'s chunks that ``store`` lacks.

    Skipped when the index holds more than ``max_chunks`` chunks, or this version of it was primed already.
    """
    started = time.perf_counter()
    count = knowledge.count()
    if max_chunks <= 0 or count > max_chunks:
        return PrimingReport(chunks=count, skipped=f"the index holds {count} chunks, more than "
                             f"knowledge.sentence_priming_max_chunks ({max_chunks})")
    version = str(knowledge.vectors.read_state().get("version") or "")
    mark = f"primed:{store.embedder_name}"
    if version and store.note(mark) == version:
        return PrimingReport(chunks=count, skipped="this version of the index was primed already")
    contexts = chunk_sentence_contexts(knowledge.vectors.all_chunks(), rails)
    missing = store.missing(contexts)
    if progress:
        progress(STAGE, 0, len(missing))
    complete = True
    for start in range(0, len(missing), batch):
        group = missing[start:start + batch]
        vectors = as_stored(knowledge.embedder.embed_documents(group))
        complete = store.write(dict(zip(group, vectors))) and complete
        if progress:
            progress(STAGE, min(start + batch, len(missing)), len(missing))
    if complete and version:
        store.set_note(mark, version)
    return PrimingReport(chunks=count, sentences=len(contexts), embedded=len(missing),
                         seconds=time.perf_counter() - started)


def prime_after_ingest(config: "TactfulConfig", knowledge: "KnowledgeBase",
                       progress: Progress | None = None) -> PrimingReport:
    """Prime ``knowledge``'s sentence-vector store as configured; logs what it did, never raises for the index."""
    rails = RailPipeline(config.guardrails.input, ())  # check_passage depends on the input rails alone
    try:
        report = prime_sentence_vectors(knowledge, SentenceVectorStore.beside(knowledge), rails,
                                        max_chunks=config.knowledge.sentence_priming_max_chunks, progress=progress)
    except KnowledgeError as exc:  # the index or the embedder failed just after the ingest: answers embed lazily
        log.warning("could not prime the sentence vectors (%s); answers will embed sentences as questions come", exc)
        return PrimingReport(skipped=str(exc))
    if report.skipped:
        log.info("sentence vectors not primed: %s", report.skipped)
    else:
        log.info("sentence vectors primed: %d of %d sentences from %d chunks embedded in %.1f s",
                 report.embedded, report.sentences, report.chunks, report.seconds)
    return report
