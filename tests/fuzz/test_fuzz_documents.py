"""Hostile files given to `tactful ingest`: a document or a clear DocumentUnreadable naming the file and the
fix, never another exception, never a hang, and the good files of a folder still loaded beside the bad one."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from agent.cli import app
from knowledge import DocumentUnreadable, HashEmbedder, KnowledgeBase
from knowledge.chunking import chunk_document
from knowledge.loaders import OR_REMOVE, SUPPORTED, TITLE_CHARS, load_file, load_path
from tests.fuzz.conftest import FUZZ
from tests.fuzz.strategies import document_bytes, mutated, zalgo_text
from tests.knowledge.conftest import pdf_bytes

#: Each example must finish well inside this; a loader that backtracks or loops fails instead of hanging.
DOCS = settings(FUZZ, deadline=timedelta(seconds=20))
GOOD_PDF = pdf_bytes(["Opening hours", "We open at 8am and close at 6pm."])
RLO, PDF_MARK = "\u202e", "\u202c"


def load(folder: Path, name: str, data: bytes):
    """``load_file`` on ``data`` saved as ``name``: the documents, or the DocumentUnreadable it raised."""
    path = folder / name
    path.write_bytes(data)
    try:
        documents, skipped = load_file(path, name)
    except DocumentUnreadable as exc:
        assert str(exc).startswith(str(path)) and exc.path == str(path)
        assert exc.reason.strip() and "Traceback" not in exc.reason
        return exc
    for document in documents:
        assert document.text.strip() and document.title.strip()
        assert len(document.title) <= TITLE_CHARS and "\n" not in document.title
        for text in (document.text, document.title):
            text.encode("utf-8")  # no lone surrogates
            assert "\x00" not in text
        assert isinstance(chunk_document(document), list)  # what ingest does next works too
    assert all(s.path.startswith(str(path)) and s.reason for s in skipped)
    return documents


@pytest.mark.timeout(600)
@DOCS
@given(data=document_bytes(), extension=st.sampled_from(sorted(SUPPORTED)))
def test_any_bytes_under_any_supported_name_load_or_fail_clearly(tmp_path_factory, data, extension):
    load(tmp_path_factory.mktemp("doc"), f"upload{extension}", data)


@pytest.mark.timeout(600)
@DOCS
@given(data=mutated(GOOD_PDF))
def test_a_damaged_pdf_loads_or_fails_clearly(tmp_path_factory, data):
    outcome = load(tmp_path_factory.mktemp("pdf"), "damaged.pdf", data)
    if isinstance(outcome, DocumentUnreadable):
        assert "PDF" in outcome.reason or "no text" in outcome.reason


@pytest.mark.timeout(600)
@DOCS
@given(text=zalgo_text(300), extension=st.sampled_from([".md", ".txt", ".html", ".jsonl"]))
def test_zalgo_and_bidi_text_is_loaded_as_written(tmp_path_factory, text, extension):
    body = f"{RLO}{text}{PDF_MARK} and delivery is free"
    data = json.dumps({"id": "z", "title": "Zalgo", "content": body}) if extension == ".jsonl" else \
        f"<p>{body}</p>" if extension == ".html" else f"# Zalgo\n\n{body}\n"
    documents = load(tmp_path_factory.mktemp("zalgo"), f"zalgo{extension}", data.encode("utf-8", "surrogatepass"))
    assert isinstance(documents, list) and "delivery is free" in documents[0].text


# --- hand-made hostile files -------------------------------------------------------------------------------

UNREADABLE = [
    pytest.param(name, data, words, id=name) for name, data, words in [
        *[(f"empty{ext}", b"", "empty") for ext in SUPPORTED],
        *[(f"blank{ext}", b"  \n\t\n", "empty") for ext in (".md", ".txt", ".html", ".csv", ".jsonl")],
        *[(f"garbage{ext}", bytes(range(256)) * 16, "binary") for ext in (".md", ".txt", ".html", ".csv", ".jsonl")],
        ("nuls.txt", b"\x00" * 4000, "binary"),
        ("photo.md", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "binary"),
        ("notes.pdf", b"# Notes\n\nThis is Markdown with the wrong name.\n", "does not start with %PDF-"),
        ("archive.pdf", b"PK\x03\x04" + bytes(range(256)) * 8, "does not start with %PDF-"),
        ("header-only.pdf", b"%PDF-1.7\n", "not a readable PDF"),
        ("truncated.pdf", GOOD_PDF[: len(GOOD_PDF) // 2], "not a readable PDF"),
        ("cut-at-the-end.pdf", GOOD_PDF[:-30], "not a readable PDF"),
        ("garbage-after-header.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 8, "not a readable PDF"),
        ("columns.csv", b"a,b\n1,2\n", "question' and 'answer' columns"),
        ("wide.csv", (",".join(f"col{i}" for i in range(500)) + "\n1,2\n").encode(), "question' and 'answer' columns"),
        ("quote.csv", b'question,answer\n"never closed,x\n', "no question/answer rows"),
        ("huge-field.csv", b"question,answer\nq," + b"a" * 200_000 + b"\n", "not valid CSV"),
    ]
]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name, data, words", UNREADABLE)
def test_a_bad_file_is_refused_with_its_name_and_what_to_do(tmp_path, name, data, words):
    outcome = load(tmp_path, name, data)
    assert isinstance(outcome, DocumentUnreadable), outcome
    assert words in outcome.reason
    assert name in str(outcome)
    assert any(fix in outcome.reason for fix in (OR_REMOVE, "name the first row's columns", "save it again"))
    assert len(outcome.reason) < 400  # a garbage header or a parser's dump is not repeated whole


LOADED = [
    pytest.param("utf16.md", "# Hours\n\nWe open at 8.\n".encode("utf-16"), "We open at 8.", id="utf16-le-bom"),
    pytest.param("utf16be.txt", "\ufeffHours\nWe open at 8.\n".encode("utf-16-be"), "We open at 8.",
                 id="utf16-be-bom"),
    pytest.param("latin1.md", "# Café\n\nCrème brûlée every day.\n".encode("latin-1"), "every day", id="latin1"),
    pytest.param("nul.md", b"# Nul\n\nWe\x00 deliver\x00 daily.\n", "We deliver daily.", id="stray-nuls"),
    pytest.param("bom.md", b"\xef\xbb\xbf# Hours\n\nWe open at 8.\n", "We open at 8.", id="utf8-bom"),
    pytest.param("one-line.txt", b"word " * 400_000, "word word", id="huge-single-line"),
    pytest.param("no-spaces.md", b"x" * 3_000_000, "xxxx", id="huge-single-word"),
    pytest.param("spaces.md", b"# a" + b" " * 20_000 + b"b\n\nWe open at 8.\n", "We open at 8.",
                 id="heading-with-a-long-run-of-spaces"),
    pytest.param("tabs.md", b"## x" + b"\t \xe3\x80\x80" * 5_000 + b"y\n\nWe open at 8.\n", "We open at 8.",
                 id="subheading-with-a-long-run-of-blanks"),
    pytest.param("divs.html", b"<div>" * 50_000 + b"We open at 8." + b"</div>" * 50_000, "We open at 8.",
                 id="deeply-nested-divs"),
    pytest.param("unclosed.html", b"<body>" + b"<p><b><i>" * 20_000 + b"We open at 8.", "We open at 8.",
                 id="deeply-nested-unclosed-tags"),
    pytest.param("zalgo.md", "# Z̷a̷l̷g̷o̷\n\nW̷e̷ o̷p̷e̷n̷ at 8.\n".encode(), "W̷e̷ o̷p̷e̷n̷ at 8.", id="zalgo"),
    pytest.param("rlo.md", f"# Hours\n\nWe open at {RLO}8{PDF_MARK}.\n".encode(), f"{RLO}8{PDF_MARK}", id="rlo"),
    pytest.param("deep.jsonl", b'{"id": "a", "title": "A", "content": "We open at 8."}\n' + b"[" * 100_000
                 + b"]" * 100_000 + b"\n", "We open at 8.", id="jsonl-nested-too-deep"),
    pytest.param("lone.jsonl", b'{"id": "a", "title": "\\ud800", "content": "We open \\udfff at 8."}\n', "at 8.",
                 id="jsonl-lone-surrogates"),
]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name, data, expected", LOADED)
def test_an_odd_but_readable_file_is_loaded(tmp_path, name, data, expected):
    documents = load(tmp_path, name, data)
    assert isinstance(documents, list) and documents, documents
    assert expected in documents[0].text


def test_html_paragraphs_left_open_are_read_once_each(tmp_path):
    """HTML lets "</p>" out, and the parser then nests each paragraph in the one before: no text twice."""
    (document,) = load(tmp_path, "open.html", b"<body><h1>Hours</h1><p>We open at 8.<p>We close at 6.<p>Sundays off.")
    assert document.text == "# Hours\n\nWe open at 8.\n\nWe close at 6.\n\nSundays off."


def test_a_page_of_divs_only_is_read_not_called_empty(tmp_path):
    (document,) = load(tmp_path, "divs.html", b"<html><body><div>Opening hours</div><div><span>We open at 8."
                                              b"</span></div></body></html>")
    assert document.text == "Opening hours\nWe open at 8."


def test_a_paragraph_long_heading_makes_a_short_title(tmp_path):
    (document,) = load(tmp_path, "long.md", ("# " + "very " * 2_000 + "long\n\nBody text.\n").encode())
    assert document.title.endswith("…") and len(document.title) <= TITLE_CHARS


# --- a folder with bad files among good ones ----------------------------------------------------------------

HOSTILE_FOLDER = {
    "good.md": b"# Delivery\n\nWe deliver within 3 miles of the shop.\n",
    "faq.csv": b"question,answer\nDo you sell coffee?,Yes: espresso and filter.\n",
    "empty.md": b"", "garbage.txt": bytes(range(256)) * 16, "fake.pdf": b"just text",
    "truncated.pdf": GOOD_PDF[: len(GOOD_PDF) // 2], "columns.csv": b"a,b\n1,2\n",
    "deep.html": b"<div>" * 20_000 + b"</div>" * 20_000,
}
NOT_UTF8_NAME = os.fsdecode(b"men\xfc.md")  # saved by a system writing names in Latin-1
BAD = {"empty.md", "garbage.txt", "fake.pdf", "truncated.pdf", "columns.csv", "deep.html", "men\ufffd.md"}


@pytest.fixture
def hostile_folder(tmp_path) -> Path:
    folder = tmp_path / "kb"
    folder.mkdir()
    for name, data in HOSTILE_FOLDER.items():
        (folder / name).write_bytes(data)
    (folder / NOT_UTF8_NAME).write_bytes(b"# Menu\n\nSourdough every day.\n")
    return folder


@pytest.mark.timeout(120)
def test_a_folder_with_bad_files_loads_the_good_ones_and_names_each_bad_one(hostile_folder):
    result = load_path(hostile_folder)
    assert sorted(d.doc_id for d in result.documents) == ["faq.csv", "good.md"]
    assert sorted(Path(s.path).name for s in result.skipped) == sorted(BAD)
    reason = next(s.reason for s in result.skipped if "men" in s.path)
    assert "not valid UTF-8" in reason and "rename it" in reason


def test_a_loader_bug_on_one_file_is_reported_and_the_rest_still_load(hostile_folder, monkeypatch, caplog):
    def broken(html, path):
        raise RecursionError("a parser gave up")

    monkeypatch.setattr("knowledge.loaders._html_to_markdown", broken)
    (hostile_folder / "page.html").write_text("<p>We open at 8.</p>")
    result = load_path(hostile_folder)
    assert sorted(d.doc_id for d in result.documents) == ["faq.csv", "good.md"]
    reason = next(s.reason for s in result.skipped if s.path.endswith("page.html"))
    assert "RecursionError" in reason and "please report it" in reason
    assert "page.html" in caplog.text  # logged with its traceback for the report


@pytest.mark.timeout(300)
def test_ingest_indexes_only_the_good_files_and_reports_the_bad(hostile_folder, tmp_path):
    with KnowledgeBase.open(tmp_path / "index", "hostile", HashEmbedder()) as kb:
        report = kb.ingest([hostile_folder])
        assert report.added_documents == 2
        assert sorted(Path(s.path).name for s in report.skipped) == sorted(BAD)
        stored = {chunk.doc_id for chunk in kb.vectors.all_chunks()}
        assert stored == {"good.md", "faq.csv"}  # nothing of a bad file half-written into the index
        assert kb.search("do you deliver?")[0].chunk.doc_id == "good.md"


@pytest.mark.timeout(300)
def test_tactful_ingest_of_a_hostile_folder_reports_and_goes_on(hostile_folder, tmp_path):
    env = {"TACTFUL_DATA_DIR": str(tmp_path / "data"), "TACTFUL_LLM__PROVIDER": "extractive",
           "TACTFUL_KNOWLEDGE__SOURCES": json.dumps([str(hostile_folder)]), "COLUMNS": "300"}
    result = CliRunner().invoke(app, ["ingest", str(hostile_folder)], env=env)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "2 added" in result.output
    for name in BAD:
        assert name in result.output
    assert "not valid UTF-8" in result.output
