"""PDF documents: text rebuilt from where and how big each piece was printed (pypdf's text visitor).

Larger or bold short lines become Markdown headings, lines wrapped inside a paragraph or bullet are
joined, widely spaced cells become a table, footers repeated on several pages are dropped; when the
visitor cannot place the text, plain extraction is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from knowledge.documents import Document
from knowledge.errors import DocumentUnreadable
from knowledge.loaders import OR_REMOVE, clean, short_title, stem_title

#: A PDF starts with "%PDF-", give or take some bytes of junk (which readers allow within the first kilobyte).
_PDF_MAGIC_WITHIN = 1024


def load_pdf(path: Path, doc_id: str) -> Document:
    """The PDF at ``path`` as one document (Markdown headings, joined paragraphs, tables), or DocumentUnreadable."""
    import logging

    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    _check_pdf_header(path)
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise DocumentUnreadable(str(path), "is password-protected; save an unprotected copy and ingest that")
            except DocumentUnreadable:
                raise
            except DependencyError:
                raise DocumentUnreadable(str(path), "is AES-encrypted and reading it needs the 'cryptography' package: "
                                         "pip install cryptography, or save an unencrypted copy") from None
            except Exception:
                raise DocumentUnreadable(str(path), "is password-protected; save an unprotected copy and ingest that") from None
        pages = [_pdf_page_text(page) for page in reader.pages]
        title = ""
        if reader.metadata is not None and reader.metadata.title:
            title = str(reader.metadata.title)
    except DocumentUnreadable:
        raise
    except Exception as exc:  # a damaged file makes pypdf fail in many ways: zlib, struct, recursion, lookups
        detail = " ".join(str(exc).split())[:200]
        raise DocumentUnreadable(str(path), f"is not a readable PDF ({type(exc).__name__}: {detail}); "
                                 f"re-export it from the program that made it, {OR_REMOVE}") from None
    text = clean(_pdf_markdown([p for p in pages if any(line.text for line in p)]))
    if not text.strip():
        raise DocumentUnreadable(str(path), "no text (scanned image?): nothing could be extracted; "
                                 "add a text version or an OCR'd copy")
    title = short_title(clean(title))
    if not title:
        first = next((line.strip().lstrip("#").strip() for line in text.splitlines() if line.strip()), "")
        title = first if 0 < len(first) <= 80 else stem_title(path)
    return Document(doc_id=doc_id, title=title, text=text, source=str(path), format="pdf",
                    metadata={"pages": len(pages)})


def _check_pdf_header(path: Path) -> None:
    """A file named .pdf that is not one (empty, text, an image) is said to be so, not parsed into a riddle."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_PDF_MAGIC_WITHIN)
    except OSError as exc:
        raise DocumentUnreadable(str(path), f"cannot be read ({exc.strerror or exc}); check its permissions") from None
    if not head:
        raise DocumentUnreadable(str(path), f"is not a readable PDF: the file is empty; export it again, {OR_REMOVE}")
    if b"%PDF-" not in head:
        raise DocumentUnreadable(str(path), "is not a readable PDF: it does not start with %PDF- (another kind of "
                                 f"file renamed?); export it as PDF or give it its real extension, {OR_REMOVE}")


@dataclass
class _PdfLine:
    """One printed line of a PDF page: its text pieces (table cells when far apart), position and font size."""

    cells: list[str]
    y: float | None
    size: float
    bold: bool

    @property
    def text(self) -> str:
        return " ".join(c for c in self.cells if c)


_BULLET = re.compile(r"^(?:[-*•‣▪◦–]|\d{1,2}[.)])\s")


def _pdf_page_text(page) -> list[_PdfLine]:
    """The page's lines with where and how big they were printed, read through pypdf's text visitor.

    Pieces printed far apart on one line are kept as separate cells (a table row). A page the visitor
    cannot place falls back to plain extracted lines, without positions.
    """
    lines: list[_PdfLine] = []
    last_end = 0.0

    def visit(text, cm, tm, font, size) -> None:
        nonlocal last_end
        text = text.replace("\n", " ")
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = (abs(tm[0] * tm[3] - tm[1] * tm[2]) * abs(cm[0] * cm[3] - cm[1] * cm[2])) ** 0.5 or 1.0
        height = float(size or 0) * scale or 10.0
        name = str((font or {}).get("/BaseFont", "")) if hasattr(font, "get") else ""
        bold = any(w in name for w in ("Bold", "Black", "Heavy", "Semibold"))
        current = lines[-1] if lines else None
        if current is not None and current.y is not None and abs(current.y - y) < 0.3 * height:
            # A wide gap after the previous piece's estimated end is a new cell (Helvetica averages ~0.5 em).
            if x - last_end > 3 * height:
                current.cells.append(text.strip())
            else:
                current.cells[-1] = (current.cells[-1] + (" " if text[:1] == " " else "") + text.strip()).strip()
            current.size = max(current.size, height)
            current.bold = current.bold and bold
        else:
            lines.append(_PdfLine([text.strip()], y, height, bold))
        last_end = x + 0.5 * height * len(text) * 1.15

    plain = page.extract_text(visitor_text=visit) or ""
    if not lines or sum(len(line.text) for line in lines) < 0.5 * len(plain.replace("\n", "").strip()):
        return [_PdfLine([line.strip()], None, 0.0, False) for line in plain.splitlines() if line.strip()]
    return lines


