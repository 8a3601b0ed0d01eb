"""Fixtures for the knowledge tests: tiny documents written in the test, PDFs built by hand, and the two
places an index can live (an embedded folder, a Chroma server) for the tests that must hold for both."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.chroma_server import ChromaServer, start_chroma


def pdf_bytes(pages: list[str]) -> bytes:
    """A minimal valid PDF, one page per string (Helvetica, one line each); an empty string is a blank page.

    Written by hand so the tests need no PDF-writing package.
    """
    objects: list[bytes] = []
    page_ids = [4 + 2 * i for i in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for pid, text in zip(page_ids, pages):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = f"BT /F1 12 Tf 72 720 Td ({escaped}) Tj ET".encode("latin-1") if text else b""
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       f"/Resources << /Font << /F1 3 0 R >> >> /Contents {pid + 1} 0 R >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return pdf_file(objects)


def pdf_file(objects: list[bytes]) -> bytes:
    """The PDF file holding ``objects`` (object 1 the catalogue), with its cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def encrypted_pdf_bytes(text: str, user_password: str, tmp: Path) -> bytes:
    """The minimal PDF encrypted with pypdf (RC4-128: pypdf does it without the 'cryptography' package)."""
    from pypdf import PdfReader, PdfWriter

    plain = tmp / "plain-for-encryption.pdf"
    plain.write_bytes(pdf_bytes([text]))
    writer = PdfWriter(clone_from=PdfReader(str(plain)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    target = tmp / "encrypted-out.pdf"
    with target.open("wb") as handle:
        writer.write(handle)
    plain.unlink()
    data = target.read_bytes()
    target.unlink()
    return data


@pytest.fixture
def write(tmp_path: Path):
    """write("docs/a.md", "text") -> the Path, parents created; bytes are written as they are."""

    def _write(relative: str, content: str | bytes) -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write


@pytest.fixture(scope="session")
def chroma_server():
    """A real Chroma server for the session (tests/chroma_server.py says where it comes from)."""
    server = start_chroma()
    yield server
    server.stop()


@dataclass
class Backend:
    """Where a test's index lives: ``embedded`` (a folder of its own) or ``server`` (the shared server).

    Collection names get a suffix of the test's own, so tests never meet on the shared server; what
    ``open_index`` and ``open_kb`` give out is closed, and the server's collections deleted, after the test.
    """

    kind: str
    folder: Path
    server: ChromaServer | None = None
    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    opened: list[Any] = field(default_factory=list)
    names: set[str] = field(default_factory=set)

    def name(self, collection: str) -> str:
        self.names.add(f"{collection}-{self.suffix}")
        return f"{collection}-{self.suffix}"

    def where(self) -> dict[str, Any]:
        """``ChromaIndex.open``'s arguments saying where the index is."""
        if self.server is not None:
            return {"host": self.server.host, "port": self.server.port}
        return {"path": self.folder / "index" / "chroma"}

    def open_index(self, collection: str):
        from knowledge.vector_index import ChromaIndex

        index = ChromaIndex.open(self.name(collection), **self.where())
        self.opened.append(index)
        return index

    def open_kb(self, collection: str, embedder, index_dir: Path | None = None, refresh_s: float = 2.0):
        """A KnowledgeBase; ``index_dir`` apart from the default stands for another machine (server only:
        an embedded index lives in its ``index_dir``)."""
        from knowledge import KnowledgeBase

        server = self.server
        kb = KnowledgeBase.open(index_dir or self.folder / "index", self.name(collection), embedder,
                                chroma_host=server.host if server else None,
                                chroma_port=server.port if server else 8000, refresh_s=refresh_s)
        self.opened.append(kb)
        return kb

    def close(self) -> None:
        for thing in self.opened:
            thing.close()
        if self.server is not None:
            for name in self.names:
                self.server.drop_collection(name)


@pytest.fixture(params=["embedded", "server"])
def backend(request, tmp_path):
    """Each test that takes it runs twice: on an embedded folder, then on the session's Chroma server."""
    server = request.getfixturevalue("chroma_server") if request.param == "server" else None
    where = Backend(request.param, tmp_path, server)
    yield where
    where.close()
