"""Sentence splitting that survives prices, times, abbreviations and lists."""

from __future__ import annotations

import pytest

from guardrails import split_sentences


@pytest.mark.parametrize("text, sentences", [
    ("Delivery costs £4.50. It is free over £40!", ["Delivery costs £4.50.", "It is free over £40!"]),
    ("We open at 9 a.m. on weekdays, e.g. Monday. Dr. Patel runs the class.",
     ["We open at 9 a.m. on weekdays, e.g. Monday.", "Dr. Patel runs the class."]),
    ("Prices rose 3.5%. Version 2.5 is out.", ["Prices rose 3.5%.", "Version 2.5 is out."]),
    ("Open 7:00-18:00. Closed Mondays.", ["Open 7:00-18:00.", "Closed Mondays."]),
    ("Really? Yes! Great.", ["Really?", "Yes!", "Great."]),
    ("- one item\n- Two items.\n1. first\n2) second", ["one item", "Two items.", "first", "second"]),
    ("We deliver within\nthree miles. Thanks", ["We deliver within\nthree miles.", "Thanks"]),
    ("Delivery > Days\nDeliveries go out on Tuesdays.", ["Delivery > Days", "Deliveries go out on Tuesdays."]),
    ("", []),
])
def test_splits_where_a_reader_would(text, sentences):
    assert split_sentences(text) == sentences


def test_sentences_are_substrings_of_the_text():
    text = "Hello there.  We bake daily.\n\n* Fresh bread\n* Cakes to order."
    for sentence in split_sentences(text):
        assert sentence in text
