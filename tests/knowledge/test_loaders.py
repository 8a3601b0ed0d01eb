"""Loading a business's files: every format, and bad files reported without stopping the rest."""

from __future__ import annotations

import json
import os

from tests.knowledge.conftest import encrypted_pdf_bytes, pdf_bytes, pdf_file

from knowledge.loaders import load_path


def by_id(result):
    return {d.doc_id: d for d in result.documents}



def test_markdown_title_from_first_heading_and_ids_relative_to_the_folder(tmp_path, write):
    write("docs/delivery.md", "Intro line\n\n# Delivery\n\n## Fees\nDelivery costs £4.\n")
    write("docs/sub/notes.md", "No heading here, just notes.\n")
    result = load_path(tmp_path / "docs")
    docs = by_id(result)
    assert set(docs) == {"delivery.md", "sub/notes.md"}
    assert docs["delivery.md"].title == "Delivery"
    assert docs["sub/notes.md"].title == "Notes"
    assert docs["delivery.md"].format == "markdown"
    assert result.skipped == []


def test_a_single_file_gets_its_name_as_id(write):
    path = write("deep/folder/returns.txt", "Returns\n\nBring it back within 30 days.")
    result = load_path(path)
    assert [d.doc_id for d in result.documents] == ["returns.txt"]
    assert result.documents[0].text.endswith("within 30 days.")


def test_hidden_files_are_ignored_and_the_walk_is_sorted(tmp_path, write):
    write("kb/b.md", "# B\nbee")
    write("kb/a.md", "# A\nay")
    write("kb/.secret.md", "# Hidden\nno")
    write("kb/.git/config.md", "# Git\nno")
    assert [d.doc_id for d in load_path(tmp_path / "kb").documents] == ["a.md", "b.md"]


def test_html_drops_scripts_and_navigation_and_keeps_headings(write):
    path = write("page.html", """<html><head><title>Shop info</title><style>p{color:red}</style></head>
        <body><nav><a href="/">Home</a> Menu link</nav><script>var tracking = 1;</script>
        <h1>Visiting us</h1><p>We are on the High Street.</p>
        <h2>Parking</h2><p>Free parking behind the shop.</p><ul><li>Step-free entrance</li></ul></body></html>""")
    doc = load_path(path).documents[0]
    assert doc.title == "Visiting us"
    assert "# Visiting us" in doc.text and "## Parking" in doc.text
    assert "Free parking behind the shop." in doc.text and "- Step-free entrance" in doc.text
    assert "tracking" not in doc.text and "color" not in doc.text and "Menu link" not in doc.text


def test_html_title_falls_back_to_the_title_tag(write):
    doc = load_path(write("p.htm", "<html><head><title>Careers</title></head><body><p>Join us.</p></body></html>"))
    assert doc.documents[0].title == "Careers"


def test_pdf_text_is_extracted(write):
    doc = load_path(write("menu.pdf", pdf_bytes(["Sourdough costs 4 pounds.", "We open at 8am."]))).documents[0]
    assert "Sourdough costs 4 pounds." in doc.text and "We open at 8am." in doc.text
    assert doc.format == "pdf" and doc.metadata["pages"] == 2


def test_corrupt_pdf_is_skipped_with_a_reason_and_the_rest_still_loads(tmp_path, write):
    write("kb/broken.pdf", os.urandom(2048))
    write("kb/good.md", "# Good\nStill here.")
    result = load_path(tmp_path / "kb")
    assert [d.doc_id for d in result.documents] == ["good.md"]
    assert len(result.skipped) == 1 and result.skipped[0].path.endswith("broken.pdf")
    assert "not a readable PDF" in result.skipped[0].reason


def test_password_protected_pdf_is_skipped_as_such(tmp_path, write):
    write("kb/locked.pdf", encrypted_pdf_bytes("Staff-only price list", "hunter2", tmp_path))
    result = load_path(tmp_path / "kb")
    assert result.documents == []
    assert "password-protected" in result.skipped[0].reason


def test_pdf_encrypted_with_an_empty_password_is_read(tmp_path, write):
    write("kb/open.pdf", encrypted_pdf_bytes("Opening hours are 8 to 4.", "", tmp_path))
    assert "Opening hours are 8 to 4." in load_path(tmp_path / "kb").documents[0].text


