"""The KnowledgeBase facade: idempotent ingest by content hash, removals, search, bulk loads (embedded and server)."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.documents import Chunk
from knowledge.embeddings import HashEmbedder


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting the texts it embeds (queries apart)."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed_documents(self, texts):
        self.embedded.extend(texts)
        return super().embed_documents(texts)

    def embed_query(self, text):
        return super().embed_documents([text])[0]


@pytest.fixture
def shop(tmp_path, write):
    write("kb/delivery.md", "# Delivery\n\n## Fees\nDelivery costs four pounds within five miles. "
                            + "Orders over thirty pounds travel free of charge. " * 4
                            + "\n\n## Times\nThe van runs on Tuesdays and Fridays.")
    write("kb/bread.md", "# Bread\nSourdough is baked every morning. Rye on Saturdays.")
    write("kb/faq.csv", "question,answer\nDo you sell gift cards?,Yes in the shop.\nAre dogs allowed?,Yes on the terrace.\n")
    return tmp_path / "kb"


@pytest.fixture
def kb(backend):
    return backend.open_kb("shop", CountingEmbedder())


def test_first_ingest_adds_every_document_and_reports_progress(kb, shop):
    seen = []
    report = kb.ingest([shop], progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert (report.added_documents, report.updated_documents, report.unchanged_documents) == (3, 0, 0)
    assert report.chunks_indexed == kb.count() == len(kb.embedder.embedded) > 3
    assert kb.document_ids() == ["bread.md", "delivery.md", "faq.csv"]
    assert ("embedding", report.chunks_indexed, report.chunks_indexed) in seen
    assert not kb.is_empty() and report.skipped == [] and report.seconds > 0


def test_reingesting_unchanged_documents_embeds_nothing(kb, shop):
    kb.ingest([shop])
    kb.embedder.embedded.clear()
    report = kb.ingest([shop])
    assert kb.embedder.embedded == []
    assert (report.added_documents, report.unchanged_documents, report.chunks_indexed) == (0, 3, 0)


def test_a_changed_document_alone_is_reembedded_and_its_old_chunks_go(kb, shop):
    kb.ingest([shop])
    before = kb.count()
    kb.embedder.embedded.clear()
    (shop / "delivery.md").write_text("# Delivery\nWe no longer deliver; collect from the shop.", encoding="utf-8")
    report = kb.ingest([shop])
    assert (report.updated_documents, report.unchanged_documents) == (1, 2)
    assert all(text.startswith("Delivery") for text in kb.embedder.embedded)
    assert kb.count() == before - 1  # two sections became one
    texts = [p.chunk.text for p in kb.search("delivery van times", k=10)]
    assert not any("Tuesdays" in t for t in texts)
    assert any("collect from the shop" in t for t in texts)


def test_a_deleted_file_has_its_chunks_removed(kb, shop):
    kb.ingest([shop])
    (shop / "bread.md").unlink()
    report = kb.ingest([shop])
    assert report.removed_documents == 1
    assert kb.document_ids() == ["delivery.md", "faq.csv"]
    assert all(p.chunk.doc_id != "bread.md" for p in kb.search("sourdough rye", k=10))


def test_another_root_does_not_remove_the_first_ones_documents(kb, shop, write, tmp_path):
    kb.ingest([shop])
    write("more/hours.md", "# Hours\nOpen 8 to 4.")
    report = kb.ingest([tmp_path / "more"])
    assert report.removed_documents == 0 and report.added_documents == 1
    assert kb.document_ids() == ["bread.md", "delivery.md", "faq.csv", "hours.md"]


def test_reopening_keeps_everything_and_search_still_works(kb, shop, backend):
    kb.ingest([shop])
    again = backend.open_kb("shop", CountingEmbedder())
    assert again.count() == kb.count() and again.document_ids() == kb.document_ids()
    assert again.ingest([shop]).unchanged_documents == 3
    top = again.search("gift cards", k=1)[0]
    assert top.chunk.doc_id == "faq.csv" and top.chunk.heading == "Do you sell gift cards?"


def test_search_filters_by_document(kb, shop):
    kb.ingest([shop])
    passages = kb.search("delivery", k=4, where={"doc_id": "faq.csv"})
    assert passages and {p.chunk.doc_id for p in passages} == {"faq.csv"}


def test_skipped_files_are_reported_and_the_rest_ingested(kb, shop, write):
    write("kb/broken.pdf", b"%PDF-1.4 not really")
    report = kb.ingest([shop])
    assert report.added_documents == 3
    assert [s.path.rsplit("/", 1)[-1] for s in report.skipped] == ["broken.pdf"]


def test_add_prepared_inserts_precomputed_vectors_and_bm25_sees_them(kb):
    chunks = [Chunk(f"synthetic-{i}::0000", f"synthetic-{i}", "Synthetic", "S", f"item {i} code Z{i:05d}")
              for i in range(50)]
    kb.add_prepared(chunks, HashEmbedder().embed_documents([c.text for c in chunks]).astype(np.float32))
    assert kb.count() == 50 and kb.embedder.embedded == []
    assert kb.search("Z00042", k=1)[0].chunk.chunk_id == "synthetic-42::0000"


@pytest.mark.slow
def test_end_to_end_with_minilm_knows_what_it_knows(tmp_path, write, minilm, backend):
    write("kb/allergens.md", "# Allergens\n\n## Gluten\nWe bake a gluten-free loaf every Friday in a separate oven.\n\n"
                             "## Nuts\nAll our products may contain traces of nuts.")
    write("kb/delivery.md", "# Delivery\nOur delivery van runs on Tuesdays and costs four pounds.")
    kb = backend.open_kb("bakery", minilm)
    kb.ingest([tmp_path / "kb"])
    on_topic = kb.search("Do you have gluten-free bread?", k=2)
    off_topic = kb.search("how much has the dow changed today", k=2)
    assert on_topic[0].chunk.chunk_id == "allergens.md::0000"
    assert on_topic[0].relevance > 0.5
    assert off_topic[0].relevance < on_topic[0].relevance - 0.25


def test_other_chunk_sizes_rechunk_unchanged_documents(kb, shop):
    kb.ingest([shop])
    report = kb.ingest([shop], chunk_words=60, overlap_words=10)
    assert report.updated_documents == 3 and report.unchanged_documents == 0
    assert kb.ingest([shop], chunk_words=60, overlap_words=10).unchanged_documents == 3


def test_a_failed_ingest_records_nothing_and_the_next_one_finishes_the_work(kb, shop, monkeypatch):
    def broken(texts):
        raise RuntimeError("model crashed")

    monkeypatch.setattr(kb.embedder, "embed_documents", broken)
    with pytest.raises(RuntimeError):
        kb.ingest([shop])
    assert kb.document_ids() == []
    monkeypatch.undo()
    report = kb.ingest([shop])
    assert report.added_documents == 3 and kb.count() == report.chunks_indexed


def test_a_document_written_only_in_part_is_embedded_again_by_the_next_ingest(kb, shop, write, monkeypatch):
    from knowledge import base

    kb.ingest([shop])
    before = kb.count()
    write("kb/short.csv", "question,answer\nOpen?,Yes.\nCash?,No.\n")  # two chunks, the shortest of all
    calls = []
    embed = kb.embedder.embed_documents

    def crashes_on_the_second_group(texts):
        calls.append(texts)
        if len(calls) == 2:
            raise RuntimeError("model crashed")
        return embed(texts)

    monkeypatch.setattr(base, "EMBED_GROUP", 1)
    monkeypatch.setattr(kb.embedder, "embed_documents", crashes_on_the_second_group)
    with pytest.raises(RuntimeError):
        kb.ingest([shop])
    assert kb.count() == before + 1  # one of short.csv's two chunks
    monkeypatch.undo()
    report = kb.ingest([shop])
    assert (report.unchanged_documents, report.chunks_indexed) == (3, 2) and kb.count() == before + 2
