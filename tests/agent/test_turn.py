"""One turn end to end, with the real embedder, Chroma, BM25 and SQLite, and a scripted model.

These read like the conversations they pin down: what the customer sees, what gets stored.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.assembly import build_agent
from agent.config import load_config
from agent.llm import ScriptedChatModel

KB = {
    "delivery.md": "# Delivery\n\n## Area and fees\nWe deliver within 3 miles of the shop. Delivery costs £4.50, "
                   "and it is free on orders over £40.\n\n## Days\nDeliveries go out Tuesday to Saturday "
                   "between 9:00 and 13:00.\n",
    "allergens.md": "# Allergens\n\n## Gluten-free\nWe bake a gluten-free sourdough loaf every Friday. It is made "
                    "in a kitchen that also handles wheat, so we cannot guarantee it is free of traces.\n",
    "refunds.md": "# Refunds\n\nIf something you bought is damaged or wrong, tell us within 48 hours with a photo "
                  "and we will refund you in full or replace it.\n",
}


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    folder.mkdir()
    for name, text in KB.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def make_agent(tmp_path: Path, kb_dir: Path, minilm, replies=(), provider="scripted", **env):
    environ = {"TACTFUL_DATA_DIR": str(tmp_path / "data"), "TACTFUL_LLM__PROVIDER": provider,
               "TACTFUL_LLM__TIMEOUT_S": "5", "TACTFUL_LLM__MAX_RETRIES": "1",
               "TACTFUL_KNOWLEDGE__SOURCES": json.dumps([str(kb_dir)]), **env}
    config = load_config(environ=environ)
    model = ScriptedChatModel(replies=list(replies)) if provider == "scripted" else None
    return build_agent(config=config, chat_model=model, embedder=minilm), model


def test_first_reply_discloses_and_later_ones_do_not(tmp_path, kb_dir, minilm):
    agent, _ = make_agent(tmp_path, kb_dir, minilm, replies=[
        "We deliver within 3 miles of the shop.", "Deliveries go out Tuesday to Saturday."],
        TACTFUL_GUARDRAILS__REGENERATE_ONCE="false")
    first = agent.respond("Do you deliver?")
    assert first.text.startswith("Hi, you're chatting with") and "bot, not a person" in first.text
    assert first.disclosed
    second = agent.respond("Which days do you deliver?", conversation_id=first.conversation_id)
    assert "automated assistant" not in second.text
    assert "Tuesday to Saturday" in second.text
    assert agent.store.get_conversation(first.conversation_id).disclosed_at is not None


def test_grounded_answer_is_cited(tmp_path, kb_dir, minilm):
    agent, _ = make_agent(tmp_path, kb_dir, minilm, replies=["Delivery costs £4.50, and it is free on orders over £40."])
    reply = agent.respond("How much is delivery?")
    assert "£4.50" in reply.text
    assert reply.outcome == "answered"
    assert reply.sources[0].doc_id == "delivery.md"


def test_made_up_sentence_is_dropped_and_supported_one_kept(tmp_path, kb_dir, minilm):
    agent, _ = make_agent(tmp_path, kb_dir, minilm, replies=[
        "Delivery costs £4.50, free over £40. We also deliver by drone to Paris for £2 on Mondays."])
    reply = agent.respond("How much is delivery?")
    assert "£4.50" in reply.text
    assert "drone" not in reply.text and "Paris" not in reply.text
    grounding = next(v for v in reply.verdicts if v.rail == "grounding")
    assert grounding.action == "repair"


def test_wholly_unsupported_answer_is_asked_for_once_more_then_falls_back_to_the_passage(tmp_path, kb_dir, minilm):
    agent, model = make_agent(tmp_path, kb_dir, minilm, replies=["Our gluten-free bread is baked on Mondays for £9.",
                                                                  "It is £9 on Mondays, made by hand."])
    reply = agent.respond("Do you have gluten-free bread?")
    assert "Friday" in reply.text and "Mondays" not in reply.text and "£9" not in reply.text
    assert reply.outcome == "extractive"
    assert reply.sources[0].doc_id == "allergens.md"
    assert len(model.calls) == 2
    retry = model.calls[1][-1].content
    assert "Your previous answer was rejected: it said things the passage does not say" in retry


def test_a_regenerated_answer_that_holds_up_is_used(tmp_path, kb_dir, minilm):
    agent, model = make_agent(tmp_path, kb_dir, minilm, replies=[
        "Yes, we deliver.",  # says nothing the passage can vouch for, and none of its facts
        "Delivery costs £4.50, and it is free on orders over £40."])
    reply = agent.respond("How much is delivery?")
    assert reply.outcome == "answered" and "£4.50" in reply.text
    assert "Your previous answer was rejected" in model.calls[1][-1].content
    stored = agent.store.turns(reply.conversation_id)[-1]
    assert stored.meta["regenerated"]


def test_with_regeneration_off_a_bad_answer_goes_straight_to_the_passage(tmp_path, kb_dir, minilm):
    agent, model = make_agent(tmp_path, kb_dir, minilm, replies=["Our gluten-free bread is baked on Mondays for £9."],
                              TACTFUL_GUARDRAILS__REGENERATE_ONCE="false")
    reply = agent.respond("Do you have gluten-free bread?")
    assert reply.outcome == "extractive" and len(model.calls) == 1


def test_question_the_knowledge_base_cannot_answer_gets_honest_unknown(tmp_path, kb_dir, minilm):
    agent, model = make_agent(tmp_path, kb_dir, minilm, replies=[])
    reply = agent.respond("How much has the dow changed today?")
    assert reply.outcome == "unknown"
    assert "don't have reliable information" in reply.text and "020 7946 0321" in reply.text
    assert model.calls == []  # nothing for the model to make up
    assert reply.sources == []


def test_model_down_still_answers_from_passage_and_keeps_the_message(tmp_path, kb_dir, minilm):
    agent, _ = make_agent(tmp_path, kb_dir, minilm, replies=[ConnectionError("refused"), ConnectionError("refused")])
    reply = agent.respond("Can I get a refund if my cake arrives damaged?")
    assert reply.outcome == "model_unavailable"
    assert "48 hours" in reply.text
    turns = agent.store.turns(reply.conversation_id)
    assert [t.role for t in turns] == ["customer", "assistant"]
    assert turns[0].text == "Can I get a refund if my cake arrives damaged?"
    assert turns[1].outcome == "model_unavailable" and "refused" in turns[1].meta["model_error"]


def test_personal_data_is_redacted_before_model_and_store(tmp_path, kb_dir, minilm):
    agent, model = make_agent(tmp_path, kb_dir, minilm, replies=["We deliver within 3 miles of the shop."])
    reply = agent.respond("Do you deliver? Email me at jo.bloggs@example.com")
    sent = json.dumps([[m.content for m in call] for call in model.calls])
    assert "jo.bloggs@example.com" not in sent and "<EMAIL_ADDRESS_1>" in sent
    stored = agent.store.turns(reply.conversation_id)[0].text
    assert stored == "Do you deliver? Email me at <EMAIL_ADDRESS_1>"
    assert any(v.rail == "pii" and v.action == "redact" for v in reply.verdicts)


def test_streaming_shows_the_disclosure_first_and_adds_up_to_the_reply(tmp_path, kb_dir, minilm):
    agent, _ = make_agent(tmp_path, kb_dir, minilm, replies=["We deliver within 3 miles of the shop."])
    stream = agent.respond_stream("Do you deliver?")
    pieces = list(stream)
    assert pieces[0].startswith("Hi, you're chatting")
    assert "".join(pieces).strip() == stream.reply.text


@pytest.mark.parametrize("message, expected", [
    ("", "came through empty"),
    ("   \n\t ", "came through empty"),
    ("x" * 5_000_000, "longer than I can read"),
])
def test_unusable_messages_get_a_clear_reply(tmp_path, kb_dir, minilm, message, expected):
    agent, model = make_agent(tmp_path, kb_dir, minilm, replies=[])
    reply = agent.respond(message)
    assert expected in reply.text and reply.outcome == "rejected"
    assert model.calls == []


def test_broken_unicode_and_control_characters_are_cleaned(tmp_path, kb_dir, minilm):
    agent, _ = make_agent(tmp_path, kb_dir, minilm, replies=["We deliver within 3 miles of the shop."])
    reply = agent.respond("Do you\x00 de\u200bliver\ud800?")
    assert reply.outcome == "answered"
    stored = agent.store.turns(reply.conversation_id)[0].text
    assert "\x00" not in stored and "\ud800" not in stored and "\u200b" not in stored


def test_extractive_provider_needs_no_model(tmp_path, kb_dir, minilm):
    agent, _ = make_agent(tmp_path, kb_dir, minilm, provider="extractive")
    reply = agent.respond("Which days do you deliver?")
    assert agent.gateway is None
    assert "Tuesday to Saturday" in reply.text and reply.outcome == "extractive"


def test_store_down_gets_a_kind_retry_message(tmp_path, kb_dir, minilm):
    agent, _ = make_agent(tmp_path, kb_dir, minilm, replies=[])
    agent.store.close()
    db = tmp_path / "data" / "tactful.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.mkdir()  # a folder where the database file should be: every write fails
    reply = agent.respond("Do you deliver?")
    assert reply.outcome == "store_unavailable"
    assert "try again" in reply.text and "020 7946 0321" in reply.text


@pytest.mark.slow
def test_a_conversation_through_the_real_embedded_model(tmp_path, kb_dir, minilm):
    """SmolLM2-135M through llama.cpp, end to end: whatever it writes, the reply stays grounded."""
    agent, _ = make_agent(tmp_path, kb_dir, minilm, provider="local", TACTFUL_LLM__TIMEOUT_S="60")
    first = agent.respond("How much does delivery cost?")
    assert first.outcome in ("answered", "extractive")
    assert "£4.50" in first.text or "£40" in first.text
    assert first.sources[0].doc_id == "delivery.md"
    second = agent.respond("Is the gluten-free loaf safe for coeliacs?", conversation_id=first.conversation_id)
    assert second.outcome in ("answered", "extractive") and "automated assistant" not in second.text
    assert second.sources[0].doc_id == "allergens.md"
    grounding = [v for v in first.verdicts + second.verdicts if v.rail == "grounding"]
    assert len(grounding) == 2
    assert [t.role for t in agent.store.turns(first.conversation_id)] == ["customer", "assistant"] * 2


def test_a_short_follow_up_is_understood_from_the_previous_question(tmp_path, kb_dir, minilm):
    agent, _ = make_agent(tmp_path, kb_dir, minilm, provider="extractive")
    first = agent.respond("Do you have gluten-free bread?")
    follow_up = agent.respond("and which day is it baked?", conversation_id=first.conversation_id)
    assert follow_up.outcome == "extractive"
    assert "Friday" in follow_up.text


def test_the_extractive_answer_weighs_passages_by_relevance_floored_at_the_bar(tmp_path, kb_dir, minilm, monkeypatch):
    import agent.turn as turn

    seen: list[list[float]] = []
    real = turn.extractive_body

    def spy(question, texts, report, embedder=None, **kwargs):
        seen.append(kwargs["relevance"])
        return real(question, texts, report, embedder, **kwargs)

    monkeypatch.setattr(turn, "extractive_body", spy)
    agent, _ = make_agent(tmp_path, kb_dir, minilm, provider="extractive", TACTFUL_KNOWLEDGE__MIN_RELEVANCE="0.3")
    reply = agent.respond("Which days do you deliver?")
    assert "Tuesday to Saturday" in reply.text
    assert len(seen) == 1 and seen[0] and all(0.3 <= r <= 1.0 for r in seen[0])
