"""Reading a business's documents from disk: Markdown, text, HTML, PDF and FAQ tables (CSV/JSONL).

One bad file never stops the rest: it is reported in ``LoadResult.skipped`` with the reason.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.documents import Document
from knowledge.errors import DocumentUnreadable

log = logging.getLogger("tactful.knowledge")
SUPPORTED = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".html": "html", ".htm": "html",
             ".pdf": "pdf", ".csv": "faq", ".jsonl": "jsonl"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Longest run of spaces a document keeps (see ``clean``).
SPACE_RUN = 64
_SPACE_RUN = re.compile(r"[^\S\n]{%d,}" % (SPACE_RUN + 1))
#: What a bad file's reason ends with: what the person ingesting can do about it.
OR_REMOVE = "or remove it from the sources"
#: Titles are repeated in every chunk and citation: a "title" longer than this is a paragraph, cut short.
TITLE_CHARS = 200


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)


def load_path(path: Path) -> LoadResult:
    """Load one file, or every supported file under a folder (sorted, hidden files ignored)."""
    path = Path(path)
    result = LoadResult()
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file()
                       and not any(part.startswith(".") for part in p.relative_to(path).parts))
        supported = [p for p in files if p.suffix.lower() in SUPPORTED]
        if not supported:
            result.skipped.append(SkippedFile(str(path), "no supported files (.md .txt .html .pdf .csv .jsonl)"))
        for p in files:
            if p.suffix.lower() not in SUPPORTED:
                result.skipped.append(SkippedFile(str(p), f"unsupported file type '{p.suffix or 'none'}'"))
        pairs = [(p, p.relative_to(path).as_posix()) for p in supported]
    elif path.is_file():
        if path.suffix.lower() not in SUPPORTED:
            result.skipped.append(SkippedFile(str(path), f"unsupported file type '{path.suffix or 'none'}'; "
                                              "use .md .txt .html .pdf .csv or .jsonl"))
            return result
        pairs = [(path, path.name)]
    else:
        result.skipped.append(SkippedFile(str(path), "no such file or folder"))
        return result
    for file, doc_id in pairs:
        if _has_surrogates(str(file)):  # the index stores names as UTF-8: one it cannot write would stop the ingest
            result.skipped.append(SkippedFile(_printable(file), "its name is not valid UTF-8 (made on a system with "
                                              f"another encoding?); rename it, {OR_REMOVE}"))
            continue
        try:
            documents, skipped = load_file(file, doc_id)
        except DocumentUnreadable as exc:
            result.skipped.append(SkippedFile(str(file), exc.reason))
            continue
        except Exception as exc:  # a loader's own bug must not stop the other files either: report it, loudly
            log.exception("loading %s failed", file)
            result.skipped.append(SkippedFile(str(file), f"could not be loaded ({type(exc).__name__}); this is a "
                                              f"bug in Tactful, please report it with the file, {OR_REMOVE}"))
            continue
        result.documents.extend(documents)
        result.skipped.extend(skipped)
    return result


def load_file(path: Path, doc_id: str) -> tuple[list[Document], list[SkippedFile]]:
    kind = SUPPORTED[path.suffix.lower()]
    if kind == "pdf":
        from knowledge.pdf_loader import load_pdf

        return [load_pdf(path, doc_id)], []
    text, note = _read_text(path)
    meta = {"note": note} if note else {}
    if kind == "markdown":
        return [_document(doc_id, _markdown_title(text, path), text, path, kind, meta)], []
    if kind == "text":
        text = _capital_headings(text)
        return [_document(doc_id, _text_title(text, path), text, path, kind, meta)], []
    if kind == "html":
        title, body = _html_to_markdown(text, path)
        return [_document(doc_id, title, body, path, kind, meta)], []
    if kind == "faq":
        return [_faq_csv(text, path, doc_id, meta)], []
    return _jsonl(text, path, doc_id)


def clean(text: str) -> str:
    """NFC, no control characters except newline and tab, no lone surrogates, no run of spaces longer than
    ``SPACE_RUN`` (layout noise, and a heading line with thousands of spaces makes heading patterns backtrack
    for minutes)."""
    text = text.encode("utf-8", "replace").decode("utf-8") if _has_surrogates(text) else text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACE_RUN.sub(lambda m: m.group()[:SPACE_RUN], _CONTROL.sub("", text))
    return unicodedata.normalize("NFC", text)


def _printable(path: Path) -> str:
    """``path`` as text that can be printed, bytes that are not UTF-8 shown as U+FFFD."""
    return os.fsencode(path).decode("utf-8", "replace")


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def _read_text(path: Path) -> tuple[str, str]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentUnreadable(str(path), f"cannot be read ({exc.strerror or exc}); check its permissions") from None
    if _looks_binary(data):
        raise DocumentUnreadable(str(path), "looks like a binary file, not text (an image, archive or other program's "
                                 f"file renamed?); save it as UTF-8 text, {OR_REMOVE}")
    # Windows tools still save UTF-16 with a byte-order mark; everything else is read as UTF-8.
    encodings = ("utf-16", "utf-8-sig") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig",)
    for encoding in encodings:
        try:
            return clean(data.decode(encoding)), ""
        except UnicodeDecodeError:
            continue
    return clean(data.decode("utf-8", errors="replace")), "not valid UTF-8: undecodable bytes were replaced"


def _looks_binary(data: bytes) -> bool:
    """Many NULs (not UTF-16 with its byte-order mark), or many bytes that are neither UTF-8 nor text: a binary
    file. A few bad bytes (a Latin-1 "café") are text with mistakes, read with replacements."""
    sample = data[:8192]  # a stray NUL is cleaned away later; many of them mean a binary file
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if sample.count(b"\x00") > max(2, len(sample) // 50):
        return True
    text = sample.decode("utf-8", "replace")[:-1]  # the last character may be cut in two by the sample
    bad = text.count("\ufffd") + len(_CONTROL.findall(text))
    return bad > max(8, len(text) // 4)


def short_title(title: str) -> str:
    """``title`` on one line, at most ``TITLE_CHARS`` characters (cut at a word, with an ellipsis)."""
    title = " ".join(title.split())
    if len(title) <= TITLE_CHARS:
        return title
    cut = title[:TITLE_CHARS - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut[TITLE_CHARS // 2:] else cut) + "…"


def _empty(path: Path) -> DocumentUnreadable:
    return DocumentUnreadable(str(path), f"is empty (no text to index); add its text, {OR_REMOVE}")


def _document(doc_id: str, title: str, text: str, path: Path, kind: str, meta: dict) -> Document:
    if not text.strip():
        raise _empty(path)
    return Document(doc_id=doc_id, title=short_title(title) or stem_title(path), text=text.strip(),
                    source=str(path), format=kind, metadata=dict(meta))


def _markdown_title(text: str, path: Path) -> str:
    # Closing hashes are stripped in Python: "(.+?)\s*#*\s*$" backtracks cubically over a long run of spaces.
    match = re.search(r"^#[ \t]+(.*\S)", text, re.MULTILINE)
    return (match.group(1).rstrip("#").strip() if match else "") or stem_title(path)


_CAPITAL_LINE = re.compile(r"^(?=[^a-z\n]*[A-Z]{2})[A-Z0-9 &'’,.:()/+-]{3,80}$", re.MULTILINE)
_SMALL_WORDS = frozenset("a an and as at by for in of on or the to with".split())


def _headline(line: str) -> str:
    """"OPENING HOURS AND HOLIDAY CLOSURES" -> "Opening Hours and Holiday Closures"."""
    words = line.strip().rstrip(":").split()
    return " ".join(w if i == 0 and len(w) <= 3 and "." in w else
                    (w.lower() if i and w.lower() in _SMALL_WORDS else w.capitalize())
                    for i, w in enumerate(words))


def _capital_headings(text: str) -> str:
    """Plain-text documents often mark sections with a line in capitals ("IN THE SHOP"): make those
    Markdown headings (the first one the title), so chunks follow the sections and read naturally."""
    first = True

    def heading(match: re.Match[str]) -> str:
        nonlocal first
        level = "#" if first and not text[:match.start()].strip() else "##"
        first = False
        return f"{level} {_headline(match.group())}"

    return _CAPITAL_LINE.sub(heading, text)


def _text_title(text: str, path: Path) -> str:
    heading = re.match(r"\s*#\s+(.+)", text)
    if heading:
        return heading.group(1).strip()
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if 0 < len(first) <= 80 and not first.endswith(".") else stem_title(path)


def stem_title(path: Path) -> str:
    return path.stem.replace("-", " ").replace("_", " ").strip().capitalize()


_BLOCKS = frozenset(["h1", "h2", "h3", "h4", "p", "li", "td", "th", "dt", "dd", "pre", "blockquote", "address",
                     "figcaption"])
#: Blocks whose text is read whole, blocks inside them included (a list item's sub-list, a cell's paragraphs).
_WHOLE_BLOCKS = frozenset(["li", "td", "th", "blockquote", "dd", "address"])


def _html_to_markdown(html: str, path: Path) -> tuple[str, str]:
    from bs4 import BeautifulSoup
    from bs4.builder import ParserRejectedMarkup

    try:
        soup = BeautifulSoup(html, "html.parser")
    except ParserRejectedMarkup as exc:
        raise DocumentUnreadable(str(path), f"is not HTML that can be read ({exc}); save the page again from a "
                                 "browser, or as Markdown or text") from None
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript", "template", "form"]):
        tag.decompose()
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    h1 = soup.find("h1")
    if h1 is not None:
        title = h1.get_text(" ", strip=True) or title
    lines: list[str] = []
    body = soup.body or soup
    for name, pieces in _html_blocks(body):
        # An <address> puts each part on its own line (<br>): "14 Larch Street, Alder Green, London SE15".
        text = " ".join((", " if name == "address" else " ").join(pieces).split())
        text = re.sub(r"\s+(?=[.,;:!?](?:\s|$))", "", text)  # "<strong>x</strong>." is "x.", not "x ."
        if not text:
            continue
        if name in ("h1", "h2", "h3", "h4"):
            lines.append("\n" + "#" * int(name[1]) + " " + text + "\n")
        elif name == "li":
            lines.append("- " + text)
        else:
            lines.append(text + "\n")
    if not lines:  # a page laid out in <div>s and <span>s only: its text, a line per line
        lines = [" ".join(line.split()) for line in body.get_text("\n").splitlines() if line.strip()]
    return short_title(title) or stem_title(path), clean("\n".join(lines))


def _html_blocks(body) -> list[tuple[str, list[str]]]:
    """Each block element under ``body`` in document order, with its own stripped strings. A block inside a
    paragraph is a block of its own (HTML leaves ``</p>`` out: "<p>one<p>two" nests), one inside a list item,
    cell or quote is part of it. One pass with a stack: a page nested thousands deep costs no more than its size."""
    from bs4 import CData, NavigableString, Tag

    blocks: list[tuple[str, list[str]]] = []
    stack: list[tuple[object, int | None]] = [(body, None)]
    while stack:
        node, owner = stack.pop()
        if isinstance(node, Tag):
            if node.name in _BLOCKS and (owner is None or blocks[owner][0] not in _WHOLE_BLOCKS):
                blocks.append((node.name, []))
                owner = len(blocks) - 1
            stack.extend((child, owner) for child in reversed(node.contents))
        elif owner is not None and type(node) in (NavigableString, CData):  # not comments, doctypes
            text = str(node).strip()
            if text:
                blocks[owner][1].append(text)
    return blocks


def _faq_rows_to_text(rows: list[tuple[str, str]]) -> str:
    return "\n\n".join(f"## {q.strip()}\n{a.strip()}" for q, a in rows)


def _faq_csv(text: str, path: Path, doc_id: str, meta: dict) -> Document:
    if not text.strip():
        raise _empty(path)
    try:
        sample = text[:4096]
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise _empty(path) from None
    except csv.Error as exc:
        raise _bad_csv(path, exc) from None
    q_col = next((header.index(n) for n in ("question", "q") if n in header), None)
    a_col = next((header.index(n) for n in ("answer", "a") if n in header), None)
    if q_col is None or a_col is None:
        found = ", ".join(short_title(h)[:40] for h in header[:8]) + (", …" if len(header) > 8 else "")
        raise DocumentUnreadable(str(path), f"needs 'question' and 'answer' columns (found: {found}); name the "
                                 "first row's columns question and answer")
    rows = []
    try:
        for row in reader:
            if len(row) > max(q_col, a_col) and row[q_col].strip() and row[a_col].strip():
                rows.append((row[q_col], row[a_col]))
    except csv.Error as exc:
        raise _bad_csv(path, exc) from None
    if not rows:
        raise DocumentUnreadable(str(path), "has no question/answer rows (each row needs both); add some, "
                                 + OR_REMOVE)
    return Document(doc_id=doc_id, title="Frequently asked questions", text=_faq_rows_to_text(rows),
                    source=str(path), format="faq", metadata={**meta, "faq": True})


def _bad_csv(path: Path, exc: csv.Error) -> DocumentUnreadable:
    return DocumentUnreadable(str(path), f"is not valid CSV ({exc}); check its quotes, or save it again as CSV")


def _jsonl(text: str, path: Path, doc_id: str) -> tuple[list[Document], list[SkippedFile]]:
    faq_rows: list[tuple[str, str]] = []
    documents: list[Document] = []
    skipped: list[SkippedFile] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            skipped.append(SkippedFile(f"{path}:{number}", f"not valid JSON ({exc.msg}); line skipped"))
            continue
        except RecursionError:
            skipped.append(SkippedFile(f"{path}:{number}", "JSON nested too deeply to read; line skipped"))
            continue
        if not isinstance(record, dict):
            skipped.append(SkippedFile(f"{path}:{number}", "not a JSON object; line skipped"))
            continue
        if isinstance(record.get("question"), str) and isinstance(record.get("answer"), str):
            faq_rows.append((record["question"], record["answer"]))
        elif isinstance(record.get("content"), str) and record["content"].strip():
            rid = str(record.get("id") or number)
            title = str(record.get("title") or rid)
            documents.append(Document(doc_id=f"{doc_id}#{rid}", title=short_title(clean(title)) or rid,
                                      text=clean(record["content"]),
                                      source=str(path), format="jsonl"))
        else:
            skipped.append(SkippedFile(f"{path}:{number}", "needs {question, answer} or {id, title, content}; "
                                       "line skipped"))
    if faq_rows:
        documents.insert(0, Document(doc_id=doc_id, title="Frequently asked questions",
                                     text=clean(_faq_rows_to_text(faq_rows)), source=str(path), format="faq",
                                     metadata={"faq": True}))
    if not documents and not skipped:
        raise _empty(path)
    return documents, skipped
