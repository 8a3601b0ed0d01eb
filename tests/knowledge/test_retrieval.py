"""Hybrid retrieval: dense and BM25 fused, scores filled, filters applied on both sides."""

from __future__ import annotations

import pytest

from knowledge.documents import Chunk
from knowledge.embeddings import HashEmbedder
from knowledge.lexical_index import BM25Index
from knowledge.retrieval import HybridRetriever, reciprocal_rank_fusion
from knowledge.vector_index import ChromaIndex

ROWS = [
    ("bread.md", "Sourdough", "Our sourdough is fermented for two days and baked every morning."),
    ("bread.md", "Rye", "The dark rye loaf is dense and keeps for a week."),
    ("delivery.md", "Fees", "Delivery costs four pounds within five miles; free over thirty pounds."),
    ("delivery.md", "Times", "The van delivers on Tuesdays and Fridays between nine and one."),
    ("cakes.md", "Orders", "Order celebration cakes two weeks ahead; code CAKE-7731 gives a tasting box."),
    ("allergens.md", "Nuts", "Every item may contain traces of nuts; we cannot guarantee nut-free baking."),
]


@pytest.fixture
def retriever(tmp_path) -> HybridRetriever:
    chunks = [Chunk(chunk_id=f"{doc}::{i:04d}", doc_id=doc, title=doc[:-3].title(), heading=heading,
                    text=f"{heading}\n{text}", metadata={"kind": "policy" if doc == "delivery.md" else "product"})
              for i, (doc, heading, text) in enumerate(ROWS)]
    embedder = HashEmbedder()
    index = ChromaIndex.open("retrieval", path=tmp_path / "chroma")
    index.upsert(chunks, embedder.embed_documents([c.text for c in chunks]))
    bm25 = BM25Index()
    bm25.build(chunks)
    return HybridRetriever(index, bm25, embedder)


def test_the_best_matching_chunk_comes_first_with_all_scores(retriever):
    passages = retriever.search("how much does delivery cost", k=3)
    top = passages[0]
    assert top.chunk.chunk_id == "delivery.md::0002"
    assert top.dense_score is not None and top.lexical_score is not None
    assert 0.0 <= top.relevance <= 1.0 and top.relevance == pytest.approx(max(0.0, top.dense_score))
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    assert len(passages) == 3


def test_an_exact_code_is_found_through_bm25(retriever):
    assert retriever.search("CAKE-7731", k=1)[0].chunk.doc_id == "cakes.md"


def test_where_filters_both_the_dense_and_the_lexical_side(retriever):
    passages = retriever.search("sourdough delivery cost", k=4, where={"kind": "policy"})
    assert passages and {p.chunk.doc_id for p in passages} == {"delivery.md"}
    only_bread = retriever.search("delivery", k=4, where={"doc_id": "bread.md"})
    assert {p.chunk.doc_id for p in only_bread} == {"bread.md"}
    assert all(p.lexical_score is None for p in only_bread)  # "delivery" is not in the bread chunks


def test_every_passage_has_a_relevance_even_when_only_bm25_found_it(retriever):
    for passage in retriever.search("nuts traces allergy", k=6):
        assert 0.0 <= passage.relevance <= 1.0
        if passage.dense_score is not None:
            assert passage.relevance == pytest.approx(max(0.0, passage.dense_score), abs=1e-5)


def test_empty_query_gives_nothing(retriever):
    assert retriever.search("   ") == []


def test_reciprocal_rank_fusion_rewards_agreement():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "d"]])
    assert max(fused, key=fused.get) == "b"
    assert fused["a"] == pytest.approx(1 / 61)


def test_a_bm25_only_hit_gets_its_relevance_from_its_stored_vector(tmp_path):
    embedder = HashEmbedder()
    fillers = [Chunk(f"f.md::{i:04d}", "f.md", "F", "H", f"redelivered costumes delivering {i}")
               for i in range(30)]  # close to the query for the hash embedder, no shared stem for BM25
    target = Chunk("t.md::0000", "t.md", "T", "H", "zebra quokka wombat platypus echidna koala dingo 7731")
    chunks = fillers + [target]
    index = ChromaIndex.open("bm25-only", path=tmp_path / "chroma")
    vectors = embedder.embed_documents([c.text for c in chunks])
    index.upsert(chunks, vectors)
    bm25 = BM25Index()
    bm25.build(chunks)
    query = "delivery cost 7731"
    passages = HybridRetriever(index, bm25, embedder).search(query, k=5)
    hit = next(p for p in passages if p.chunk.chunk_id == "t.md::0000")
    assert hit.dense_score is None and hit.lexical_score is not None
    expected = max(0.0, float(vectors[-1] @ embedder.embed_query(query)))
    assert hit.relevance == pytest.approx(expected, abs=1e-5)
