"""SentenceVectorStore: sentence vectors on disk beside the index, shared, bounded, and never a reason to fail."""

from __future__ import annotations

import logging
import sqlite3
import threading

import numpy as np
import pytest

from knowledge.embeddings import HashEmbedder
from knowledge.sentence_vectors import SentenceVectorStore, as_stored, sentence_vectors_path

SENTENCES = ["Delivery costs four pounds within five miles.", "The van runs on Tuesdays and Fridays.",
             "Sourdough is baked every morning.", "Orders over thirty pounds travel free of charge."]


def vectors_of(texts: list[str]) -> dict[str, np.ndarray]:
    return dict(zip(texts, HashEmbedder().embed_documents(texts)))


@pytest.fixture
def store(tmp_path):
    return SentenceVectorStore(sentence_vectors_path(tmp_path / "index", "shop"), "hash-embedder", 384)


def warnings_in(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_vectors_come_back_as_float16_rounded_and_the_file_holds_no_text(store):
    written = vectors_of(SENTENCES[:3])
    assert store.write(written)
    found = store.read(SENTENCES)
    assert sorted(found) == sorted(SENTENCES[:3])
    for text, vector in written.items():
        assert found[text].dtype == np.float32
        assert np.array_equal(found[text], as_stored(vector))
        assert np.abs(found[text] - vector).max() < 1e-3
    assert store.missing(SENTENCES + SENTENCES[3:]) == SENTENCES[3:]
    assert store.path.name == "shop.sentence-vectors.sqlite3" and store.count() == 3
    raw = b"".join(p.read_bytes() for p in store.path.parent.glob(store.path.name + "*"))
    assert b"Sourdough" not in raw and b"van runs" not in raw


def test_another_embedders_vectors_are_never_handed_out(store):
    store.write(vectors_of(SENTENCES))
    other = SentenceVectorStore(store.path, "another-model", 384)
    assert other.read(SENTENCES) == {} and other.missing(SENTENCES) == SENTENCES


def test_a_row_of_the_wrong_size_counts_as_missing(store):
    store.write(vectors_of(SENTENCES[:1]))
    narrower = SentenceVectorStore(store.path, "hash-embedder", 128)
    assert narrower.read(SENTENCES[:1]) == {}


def test_writing_a_stored_text_again_keeps_its_row(store):
    store.write(vectors_of(SENTENCES[:2]))
    assert store.write(vectors_of(SENTENCES[:2]))
    assert store.count() == 2


def test_past_the_cap_the_oldest_rows_are_dropped(tmp_path):
    store = SentenceVectorStore(tmp_path / "sv.sqlite3", "hash-embedder", 384, max_rows=10)
    texts = [f"Sentence number {i} about bread." for i in range(25)]
    for start in range(0, 25, 4):  # several batches, the last one crossing the cap again
        store.write(vectors_of(texts[start:start + 4]))
    assert store.count() == 10
    assert store.missing(texts) == texts[:15]  # the 10 newest are kept


def test_a_damaged_file_degrades_to_no_store_with_one_warning(tmp_path, caplog):
    path = tmp_path / "shop.sentence-vectors.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    store = SentenceVectorStore(path, "hash-embedder", 384, retry_after_s=0)
    with caplog.at_level(logging.DEBUG, logger="tactful"):
        assert store.read(SENTENCES) == {}
        assert store.missing(SENTENCES) == SENTENCES
        assert store.write(vectors_of(SENTENCES)) is False
        assert store.count() == 0
    warned = warnings_in(caplog)
    assert len(warned) == 1
    assert str(path) in warned[0] and "delete it" in warned[0] and "Answers are unaffected" in warned[0]


def test_an_unusable_place_degrades_too_and_is_left_alone_for_a_while(tmp_path, caplog):
    blocker = tmp_path / "index"
    blocker.write_text("a file where the index folder should be")
    store = SentenceVectorStore(blocker / "shop.sentence-vectors.sqlite3", "hash-embedder", 384, retry_after_s=60)
    with caplog.at_level(logging.DEBUG, logger="tactful"):
        assert store.write(vectors_of(SENTENCES)) is False
        blocker.unlink()  # the problem goes away, but the store waits out retry_after_s before trying again
        assert store.read(SENTENCES) == {} and not store.path.exists()
    assert len(warnings_in(caplog)) == 1


def test_a_held_write_lock_delays_no_reader_and_a_writer_gives_up_quickly(store, caplog):
    store.write(vectors_of(SENTENCES[:2]))
    holder = sqlite3.connect(store.path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another worker in the middle of a write
        quick = SentenceVectorStore(store.path, "hash-embedder", 384, busy_timeout_s=0.05)
        with caplog.at_level(logging.WARNING, logger="tactful"):
            assert sorted(quick.read(SENTENCES)) == sorted(SENTENCES[:2])  # WAL: readers never wait
            assert quick.write(vectors_of(SENTENCES[2:])) is False
        assert len(warnings_in(caplog)) == 1
    finally:
        holder.close()


def test_several_writers_at_once_lose_nothing(tmp_path):
    path = tmp_path / "sv.sqlite3"
    stores = [SentenceVectorStore(path, "hash-embedder", 384, busy_timeout_s=5.0) for _ in range(4)]
    texts = [f"Sentence {i} on the shop's opening hours." for i in range(200)]
    results: list[bool] = []

    def work(store: SentenceVectorStore, offset: int) -> None:
        for start in range(offset, 200, 40):
            results.append(store.write(vectors_of(texts[start:start + 20])))

    threads = [threading.Thread(target=work, args=(s, 20 * i)) for i, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results) and stores[0].missing(texts) == [] and stores[0].count() == 200


def test_notes_are_kept_in_the_file(store):
    assert store.note("primed:hash-embedder") is None
    assert store.set_note("primed:hash-embedder", "v1") and store.set_note("primed:hash-embedder", "v2")
    assert SentenceVectorStore(store.path, "hash-embedder").note("primed:hash-embedder") == "v2"


def test_bad_settings_are_refused(tmp_path):
    with pytest.raises(ValueError, match="max_rows"):
        SentenceVectorStore(tmp_path / "x.sqlite3", "hash-embedder", max_rows=0)
    with pytest.raises(ValueError, match="embedder's name"):
        SentenceVectorStore(tmp_path / "x.sqlite3", "")
