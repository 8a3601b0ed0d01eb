"""Hybrid retrieval: dense and BM25 fused, scores filled, filters applied on both sides (embedded and server)."""

from __future__ import annotations

import pytest

from knowledge.documents import Chunk
from knowledge.embeddings import HashEmbedder
from knowledge.lexical_index import BM25Index
from knowledge.retrieval import HybridRetriever, reciprocal_rank_fusion

ROWS = [
    ("bread.md", "Sourdough", "Our sourdough is fermented for two days and baked every morning."),
    ("bread.md", "Rye", "The dark rye loaf is dense and keeps for a week."),
    ("delivery.md", "Fees", "Delivery costs four pounds within five miles; free over thirty pounds."),
    ("delivery.md", "Times", "The van delivers on Tuesdays and Fridays between nine and one."),
    ("cakes.md", "Orders", "Order celebration cakes two weeks ahead; code CAKE-7731 gives a tasting box."),
    ("allergens.md", "Nuts", "Every item may contain traces of nuts; we cannot guarantee nut-free baking."),
]


@pytest.fixture
def retriever(backend) -> HybridRetriever:
    chunks = [Chunk(chunk_id=f"{doc}::{i:04d}", doc_id=doc, title=doc[:-3].title(), heading=heading,
                    text=f"{heading}\n{text}", metadata={"kind": "policy" if doc == "delivery.md" else "product"})
              for i, (doc, heading, text) in enumerate(ROWS)]
    embedder = HashEmbedder()
    index = backend.open_index("retrieval")
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


def test_a_bm25_only_hit_gets_its_relevance_from_its_stored_vector(backend):
    embedder = HashEmbedder()
    fillers = [Chunk(f"f.md::{i:04d}", "f.md", "F", "H", f"redelivered costumes delivering {i}")
               for i in range(30)]  # close to the query for the hash embedder, no shared stem for BM25
    target = Chunk("t.md::0000", "t.md", "T", "H", "zebra quokka wombat platypus echidna koala dingo 7731")
    chunks = fillers + [target]
    index = backend.open_index("bm25-only")
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


def test_query_vectors_are_remembered_read_only_and_bounded():
    from knowledge.embeddings import QueryVectors

    calls = []
    memory = QueryVectors(capacity=2)

    def embed(text):
        calls.append(text)
        return HashEmbedder().embed_query(text)

    first = memory.get("rye", embed)
    assert memory.get("rye", embed) is first and calls == ["rye"]
    with pytest.raises(ValueError):
        first[0] = 1.0  # shared between callers: nobody may change it
    memory.get("spelt", embed)
    memory.get("wheat", embed)
    assert len(memory) == 2
    memory.get("rye", embed)  # the least recently used went first
    assert calls == ["rye", "spelt", "wheat", "rye"]


def test_score_fusion_weighs_how_far_ahead_a_candidate_is_not_just_its_rank():
    from knowledge.retrieval import score_fusion

    cosines = {"near-miss": 0.60, "dense-best": 0.62, "far-behind": 0.30}
    lexical = {"near-miss": 9.0, "dense-best": 1.0, "far-behind": 8.0}
    fused = score_fusion(cosines, lexical)
    # Rank fusion puts "far-behind" (ranks 3 and 2) within a hair of "dense-best" (ranks 1 and 3): ranks
    # hide that its meaning is 0.32 behind. By score it is clearly last, and a hair behind on meaning but
    # far ahead on keywords wins.
    assert sorted(fused, key=fused.get, reverse=True) == ["near-miss", "dense-best", "far-behind"]
    assert fused["dense-best"] - fused["far-behind"] > 0.2
    assert fused["dense-best"] == pytest.approx(0.6 + 0.4 / 9)
    assert score_fusion({}, lexical) == {}


def test_a_chunk_strong_on_both_sides_outranks_one_strong_on_meaning_alone(retriever):
    passages = retriever.search("delivery costs four pounds", k=2)
    assert passages[0].chunk.chunk_id == "delivery.md::0002"
    assert passages[0].score > passages[1].score