def test_pdf_without_text_is_skipped_as_a_probable_scan(write):
    result = load_path(write("scan.pdf", pdf_bytes([""])))
    assert result.documents == []
    assert "no text (scanned image?)" in result.skipped[0].reason


def test_faq_csv_becomes_one_document_with_a_block_per_question(write):
    path = write("faq.csv", 'Question,Answer\n"Do you deliver?","Yes, within 5 miles."\nQ2 open sunday?,No.\n')
    doc = load_path(path).documents[0]
    assert doc.format == "faq" and doc.metadata["faq"] is True
    assert doc.text == "## Do you deliver?\nYes, within 5 miles.\n\n## Q2 open sunday?\nNo."


def test_faq_csv_accepts_q_and_a_columns_in_any_case(write):
    doc = load_path(write("faq.csv", "id,Q,A\n1,Vegan?,Some loaves are.\n")).documents[0]
    assert doc.text == "## Vegan?\nSome loaves are."


def test_csv_without_question_and_answer_columns_is_skipped(write):
    result = load_path(write("prices.csv", "item,price\nbread,4\n"))
    assert result.documents == [] and "question" in result.skipped[0].reason


def test_jsonl_faq_records_and_document_records(write):
    lines = [{"question": "Gift cards?", "answer": "Yes, in the shop."},
             {"id": "r1", "title": "Refunds", "content": "Refunds take 5 days."},
             {"id": 7, "title": "Wholesale", "content": "We supply cafes."}]
    result = load_path(write("kb.jsonl", "\n".join(json.dumps(x) for x in lines)))
    docs = by_id(result)
    assert set(docs) == {"kb.jsonl", "kb.jsonl#r1", "kb.jsonl#7"}
    assert docs["kb.jsonl"].text == "## Gift cards?\nYes, in the shop."
    assert docs["kb.jsonl#r1"].title == "Refunds" and docs["kb.jsonl#r1"].text == "Refunds take 5 days."


def test_malformed_jsonl_lines_are_skipped_with_their_line_number(write):
    content = "\n".join([json.dumps({"id": "a", "title": "A", "content": "first"}), "{not json", "[1, 2]",
                         json.dumps({"id": "b", "title": "B", "content": "second"}), json.dumps({"other": 1})])
    result = load_path(write("docs.jsonl", content))
    assert [d.doc_id for d in result.documents] == ["docs.jsonl#a", "docs.jsonl#b"]
    assert sorted(s.path.rsplit(":", 1)[1] for s in result.skipped) == ["2", "3", "5"]
    assert all("line skipped" in s.reason for s in result.skipped)


def test_broken_utf8_is_replaced_and_noted_and_control_characters_removed(write):
    raw = "# Café\nCroissants\x00 are \x07fresh. ".encode() + b"\xff\xfe bad bytes" + "\tcafe\u0301".encode()
    doc = load_path(write("broken.md", raw)).documents[0]
    assert "\ufffd" in doc.text and "not valid UTF-8" in doc.metadata["note"]
    assert "\x00" not in doc.text and "\x07" not in doc.text and "\t" in doc.text
    assert "caf\u00e9" in doc.text  # NFC: e + combining accent became one character


def test_empty_folder_explains_what_is_supported(tmp_path):
    (tmp_path / "empty").mkdir()
    result = load_path(tmp_path / "empty")
    assert result.documents == []
    assert result.skipped[0].reason == "no supported files (.md .txt .html .pdf .csv .jsonl)"


def test_unsupported_and_missing_files_are_reported(tmp_path, write):
    write("kb/photo.png", b"\x89PNG")
    write("kb/a.md", "# A\ntext")
    result = load_path(tmp_path / "kb")
    assert [d.doc_id for d in result.documents] == ["a.md"]
    assert "unsupported file type '.png'" in result.skipped[0].reason
    assert "no such file" in load_path(tmp_path / "nope").skipped[0].reason


def test_empty_file_is_skipped(write):
    result = load_path(write("blank.md", "   \n"))
    assert result.documents == [] and "empty" in result.skipped[0].reason


def test_utf16_with_a_byte_order_mark_is_read(write):
    doc = load_path(write("notes.txt", "Opening hours\nWe open at 8.".encode("utf-16"))).documents[0]
    assert doc.text == "Opening hours\nWe open at 8." and doc.title == "Opening hours"


