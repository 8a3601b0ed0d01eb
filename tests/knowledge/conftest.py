"""Fixtures for the knowledge tests: tiny documents written in the test, PDFs built by hand."""

from __future__ import annotations

from pathlib import Path

import pytest


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