def _pdf_markdown(pages: list[list[_PdfLine]]) -> str:
    """Printed lines back into Markdown: larger type becomes headings, lines wrapped inside a paragraph or a
    bullet are joined into one line, rows of cells become a table, and running headers and footers (the
    same line, page numbers aside, on every page) are dropped."""
    def key(line: _PdfLine) -> str:
        return re.sub(r"\d+", "#", line.text.lower()).strip()

    if len(pages) > 1:
        edges: dict[str, int] = {}
        for lines in pages:
            for k in {key(line) for line in lines[:1] + lines[-1:]}:
                edges[k] = edges.get(k, 0) + 1
        running = {k for k, n in edges.items() if n >= max(2, len(pages) // 2 + 1)}
        pages = [[line for i, line in enumerate(lines) if not ((i == 0 or i == len(lines) - 1) and key(line) in running)]
                 for lines in pages]
    sized = [(line.size, len(line.text)) for lines in pages for line in lines if line.y is not None]
    counts: dict[float, int] = {}
    for size, n in sized:
        counts[round(size, 1)] = counts.get(round(size, 1), 0) + n
    body = max(counts, key=counts.get) if counts else 0.0
    heading_sizes = sorted({round(s, 1) for s, _ in sized if s >= body * 1.15}, reverse=True)
    pitches = [a.y - b.y for lines in pages for a, b in zip(lines, lines[1:])
               if a.y is not None and b.y is not None and 0.8 * body <= a.y - b.y and round(a.size, 1) == body
               and round(b.size, 1) == body]
    pitch = min(pitches) if pitches else 0.0

    def level(line: _PdfLine) -> int:
        if line.y is None or len(line.cells) > 1 or len(line.text.split()) > 14 or _BULLET.match(line.text):
            return 0
        if round(line.size, 1) in heading_sizes:
            return min(3, heading_sizes.index(round(line.size, 1)) + 1)
        if line.bold and body and len(line.text.split()) <= 8 and not re.search(r"[.,;:!?]$", line.text):
            return min(3, len(heading_sizes) + 1)  # a bold sub-heading in body type
        return 0

    blocks: list[str] = []
    for lines in pages:
        paragraph: list[str] = []
        table: list[list[str]] = []
        previous: _PdfLine | None = None

        def flush() -> None:
            if paragraph:
                blocks.append("\n".join(paragraph))
                paragraph.clear()
            if len(table) > 1:
                width = max(len(row) for row in table)
                rows = [row + [""] * (width - len(row)) for row in table]
                rendered = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
                rendered += ["| " + " | ".join(row) + " |" for row in rows[1:]]
                blocks.append("\n".join(rendered))
            elif table:
                paragraph.append(" ".join(table[0]))
                blocks.append("\n".join(paragraph))
                paragraph.clear()
            table.clear()

        for line in lines:
            text = line.text
            depth = level(line)
            if depth:
                flush()
                blocks.append("#" * depth + " " + text)
                previous = None
                continue
            if len(line.cells) > 1 and line.y is not None:
                if not table:
                    flush()
                table.append(line.cells)
                previous = None
                continue
            if table:
                flush()
            if previous is not None and paragraph and not _BULLET.match(text) and _continues(previous, line, pitch):
                paragraph[-1] += " " + text
            elif previous is not None and paragraph and (_BULLET.match(text) or _BULLET.match(paragraph[-1])) \
                    and (line.y is None or previous.y is None or previous.y - line.y <= 1.5 * pitch):
                paragraph.append(text)  # the next item of a list
            else:
                flush()
                paragraph.append(text)
            previous = line
        flush()
    return "\n\n".join(blocks)


def _continues(previous: _PdfLine, line: _PdfLine, pitch: float) -> bool:
    """Is ``line`` the same paragraph as the line above, wrapped? Judged by line spacing when positions are
    known, else by the text: the line above does not finish a sentence and this one starts in lower case."""
    if previous.y is not None and line.y is not None and pitch:
        return 0 < previous.y - line.y <= 1.3 * pitch
    return not re.search(r"[.!?:]$", previous.text) and line.text[:1].islower()