def _laid_out_pdf(*pages: list[tuple[float, float, float, str, bool]]) -> bytes:
    """A PDF with each (x, y, size, text, bold) of each page printed where and as big as it says, the way a
    word processor lays out headings, wrapped paragraphs and table cells."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>"]
    kids = []
    for lines in pages:
        ops = []
        for x, y, size, text, bold in lines:
            escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"BT /{'F2' if bold else 'F1'} {size} Tf 1 0 0 1 {x} {y} Tm ({escaped}) Tj ET")
        stream = "\n".join(ops).encode("latin-1")
        kids.append(len(objects) + 1)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>" % (len(objects) + 2))
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    return pdf_file(objects)


PRICE_LIST = [
    (54, 760, 17, "Wholesale price list", True),
    (54, 730, 13, "Minimum order and delivery", True),
    (54, 710, 10, "- Deliveries Tuesday to Saturday, between 5:30 and 7:30 in the morning. No deliveries on Sunday or", False),
    (54, 694.4, 10, "Monday.", False),
    (54, 676, 10, "- Order deadline: 12:00 noon the day before delivery.", False),
    (54, 650, 10, "We bake for cafes and offices within 4 miles of the bakery. Everything is baked fresh the", False),
    (54, 634.4, 10, "same morning it is delivered.", False),
    (54, 605, 13, "Bread", True),
    (54, 585, 10, "Product", True), (300, 585, 10, "Price", True),
    (54, 567, 10, "Country sourdough", False), (300, 567, 10, "£3.40", False),
    (54, 549, 10, "Seeded rye", False), (300, 549, 10, "£3.70", False),
]


def test_pdf_lines_wrapped_inside_a_sentence_are_joined_and_paragraphs_kept(write):
    text = load_path(write("prices.pdf", _laid_out_pdf(PRICE_LIST))).documents[0].text
    assert "- Deliveries Tuesday to Saturday, between 5:30 and 7:30 in the morning. No deliveries on Sunday or " \
           "Monday.\n- Order deadline: 12:00 noon the day before delivery." in text  # one line per bullet
    assert "\n\nWe bake for cafes and offices within 4 miles of the bakery. Everything is baked fresh the same " \
           "morning it is delivered.\n" in text  # a new paragraph, its wrapped lines joined
    assert "No deliveries on Sunday or\n" not in text


def test_pdf_headings_in_larger_type_become_markdown_headings_and_chunk_the_text(write):
    from knowledge.chunking import chunk_document

    doc = load_path(write("prices.pdf", _laid_out_pdf(PRICE_LIST))).documents[0]
    assert doc.text.startswith("# Wholesale price list\n") and doc.title == "Wholesale price list"
    assert "\n## Minimum order and delivery\n" in doc.text and "\n## Bread\n" in doc.text
    headings = [c.heading for c in chunk_document(doc, max_words=40, overlap_words=5)]
    assert "Minimum order and delivery" in headings  # the sub-heading is a section, never a sentence


def test_pdf_rows_of_cells_become_a_markdown_table(write):
    text = load_path(write("prices.pdf", _laid_out_pdf(PRICE_LIST))).documents[0].text
    assert "| Product | Price |\n|---|---|\n| Country sourdough | £3.40 |\n| Seeded rye | £3.70 |" in text


def test_pdf_running_footers_are_dropped(write):
    pages = [[(54, 700, 10, body, False), (54, 40, 8, f"Crumb & Co. price list - page {n}", False)]
             for n, body in ((1, "Our sourdough proves for two days."), (2, "Rye keeps for a week."))]
    text = load_path(write("two.pdf", _laid_out_pdf(*pages))).documents[0].text
    assert "Our sourdough proves for two days." in text and "Rye keeps for a week." in text
    assert "price list - page" not in text


def test_html_address_is_kept_as_one_line(write):
    html = ("<html><body><h1>Contact</h1><h2>Visit us</h2><address>Crumb &amp; Co.<br>14 Larch Street<br>"
            "London SE15</address><p>Email <strong>hello@example.com</strong>.</p></body></html>")
    doc = load_path(write("contact.html", html)).documents[0]
    assert "Crumb & Co., 14 Larch Street, London SE15" in doc.text
    assert "hello@example.com." in doc.text  # no stray space before the full stop
