"""The demo bakery, answered end to end without a model: cited, grounded, and carrying the facts.

The floors sit a little under what was measured when they were set (source cited 0.91, every expected
fact present 0.62, honest unknown for out-of-scope 0.80), so a change that makes answers worse fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

DEMO = Path(__file__).resolve().parents[2] / "knowledge" / "demo"


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_demo_questions_are_answered_from_the_right_document_with_the_facts(demo_agent):
    questions = load_jsonl(DEMO / "questions.jsonl")
    cited = complete = 0
    for q in questions:
        reply = demo_agent.respond(q["question"])
        cited += q["source"] in [s.doc_id for s in reply.sources]
        complete += all(f.lower() in reply.text.lower() for f in q["facts"])
    assert cited / len(questions) >= 0.88, f"right source cited for {cited}/{len(questions)}"
    assert complete / len(questions) >= 0.55, f"every expected fact present for {complete}/{len(questions)}"


def test_out_of_scope_questions_mostly_get_an_honest_decline(demo_agent):
    """An honest "I don't know", or a referral to real help (a lawyer, a pharmacist), never an invented answer."""
    questions = load_jsonl(DEMO / "out_of_scope.jsonl")
    declined = sum(demo_agent.respond(q["question"]).outcome in ("unknown", "referred") for q in questions)
    assert declined / len(questions) >= 0.7, f"honest decline for {declined}/{len(questions)}"


def test_gluten_free_question_names_its_source(demo_agent):
    """Two documents answer this: the FAQ row asking this very question ("Do you have gluten-free bread?":
    a buckwheat and teff loaf on Fridays, not certified, no guarantee against traces) and the allergen page's
    "Gluten-free" section, which says the same at more length. Either may lead; both must be cited, and the
    reply must keep the safety caveat, whichever it quotes."""
    reply = demo_agent.respond("Do you have gluten-free bread?")
    cited = [s.doc_id for s in reply.sources]
    assert cited[0] in ("faq.csv", "allergens.md") and "allergens.md" in cited
    assert "gluten" in reply.text.lower() and "certified" in reply.text.lower()


def test_a_table_row_reads_as_a_sentence_that_names_its_columns():
    from agent.prompt import readable

    table = ("How long we keep it\n\n| Information | How long |\n|-------------|----------|\n"
             "| Order records | 6 years |\n| Assistant conversations | 90 days |\n")
    assert readable(table) == ("How long we keep it\n\nOrder records - How long: 6 years.\n"
                               "Assistant conversations - How long: 90 days.")  # the header row is no sentence


def test_the_answer_from_a_table_is_a_row_never_its_header(demo_agent):
    reply = demo_agent.respond("How long do you keep CCTV recordings?")
    assert "CCTV recordings - How long: 30 days" in reply.text
    assert "Information" not in reply.text
