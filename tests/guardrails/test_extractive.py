"""The extractive answer picks the passage sentences that answer the question, word for word."""

from __future__ import annotations

import pytest

from guardrails import GroundingRail, best_supported_sentences

PASSAGES = [
    "Delivery\n# Delivery\n\n## Area and fees\nWe deliver within 3 miles of the shop. Delivery costs £4.50, and it "
    "is free on orders over £40.\n\n## Days\nDeliveries go out Tuesday to Saturday between 9:00 and 13:00.\n",
    "Allergens > Gluten-free\nWe bake a gluten-free sourdough loaf every Friday. It is made in a kitchen that also "
    "handles wheat, so we cannot guarantee it is free of traces.\n",
    "Refunds\nIf something you bought is damaged or wrong, tell us within 48 hours with a photo and we will "
    "refund you in full or replace it.\n",
]


@pytest.mark.parametrize("question, expected", [
    ("Which days do you deliver?", "Deliveries go out Tuesday to Saturday between 9:00 and 13:00."),
    ("How much is delivery?", "Delivery costs £4.50, and it is free on orders over £40."),
    ("Do you have gluten-free bread?", "We bake a gluten-free sourdough loaf every Friday."),
    ("Can I get a refund if my cake arrives damaged?",
     "If something you bought is damaged or wrong, tell us within 48 hours with a photo and we will refund you "
     "in full or replace it."),
])
def test_picks_the_sentence_that_answers(question, expected):
    answer = best_supported_sentences(question, PASSAGES)
    assert answer[0] == expected


def test_a_sentence_that_finishes_the_thought_comes_along():
    answer = best_supported_sentences("Do you have gluten-free bread?", PASSAGES)
    assert answer == ["We bake a gluten-free sourdough loaf every Friday.",
                      "It is made in a kitchen that also handles wheat, so we cannot guarantee it is free of traces."]


def test_headings_are_never_the_answer():
    answer = best_supported_sentences("delivery days", PASSAGES, max_sentences=3)
    assert not any(s.startswith(("#", "Delivery", "Days")) and len(s.split()) < 4 for s in answer)
    assert "Deliveries go out Tuesday to Saturday between 9:00 and 13:00." in answer


def test_sentences_keep_their_order_within_a_passage_and_markdown_is_removed():
    passage = ("Delivery > Delivery days and slots\n"
               "- We deliver **Wednesday to Saturday**. There are no deliveries on Sunday, Monday or Tuesday.\n"
               "- Choose a delivery slot when you order: **morning 9:00-12:00** or **afternoon 12:00-15:00**.\n")
    answer = best_supported_sentences("which days and slots can you deliver?", [passage])
    assert answer[0] == "We deliver Wednesday to Saturday."
    assert answer.index("We deliver Wednesday to Saturday.") < answer.index(
        "Choose a delivery slot when you order: morning 9:00-12:00 or afternoon 12:00-15:00.")


def test_table_rows_read_as_sentences():
    passage = ("Delivery > Where we deliver\n| Zone | Postcodes | Delivery fee |\n|------|-----------|------|\n"
               "| Zone 1 | SE15, SE22, SE5 | £3.50 |\n| Zone 2 | SE4, SE14, SE23, SE24 | £5.95 |\n")
    answer = best_supported_sentences("How much is delivery to SE22?", [passage], max_sentences=1)
    assert answer == ["Zone: Zone 1; Postcodes: SE15, SE22, SE5; Delivery fee: £3.50."]


def test_the_extractive_answer_is_itself_grounded():
    for question in ["Which days do you deliver?", "How much is delivery?", "refund?"]:
        answer = " ".join(best_supported_sentences(question, PASSAGES))
        assert GroundingRail().check(answer, PASSAGES).passed


def test_limits_and_empty_input():
    assert len(best_supported_sentences("Do you deliver?", PASSAGES, max_sentences=1)) == 1
    assert best_supported_sentences("Do you deliver?", []) == []
    assert best_supported_sentences("What's the weather like?", PASSAGES) == [
        "We deliver within 3 miles of the shop."]  # no overlap: the lead of the top passage


def test_a_passage_that_cannot_win_is_never_compared_by_meaning_and_the_answer_is_unchanged(monkeypatch):
    import guardrails.extractive as extractive

    asked: list[str] = []

    def similarity(question, sentences):
        asked.extend(sentences)
        return [0.9 if "48 hours" in s else 0.1 for s in sentences]

    passages = [PASSAGES[2], PASSAGES[1], PASSAGES[0], PASSAGES[0].replace("£4.50", "£5.00")]
    question = "How long do I have to ask for a refund?"
    pruned = best_supported_sentences(question, passages, similarity=similarity)
    assert not any("Deliveries go out" in s for s in asked)  # passages 3 and 4 could not beat 0.9
    monkeypatch.setattr(extractive, "SURE_PASSAGES", 99)  # compare every sentence
    assert best_supported_sentences(question, passages, similarity=similarity) == pruned
    assert any("48 hours" in s for s in pruned)


