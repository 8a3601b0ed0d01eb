"""Several workers sharing one index (a Chroma server, or one folder): what one writes, the others find,
through the dense and the BM25 side, within ``refresh_s``; and a server that goes away is reported."""

from __future__ import annotations

import time

import numpy as np
import pytest

from knowledge.documents import Chunk
from knowledge.embeddings import HashEmbedder
from knowledge.errors import IndexUnavailable
from tests.chroma_server import ChromaServerError, start_private_server, unavailable


@pytest.fixture
def shop(tmp_path, write):
    write("kb/bread.md", "# Bread\nSourdough is baked every morning. Rye on Saturdays.")
    write("kb/delivery.md", "# Delivery\nThe van runs on Tuesdays and Fridays; delivery costs four pounds.")
    return tmp_path / "kb"


def other_worker(backend, tmp_path, refresh_s: float = 0.0):
    """A second worker: on a server, on "another machine" (its own folder for the saved copies); embedded,
    in the same folder (an embedded index lives there)."""
    folder = tmp_path / "other-machine" if backend.kind == "server" else None
    return backend.open_kb("shop", HashEmbedder(), index_dir=folder, refresh_s=refresh_s)


def lexical_docs(kb, query: str) -> set[str]:
    return {cid.split("::")[0] for cid, _ in kb.keyword_search(query)}


def test_a_document_ingested_by_one_worker_is_found_by_the_other(backend, tmp_path, shop):
    writer = backend.open_kb("shop", HashEmbedder(), refresh_s=0)
    reader = other_worker(backend, tmp_path)
    assert reader.search("sourdough") == [] and reader.document_ids() == []
    writer.ingest([shop])
    top = reader.search("sourdough", k=1)[0]
    assert top.chunk.doc_id == "bread.md" and top.lexical_score is not None
    assert reader.document_ids() == ["bread.md", "delivery.md"]


def test_a_reader_looks_for_changes_at_most_every_refresh_s(backend, tmp_path, shop):
    writer = backend.open_kb("shop", HashEmbedder(), refresh_s=0)
    patient = other_worker(backend, tmp_path, refresh_s=60)
    quick = other_worker(backend, tmp_path, refresh_s=0.2)
    patient.search("sourdough"), quick.search("sourdough")
    checks = []
    original = patient.vectors.read_state
    patient.vectors.read_state = lambda: checks.append(1) or original()
    writer.ingest([shop])
    assert lexical_docs(patient, "sourdough") == set() and checks == []  # within its minute: not looked yet
    time.sleep(0.25)
    assert lexical_docs(quick, "sourdough") == {"bread.md"}


def test_a_document_removed_through_one_worker_leaves_the_others_keyword_results(backend, tmp_path, shop):
    writer = backend.open_kb("shop", HashEmbedder(), refresh_s=0)
    reader = other_worker(backend, tmp_path)
    writer.ingest([shop])
    assert lexical_docs(reader, "sourdough rye") == {"bread.md"}
    (shop / "bread.md").unlink()
    assert writer.ingest([shop]).removed_documents == 1
    assert lexical_docs(reader, "sourdough rye") == set()
    assert reader.document_ids() == ["delivery.md"]


def test_a_stale_local_bm25_copy_is_never_used_even_with_the_same_chunk_ids(backend, tmp_path, shop):
    writer = backend.open_kb("shop", HashEmbedder(), refresh_s=0)
    writer.ingest([shop])
    reader = other_worker(backend, tmp_path)
    assert lexical_docs(reader, "sourdough") == {"bread.md"}  # built and saved on the reader's disk
    reader.close()
    (shop / "bread.md").write_text("# Bread\nBaguettes are baked every morning. Rye on Saturdays.")
    assert writer.ingest([shop]).updated_documents == 1  # same chunk id bread.md::0000, new text
    again = other_worker(backend, tmp_path)
    assert lexical_docs(again, "sourdough") == set()
    assert lexical_docs(again, "baguettes") == {"bread.md"}


@pytest.mark.parametrize("backend", ["server"], indirect=True)  # another machine shares an index only so
def test_another_machine_rebuilds_the_manifest_from_the_index_and_embeds_nothing_again(backend, tmp_path, shop):
    backend.open_kb("shop", HashEmbedder(), refresh_s=0).ingest([shop])
    elsewhere = other_worker(backend, tmp_path)
    assert not (tmp_path / "other-machine" / f"{elsewhere.collection}.manifest.json").exists()
    report = elsewhere.ingest([shop])
    assert (report.unchanged_documents, report.chunks_indexed) == (2, 0)
    (shop / "delivery.md").unlink()
    assert elsewhere.ingest([shop]).removed_documents == 1  # where each document came from is known too


def test_bulk_loads_are_seen_by_the_other_worker(backend, tmp_path):
    writer = backend.open_kb("shop", HashEmbedder(), refresh_s=0)
    reader = other_worker(backend, tmp_path)
    assert reader.keyword_search("Z00007") == []
    chunks = [Chunk(f"bulk-{i}::0000", f"bulk-{i}", "Bulk", "B", f"item code Z{i:05d}") for i in range(10)]
    writer.add_prepared(chunks, HashEmbedder().embed_documents([c.text for c in chunks]).astype(np.float32))
    assert reader.keyword_search("Z00007")[0][0] == "bulk-7::0000"
    assert len(reader.document_ids()) == 10


def test_a_server_that_goes_away_is_reported_with_where_and_what_to_do(tmp_path, shop):
    from knowledge import KnowledgeBase

    try:
        server = start_private_server()
    except ChromaServerError as exc:
        unavailable(str(exc))
    try:
        with KnowledgeBase.open(tmp_path / "index", "shop", HashEmbedder(), chroma_host=server.host,
                                chroma_port=server.port, refresh_s=0) as kb:
            kb.ingest([shop])
            assert kb.search("sourdough")
            server.stop()
            with pytest.raises(IndexUnavailable) as caught:
                kb.search("sourdough")
    finally:
        server.stop()
    message = str(caught.value)
    assert f"Chroma server at 127.0.0.1:{server.port}" in message
    assert f"chroma run --host 127.0.0.1 --port {server.port}" in message and "knowledge.chroma_host" in message
