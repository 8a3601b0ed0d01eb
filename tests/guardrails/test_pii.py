"""Personal data is redacted with Presidio's names; prices, times and order numbers are left alone."""

from __future__ import annotations

import pytest

from guardrails import PiiRail, Span, redact_pii


def test_the_design_example_exactly():
    r = redact_pii("Mail me at jo@example.com")
    assert r.text == "Mail me at <EMAIL_ADDRESS>"
    assert r.spans == [Span(type="EMAIL_ADDRESS", start=11, end=25, score=1.0)]
    assert "Mail me at jo@example.com"[11:25] == "jo@example.com"


@pytest.mark.parametrize("text, redacted", [
    ("Call me on 07700 900123", "Call me on <PHONE_NUMBER>"),
    ("My cell is (415) 555-2671.", "My cell is <PHONE_NUMBER>."),
    ("+44 20 7946 0321 is the office", "<PHONE_NUMBER> is the office"),
    ("Phone:\n467 3395", "Phone:\n<PHONE_NUMBER>"),
    ("Fax: 020 7946 0321 ext 12", "Fax: <PHONE_NUMBER>"),
    ("card 4111 1111 1111 1111 please", "card <CREDIT_CARD> please"),
    ("amex 3782 822463 10005", "amex <CREDIT_CARD>"),
    ("Here's my SSN: 460-89-9847", "Here's my SSN: <US_SSN>"),
    ("my social security number is 219 09 9998", "my social security number is <US_SSN>"),
    ("IBAN GB82 WEST 1234 5698 7654 32 thanks", "IBAN <IBAN_CODE> thanks"),
    ("my iban is gb42nawi04454264788619", "my iban is <IBAN_CODE>"),
    ("blocked from 192.168.0.1.", "blocked from <IP_ADDRESS>."),
    ("from 2001:db8::8a2e:370:7334 today", "from <IP_ADDRESS> today"),
    ("NHS number 943 476 5919", "NHS number <UK_NHS>"),
    ("log in at https://bob:secret@example.com/x", "log in at <URL>"),
    ("https://example.com/reset?email=jo%40example.com", "<URL>"),
])
def test_personal_data_is_replaced_by_its_type(text, redacted):
    assert redact_pii(text).text == redacted


@pytest.mark.parametrize("text", [
    "That's £12.50 for the loaf, or £1,250.00 for the wedding cake.",
    "Your order #48213 is on its way",
    "order number 12345678 please",
    "Call us about order 1234567",
    "We're open 7:00-18:00 Monday to Friday",
    "Open 9am-5pm, 10.30-16.00 on Sundays",
    "Meeting on 2024-03-15 at 14:30, delivered 12/05/1985",
    "Deliver to SE15 4QF or SW1A 1AA, ZIP 90210-1234",
    "I need 2 x 500g flour, 12 eggs and 10-12 rolls",
    "We sold 1 000 000 loaves",
    "Version 10.0.19041.1 of Windows",
    "see https://example.com/path?x=1 for the menu",
    "Sort code 12-34-56, account 12345678",
])
def test_prices_times_order_numbers_and_postcodes_are_untouched(text):
    r = redact_pii(text)
    assert r.text == text and r.spans == []


@pytest.mark.parametrize("text", [
    "card 4111 1111 1111 1112",         # fails Luhn
    "My order 4111111111111112 arrived",
    "IBAN GB82 WEST 1234 5698 7654 33",  # fails mod-97
    "SSN 666-12-3456",                    # never issued
    "server 300.1.2.3",                   # not an address
])
def test_numbers_that_fail_their_checksum_are_untouched(text):
    assert redact_pii(text).text == text


def test_an_nhs_shaped_number_failing_mod_11_is_not_called_an_nhs_number():
    assert "UK_NHS" not in redact_pii("NHS number 943 476 5918").types


def test_spans_point_into_the_original_text():
    text = "Hi, jo@example.com or call 415-555-2671, card 4111-1111-1111-1111."
    r = redact_pii(text)
    assert [(s.type, text[s.start:s.end]) for s in r.spans] == [
        ("EMAIL_ADDRESS", "jo@example.com"), ("PHONE_NUMBER", "415-555-2671"),
        ("CREDIT_CARD", "4111-1111-1111-1111")]
    assert r.text == "Hi, <EMAIL_ADDRESS> or call <PHONE_NUMBER>, card <CREDIT_CARD>."


def test_dates_are_not_personal_data_here():
    assert redact_pii("Date: 1978-04-13 12:20:39, Tuesday").spans == []


def test_only_chosen_entities_are_redacted():
    text = "jo@example.com, 415-555-2671"
    assert redact_pii(text, entities=["PHONE_NUMBER"]).text == "jo@example.com, <PHONE_NUMBER>"
    with pytest.raises(ValueError, match="PASSPORT"):
        redact_pii(text, entities=["PASSPORT"])


def test_a_house_number_before_a_street_is_an_address_not_a_phone():
    r = redact_pii("The office is at 17031 2202 Rissik St")
    assert [s.type for s in r.spans] == ["STREET_ADDRESS"]


def test_rail_verdict_says_redact_with_the_spans():
    verdict = PiiRail().check("Email me at jo.bloggs@example.com")
    assert verdict.rail == "pii" and verdict.action == "redact" and verdict.passed
    assert [s.type for s in verdict.spans] == ["EMAIL_ADDRESS"]
    assert "EMAIL_ADDRESS" in verdict.reason
    assert verdict.to_dict()["spans"][0]["start"] == 12


def test_rail_allows_text_without_personal_data():
    verdict = PiiRail().check("Do you deliver on Saturdays?")
    assert verdict.action == "allow" and verdict.passed and verdict.spans == ()
