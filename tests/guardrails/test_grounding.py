"""Grounding: an answer may only say what the passages say; invented prices, days and times are caught."""

from __future__ import annotations


import pytest

from guardrails import GroundingRail, GroundingVerdict

PASSAGES = [
    "Delivery > Area and fees\nWe deliver within 3 miles of the shop. Delivery costs £4.50, and it is free on "
    "orders over £40.",
    "Delivery > Days\nDeliveries go out Tuesday to Saturday between 9:00 and 13:00.",
    "Allergens > Gluten-free\nWe bake a gluten-free sourdough loaf every Friday. It is made in a kitchen that also "
    "handles wheat, so we cannot guarantee it is free of traces.",
    "Refunds\nIf something you bought is damaged or wrong, tell us within 48 hours with a photo and we will "
    "refund you in full or replace it.",
]


@pytest.fixture
def rail() -> GroundingRail:
    return GroundingRail()


@pytest.mark.parametrize("answer", [
    "Delivery costs £4.50.",
    "We deliver from Tuesday to Saturday, 9am to 1pm.",          # times written another way
    "Deliveries are free when you spend more than 40 pounds.",     # "£40" as "40 pounds"
    "We deliver within three miles of our shop.",                  # "3" as "three"
    "We bake gluten-free loaves on Fridays.",                      # delivers/delivery, loaf/loaves
    "Our deliveries go out on Wednesdays and Thursdays.",          # days inside "Tuesday to Saturday"
])
def test_a_supported_paraphrase_passes(rail, answer):
    verdict = rail.check(answer, PASSAGES)
    assert verdict.passed and verdict.action == "allow", verdict.reason
    assert verdict.support == 1.0 and verdict.supported_text == answer


def test_a_hallucinated_price_fails(rail):
    verdict = rail.check("Delivery costs £5.", PASSAGES)
    assert not verdict.passed and verdict.action == "fallback"
    assert verdict.sentences[0].missing_facts == ("£5",)
    assert "£5" in verdict.reason


def test_a_made_up_day_fails(rail):
    verdict = rail.check("We deliver on Sundays.", PASSAGES)
    assert not verdict.passed
    assert verdict.sentences[0].missing_facts == ("Sundays",)


def test_a_made_up_time_fails(rail):
    assert not rail.check("Deliveries go out between 9:00 and 17:00.", PASSAGES).passed


def test_a_sentence_about_something_else_fails_on_its_words(rail):
    verdict = rail.check("We also sell artisan cheese and fine wine.", PASSAGES)
    assert not verdict.passed and verdict.sentences[0].coverage < 0.6


def test_unsupported_sentences_are_cut_and_the_rest_kept(rail):
    answer = "Delivery costs £4.50. We also deliver by drone to Paris for £2 on Mondays. Happy to help!"
    verdict = rail.check(answer, PASSAGES)
    assert isinstance(verdict, GroundingVerdict)
    assert [s.status for s in verdict.sentences] == ["supported", "unsupported", "neutral"]
    assert verdict.action == "repair" and verdict.support == 0.5
    assert verdict.supported_text == "Delivery costs £4.50. Happy to help!"
    assert [answer[s.start:s.end] for s in verdict.spans] == ["We also deliver by drone to Paris for £2 on Mondays."]


@pytest.mark.parametrize("pleasantry", ["Happy to help.", "Thanks so much!", "Sure!", "Is there anything else?"])
def test_pleasantries_are_neutral_not_unsupported(rail, pleasantry):
    verdict = rail.check(pleasantry, PASSAGES)
    assert verdict.passed and verdict.sentences[0].neutral and verdict.support == 1.0


def test_bullet_lists_are_judged_item_by_item(rail):
    answer = "- Delivery costs £4.50.\n- Delivery is free on Sundays.\n- We deliver within 3 miles."
    verdict = rail.check(answer, PASSAGES)
    assert [s.supported for s in verdict.sentences] == [True, False, True]
    assert verdict.supported_text == "- Delivery costs £4.50.\n- We deliver within 3 miles."


def test_the_threshold_is_configurable():
    answer = "We deliver fresh bread within 3 miles of the shop by electric bike."
    assert not GroundingRail().check(answer, PASSAGES).passed
    assert GroundingRail(min_coverage=0.4).check(answer, PASSAGES).passed
    with pytest.raises(ValueError):
        GroundingRail(min_coverage=1.5)


def test_no_passages_supports_nothing_factual(rail):
    assert not rail.check("Delivery costs £4.50.", []).passed
    assert rail.check("Happy to help!", []).passed


def test_an_answer_is_checked_against_several_long_passages(rail):
    """Its speed per streamed sentence is measured by `tactful bench` (the guardrails benchmark), not here."""
    words = ("Our bakery delivers bread pastries and cakes to homes and offices nearby using an electric cargo "
             "bike. Orders over £60 travel free and the minimum order is £25 of items. ").split()
    passages = [" ".join(f"{w}{i}" if n % 7 == 6 else w for n, w in enumerate((words * 8)[:180]))
                for i in range(4)]  # four distinct 180-word passages, so no cache helps
    answer = ("We deliver bread and cakes by electric cargo bike. Orders over £60 travel free. The minimum order "
              "is £25. We deliver to homes and offices nearby. Happy to help!")
    verdict = rail.check(answer, passages)
    assert verdict.passed, verdict.reason
