"""Heading-aware chunking: paths, stable ids, size bounds, overlap, FAQ blocks."""

from __future__ import annotations

import pytest

from knowledge.chunking import chunk_document
from knowledge.documents import Document


def doc(text: str, doc_id: str = "delivery.md", title: str = "Delivery", **metadata) -> Document:
    return Document(doc_id=doc_id, title=title, text=text, source=doc_id, format="markdown", metadata=metadata)


def sentences(count: int, topic: str) -> str:
    return " ".join(f"Sentence {i} is about {topic} and nothing else at all." for i in range(count))


GUIDE = f"""# Delivery

## Fees
{sentences(6, "fees")}

## Areas
### North
{sentences(5, "north")}

# Returns
{sentences(5, "returns")}
"""


def test_each_chunk_carries_its_heading_path_and_starts_with_it():
    chunks = chunk_document(doc(GUIDE))
    assert [c.heading for c in chunks] == ["Fees", "Areas > North", "Returns"]
    assert chunks[1].text.startswith("Delivery > Areas > North\n")
    assert chunks[1].citation == "Delivery > Areas > North"
    assert all(c.doc_id == "delivery.md" and c.title == "Delivery" for c in chunks)


def test_ids_are_stable_and_ordinal():
    first, second = chunk_document(doc(GUIDE)), chunk_document(doc(GUIDE))
    assert [c.chunk_id for c in first] == ["delivery.md::0000", "delivery.md::0001", "delivery.md::0002"]
    assert first == second


def test_long_sections_split_within_the_bound_on_sentence_boundaries_with_overlap():
    text = "# Baking\n\n" + sentences(40, "sourdough") + "\n\n" + sentences(30, "rye")
    chunks = chunk_document(doc(text, title="Baking"), max_words=100, overlap_words=25)
    assert len(chunks) >= 5
    for chunk in chunks:
        body = chunk.text.split("\n", 1)[1]
        assert len(body.split()) <= 100
        assert body.startswith("Sentence") and body.endswith(".")  # whole sentences only
    for before, after in zip(chunks, chunks[1:]):
        first_sentence = after.text.split("\n", 1)[1].split(".")[0] + "."
        assert first_sentence in before.text  # the start of each chunk repeats the end of the previous one
    every = " ".join(c.text for c in chunks)
    assert "Sentence 39 is about sourdough" in every and "Sentence 29 is about rye" in every


def test_no_overlap_when_asked_for_none():
    text = sentences(50, "cake")
    chunks = chunk_document(doc(text, title="Cakes"), max_words=60, overlap_words=0)
    total = sum(len(c.text.split("\n", 1)[1].split()) for c in chunks)
    assert total == len(text.split())


def test_tiny_sections_merge_with_the_next_one_under_the_same_parent():
    text = "# Delivery\nWe deliver.\n\n## Fees\nFour pounds.\n\n## Times\nMornings only.\n\n# Returns\nWithin 30 days."
    chunks = chunk_document(doc(text))
    assert len(chunks) == 2
    assert chunks[0].heading == "Delivery"
    assert "Fees\nFour pounds." in chunks[0].text and "Times\nMornings only." in chunks[0].text
    assert chunks[1].heading == "Returns"  # a different top-level section is never merged in


def test_document_without_headings_is_one_section_under_its_title():
    chunks = chunk_document(doc("Just a note about parking.", doc_id="p.txt", title="Parking"))
    assert len(chunks) == 1 and chunks[0].heading == "Parking" and chunks[0].text == "Parking\nJust a note about parking."


def test_faq_documents_give_one_chunk_per_question():
    faq = doc("## Do you deliver?\nYes.\n\n## Are you open on Sunday?\nNo, Monday to Saturday.",
              doc_id="faq.csv", title="Frequently asked questions", faq=True)
    chunks = chunk_document(faq)
    assert [c.heading for c in chunks] == ["Do you deliver?", "Are you open on Sunday?"]
    assert chunks[1].text == "Frequently asked questions > Are you open on Sunday?\nNo, Monday to Saturday."
    assert chunks[0].metadata == {"faq": True}


def test_overlap_must_be_smaller_than_the_chunk():
    with pytest.raises(ValueError):
        chunk_document(doc(GUIDE), max_words=50, overlap_words=50)


@pytest.mark.timeout(60)  # a hang guard: the old heading pattern took minutes on this line
def test_a_heading_line_with_thousands_of_spaces_is_read_in_one_pass():
    chunks = chunk_document(doc("# Fees" + " " * 5000 + "and charges ##\n\nDelivery costs £4.50."))
    assert chunks and chunks[0].heading.startswith("Fees") and chunks[0].heading.endswith("and charges")
    assert "##" not in chunks[0].text