def test_a_sentence_introducing_a_list_can_answer_when_it_states_a_fact():
    passage = ("Refunds > How to tell us\nPlease contact us within 48 hours of collection or delivery:\n\n"
               "1. Email hello@example.com, or come into the shop.\n2. Give your order number.\n")
    answer = best_supported_sentences("How soon must I contact you about a problem?", [passage], max_sentences=1)
    assert answer == ["Please contact us within 48 hours of collection or delivery."]


def _word_overlap(question, sentences):
    """A stand-in for an embedder: the share of the question's words a sentence holds."""
    asked = set(question.lower().replace("?", "").split())
    return [len(asked & set(s.lower().replace(":", " ").replace(".", "").split())) / len(asked) for s in sentences]


def test_with_meaning_a_sentence_holding_the_asked_kind_of_fact_wins():
    passage = ("Gift cards\nStore credit for a problem with an order goes onto a gift card.\n\n"
               "Gift cards can be loaded with any whole-pound amount from £10 to £150.")
    answer = best_supported_sentences("What amounts can I put on a gift card?", [passage], max_sentences=1,
                                      # the embedder finds the store-credit sentence a little closer
                                      similarity=lambda q, sentences: [0.6 if "credit" in x else 0.45 for x in sentences])
    assert answer == ["Gift cards can be loaded with any whole-pound amount from £10 to £150."]


def test_with_meaning_a_sentence_is_judged_under_its_section_heading():
    seen: list[str] = []

    def similarity(question, sentences):
        seen.extend(sentences)
        return _word_overlap(question, sentences)

    passage = ("Custom cakes\n\nFlavours\n\nVanilla and raspberry, chocolate fudge, salted caramel.\n\n"
               "Tasting box\n\nOur tasting box has four slices for £15.")
    answer = best_supported_sentences("Which flavours do you offer?", [passage], max_sentences=1,
                                      similarity=similarity)
    assert answer == ["Vanilla and raspberry, chocolate fudge, salted caramel."]  # the answer is the sentence alone
    assert "Flavours: Vanilla and raspberry, chocolate fudge, salted caramel." in seen


_TASTING = "Cakes > Tasting box\nOur tasting box has slices of the flavours you choose for £15.\n"
_FLAVOURS = "Cakes > Flavours\nVanilla, chocolate fudge, salted caramel and lemon.\n"


def _flat(value):
    return lambda question, sentences: [value for _ in sentences]


def test_with_relevance_a_passage_as_relevant_as_the_top_one_is_not_priced_out_by_its_rank():
    # The embedder cannot tell the two sentences apart; the tasting box shares the word "flavours".
    question = "Which flavours do you offer?"
    ranked = best_supported_sentences(question, [_TASTING, _FLAVOURS], max_sentences=1, similarity=_flat(0.5))
    assert ranked == ["Our tasting box has slices of the flavours you choose for £15."]
    by_relevance = best_supported_sentences(question, [_TASTING, _FLAVOURS], max_sentences=1, similarity=_flat(0.5),
                                            relevance=[0.61, 0.60])
    assert by_relevance == ["Vanilla, chocolate fudge, salted caramel and lemon."]


def test_with_relevance_a_top_ranked_passage_far_less_relevant_than_another_does_not_answer():
    table = "Privacy > How long we keep it\nDelivery addresses - How long: 12 months after your last order.\n"
    refunds = "Refunds > How to tell us\nPlease get in touch within 48 hours of collection or delivery.\n"
    question = "How long do I have to report a problem with my order?"
    assert best_supported_sentences(question, [table, refunds], max_sentences=1, similarity=_flat(0.5),
                                    relevance=[0.38, 0.53]) == [
        "Please get in touch within 48 hours of collection or delivery."]
    assert best_supported_sentences(question, [table, refunds], max_sentences=1, similarity=_flat(0.5),
                                    relevance=[0.53, 0.38]) == [
        "Delivery addresses - How long: 12 months after your last order."]


def test_relevance_needs_one_value_per_passage():
    with pytest.raises(ValueError, match="2 passages"):
        best_supported_sentences("Which flavours?", [_TASTING, _FLAVOURS], similarity=_flat(0.5), relevance=[0.6])


def test_how_long_asks_for_a_length_of_time_not_a_clock_time():
    passage = ("Orders\nOrder cakes by 14:00 the day before you collect.\n\n"
               "Problems\nTell us about a problem with an order within 48 hours.\n")
    answer = best_supported_sentences("How long do I have to tell you about an order?", [passage], max_sentences=1,
                                      similarity=lambda q, sentences: [0.5 if "14:00" in s else 0.4 for s in sentences])
    assert answer == ["Tell us about a problem with an order within 48 hours."]


def test_which_things_asks_for_a_list():
    passage = "Cakes\nEvery cake comes in a box.\n\nVanilla, chocolate fudge, salted caramel and lemon.\n"
    answer = best_supported_sentences("Which cake flavours do you have?", [passage], max_sentences=1,
                                      similarity=lambda q, sentences: [0.5 if "box" in s else 0.4 for s in sentences])
    assert answer == ["Vanilla, chocolate fudge, salted caramel and lemon."]
