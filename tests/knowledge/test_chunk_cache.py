"""The knowledge base's copy of the chunks it has read: used until the index changes, never after."""

from __future__ import annotations

import threading

import pytest

from knowledge import KnowledgeBase
from knowledge.chunk_cache import ChunkCache
from knowledge.embeddings import HashEmbedder


def counting_fetch(calls: list[list[str]]):
    def fetch(ids: list[str]) -> dict[str, str]:
        calls.append(list(ids))
        return {cid: f"record {cid}" for cid in ids if not cid.startswith("gone")}
    return fetch


def test_reads_only_what_it_lacks_and_keeps_order_of_use():
    calls: list[list[str]] = []
    cache: ChunkCache[str] = ChunkCache(capacity=3)
    assert cache.read(["a", "b"], counting_fetch(calls)) == {"a": "record a", "b": "record b"}
    assert cache.read(["b", "c", "a"], counting_fetch(calls)) == {"a": "record a", "b": "record b", "c": "record c"}
    assert calls == [["a", "b"], ["c"]]
    cache.read(["d"], counting_fetch(calls))  # over capacity: "b" was used least recently
    assert len(cache) == 3
    cache.read(["a", "c", "d"], counting_fetch(calls))
    assert calls[-1] == ["d"]
    cache.read(["b"], counting_fetch(calls))
    assert calls[-1] == ["b"]


def test_missing_records_are_not_remembered():
    calls: list[list[str]] = []
    cache: ChunkCache[str] = ChunkCache()
    assert cache.read(["gone-1", "a"], counting_fetch(calls)) == {"a": "record a"}
    cache.read(["gone-1"], counting_fetch(calls))
    assert calls == [["gone-1", "a"], ["gone-1"]]


def test_a_read_that_began_before_a_clear_is_not_kept():
    cache: ChunkCache[str] = ChunkCache()
    started, cleared = threading.Event(), threading.Event()

    def slow_fetch(ids: list[str]) -> dict[str, str]:
        started.set()
        cleared.wait(5)
        return {cid: "old text" for cid in ids}

    reader = threading.Thread(target=cache.read, args=(["a"], slow_fetch))
    reader.start()
    started.wait(5)
    cache.clear()  # the index changed while the old text was on its way
    cleared.set()
    reader.join(5)
    assert len(cache) == 0
    assert cache.read(["a"], lambda ids: {"a": "new text"}) == {"a": "new text"}


def test_capacity_must_not_be_negative():
    with pytest.raises(ValueError, match="capacity"):
        ChunkCache(capacity=-1)


def write_doc(folder, name: str, text: str):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_search_after_reingest_sees_the_new_text(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    page = write_doc(docs, "hours.md", "# Hours\n\nWe open at 8am on Saturdays and close at 4pm.\n")
    kb = KnowledgeBase.open(tmp_path / "index", "shop", HashEmbedder(), refresh_s=60)
    try:
        kb.ingest([docs])
        assert "8am" in kb.search("when do you open on saturdays", k=1)[0].chunk.text
        assert "8am" in kb.search("when do you open on saturdays", k=1)[0].chunk.text  # now from memory
        page.write_text("# Hours\n\nWe open at 9am on Saturdays and close at 4pm.\n", encoding="utf-8")
        kb.ingest([docs])  # same chunk id, new text: the copy in memory must go
        assert "9am" in kb.search("when do you open on saturdays", k=1)[0].chunk.text
    finally:
        kb.close()


def test_another_process_change_is_seen_within_the_refresh_interval(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    page = write_doc(docs, "hours.md", "# Hours\n\nWe open at 8am on Saturdays and close at 4pm.\n")
    writer = KnowledgeBase.open(tmp_path / "index", "shop", HashEmbedder())
    reader = KnowledgeBase(tmp_path / "index", "shop", HashEmbedder(), writer.vectors, refresh_s=0)
    try:
        writer.ingest([docs])
        assert "8am" in reader.search("when do you open on saturdays", k=1)[0].chunk.text
        page.write_text("# Hours\n\nWe open at 9am on Saturdays and close at 4pm.\n", encoding="utf-8")
        writer.ingest([docs])
        assert "9am" in reader.search("when do you open on saturdays", k=1)[0].chunk.text
    finally:
        writer.close()


def test_cached_vectors_cannot_be_changed_in_place(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    write_doc(docs, "hours.md", "# Hours\n\nWe open at 8am on Saturdays.\n")
    kb = KnowledgeBase.open(tmp_path / "index", "shop", HashEmbedder())
    try:
        kb.ingest([docs])
        passage = kb.search("saturday opening", k=1)[0]
        found = kb._read_chunks([passage.chunk.chunk_id])
        vector = found[passage.chunk.chunk_id][1]
        with pytest.raises(ValueError):
            vector[0] = 1.0
    finally:
        kb.close()
