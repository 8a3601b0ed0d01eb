"""The Chroma index, embedded and on a server (both real): write, search, delete, the knowledge base's own
bookkeeping, and a damaged folder or an unreachable server reported with what to do."""

from __future__ import annotations

import os

import numpy as np
import pytest

from knowledge.documents import Chunk
from knowledge.embeddings import HashEmbedder
from knowledge.errors import IndexUnavailable, KnowledgeError
from knowledge.vector_index import ChromaIndex

TEXTS = {
    "bread.md::0000": ("bread.md", "Sourdough loaves are baked every morning."),
    "bread.md::0001": ("bread.md", "Our rye bread uses a slow starter."),
    "delivery.md::0000": ("delivery.md", "Delivery costs four pounds within five miles."),
}


def chunks() -> list[Chunk]:
    return [Chunk(chunk_id=cid, doc_id=doc, title=doc.split(".")[0].title(), heading="Intro", text=text,
                  metadata={"audience": "public", "pages": 2}) for cid, (doc, text) in TEXTS.items()]


@pytest.fixture
def index(backend):
    idx = backend.open_index("shop")
    items = chunks()
    idx.upsert(items, HashEmbedder().embed_documents([c.text for c in items]))
    return idx


def test_query_returns_cosine_similarities_best_first(index):
    query = HashEmbedder().embed_query("rye bread starter")
    hits = index.query(query, k=3)
    assert hits[0][0] == "bread.md::0001"
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    exact = index.query(HashEmbedder().embed_query(TEXTS["delivery.md::0000"][1]), k=1)
    assert exact[0][0] == "delivery.md::0000" and exact[0][1] == pytest.approx(1.0, abs=1e-4)


def test_where_filters_on_metadata(index):
    query = HashEmbedder().embed_query("rye bread starter")
    assert {cid for cid, _ in index.query(query, k=3, where={"doc_id": "delivery.md"})} == {"delivery.md::0000"}
    assert len(index.query(query, k=3, where={"doc_id": "delivery.md", "audience": "public"})) == 1


def test_get_round_trips_chunks_with_their_metadata_and_vectors(index):
    found = index.get(["bread.md::0001", "nope::0000"], with_vectors=True)
    chunk, vector = found["bread.md::0001"]
    assert chunk == chunks()[1]
    assert vector.shape == (384,) and set(found) == {"bread.md::0001"}


def test_upsert_replaces_and_delete_removes(index):
    replacement = Chunk("bread.md::0000", "bread.md", "Bread", "Intro", "Now baked at noon.")
    index.upsert([replacement], HashEmbedder().embed_documents([replacement.text]))
    assert index.count() == 3 and index.get(["bread.md::0000"])["bread.md::0000"][0].text == "Now baked at noon."
    index.delete(["bread.md::0000", "bread.md::0001"])
    assert index.count() == 1
    assert [c.chunk_id for c in index.all_chunks()] == ["delivery.md::0000"]


def test_reopening_finds_the_same_chunks(index, backend):
    again = backend.open_index("shop")
    assert again.count() == 3 and {c.chunk_id for c in again.all_chunks()} == set(TEXTS)


def test_hidden_fields_are_kept_with_the_chunk_but_never_shown_in_its_metadata(index):
    item = chunks()[0]
    index.upsert([item], HashEmbedder().embed_documents([item.text]), hidden=[{"doc_hash": "abc", "doc_chunks": 2}])
    assert index.get([item.chunk_id])[item.chunk_id][0] == item
    found = {chunk.chunk_id: (chunk, hidden) for chunk, hidden in index.records(with_text=False)}
    chunk, hidden = found[item.chunk_id]
    assert hidden == {"doc_hash": "abc", "doc_chunks": 2} and chunk.metadata == item.metadata and chunk.text == ""
    assert found["bread.md::0001"][1] == {}


def test_the_state_is_shared_by_every_handle_and_keeps_the_cosine_space(index, backend):
    other = backend.open_index("shop")
    assert other.read_state() == {}
    index.write_state({"version": "v1", "embedder": "hash"})
    assert other.read_state() == {"version": "v1", "embedder": "hash"}
    other.write_state({"version": "v2"})
    assert index.read_state() == {"version": "v2"}
    exact = index.query(3.0 * HashEmbedder().embed_query(TEXTS["delivery.md::0000"][1]), k=1)
    assert exact[0][1] == pytest.approx(1.0, abs=1e-4)  # cosine: the length of the query does not matter


def test_a_garbage_folder_is_reported_with_what_to_do(tmp_path):
    folder = tmp_path / "chroma"
    folder.mkdir()
    (folder / "chroma.sqlite3").write_bytes(os.urandom(4096))
    with pytest.raises(IndexUnavailable, match="move the folder away and run `tactful ingest` again"):
        ChromaIndex.open("shop", path=folder)


def test_an_unreachable_server_is_reported_with_what_to_do(tmp_path):
    with pytest.raises(IndexUnavailable, match="Chroma server at 127.0.0.1:9") as caught:
        ChromaIndex.open("shop", host="127.0.0.1", port=9)
    assert "chroma run --host 127.0.0.1 --port 9" in str(caught.value)
    assert "knowledge.chroma_host" in str(caught.value)


def test_a_bad_collection_name_is_not_mistaken_for_a_damaged_index(tmp_path):
    with pytest.raises(KnowledgeError, match="collection name 'x'"):
        ChromaIndex.open("x", path=tmp_path / "chroma")


def test_vectors_of_the_wrong_dimension_are_reported(index):
    with pytest.raises(IndexUnavailable):
        index.upsert(chunks()[:1], np.ones((1, 8), dtype=np.float32))
