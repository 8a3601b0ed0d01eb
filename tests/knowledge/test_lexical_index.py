"""BM25 over bm25s: ranking, saving and loading under a label, and a copy of other content never loaded."""

from __future__ import annotations

from knowledge.documents import Chunk
import pytest

from knowledge.lexical_index import BM25Index


def make(cid: str, text: str) -> Chunk:
    return Chunk(chunk_id=cid, doc_id=cid.split("::")[0], title="T", heading="H", text=text)


CHUNKS = [make("a::0000", "Gluten-free loaves are baked on Fridays."),
          make("a::0001", "Delivery costs four pounds."),
          make("b::0000", "Wedding cakes need two weeks' notice."),
          make("b::0001", "Our cafe serves coffee and cake.")]


def built() -> BM25Index:
    index = BM25Index()
    index.build(CHUNKS)
    return index


def test_search_ranks_matching_chunks_with_stemming_and_stopwords():
    hits = built().search("how much does the delivering cost", k=3)
    assert hits[0][0] == "a::0001" and hits[0][1] > 0
    assert [cid for cid, _ in built().search("cakes", k=5)] in (["b::0000", "b::0001"], ["b::0001", "b::0000"])


def test_unknown_words_and_empty_index_give_nothing():
    assert built().search("zeppelin", k=3) == []
    assert built().search("the and of", k=3) == []
    empty = BM25Index()
    empty.build([])
    assert empty.search("cake", k=3) == []


def test_save_and_load_round_trip(tmp_path):
    index = built()
    index.save(tmp_path / "bm25", "v1")
    loaded = BM25Index.load(tmp_path / "bm25", "v1")
    assert loaded is not None
    assert loaded.search("wedding cake", k=2) == index.search("wedding cake", k=2)


def test_a_copy_saved_under_another_label_or_missing_is_not_loaded(tmp_path):
    built().save(tmp_path / "bm25", "v1")
    assert BM25Index.load(tmp_path / "bm25", "v2") is None
    assert BM25Index.load(tmp_path / "nothing-here", "v1") is None


def test_saving_a_new_label_removes_the_older_copies(tmp_path):
    folder = tmp_path / "bm25"
    built().save(folder, "v1")
    (folder / "params.index.json").write_text("{}")  # the layout before labels
    smaller = BM25Index()
    smaller.build(CHUNKS[:2])
    smaller.save(folder, "v2")
    assert sorted(p.name for p in folder.iterdir()) == ["v2"]
    assert BM25Index.load(folder, "v2").chunk_ids == ["a::0000", "a::0001"]


def test_a_label_must_be_a_plain_name(tmp_path):
    with pytest.raises(ValueError, match="label"):
        built().save(tmp_path / "bm25", "../elsewhere")
