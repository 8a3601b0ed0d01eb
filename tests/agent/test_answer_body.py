"""Which passages may answer: a passage just under the relevance bar answers when it holds the question's words."""

from __future__ import annotations

from agent.answer_body import covers_question
from knowledge.documents import Chunk, RetrievedPassage

_TABLE = ("Privacy notice > How long we keep it\n| Information | How long |\n|---|---|\n"
          "| Assistant conversations | 90 days |\n| CCTV recordings | 30 days |\n")


def _passage(text: str, relevance: float) -> RetrievedPassage:
    chunk = Chunk("privacy.md::0002", "privacy.md", "Privacy notice", "How long we keep it", text)
    return RetrievedPassage(chunk=chunk, score=1.0, relevance=relevance)


def test_a_long_question_is_covered_by_half_its_words_near_the_bar():
    question = "How long do you keep what I type into this chat?"  # long, keep held; type, chat not
    assert covers_question(question, _passage(_TABLE, 0.32), 0.35)


def test_half_the_words_are_not_enough_further_below_the_bar_or_for_a_short_question():
    assert not covers_question("How long do you keep what I type into this chat?", _passage(_TABLE, 0.29), 0.35)
    assert not covers_question("how long is winter", _passage(_TABLE, 0.34), 0.35)  # one of two words


def test_a_short_question_still_needs_most_of_its_words():
    assert covers_question("how long do you keep CCTV recordings", _passage(_TABLE, 0.29), 0.35)
    assert not covers_question("do you keep my dog", _passage(_TABLE, 0.34), 0.35)
