"""Reading a customer's own message: what they want done on their account, and the references, addresses,
days, times and choices in it. General questions must stay with the knowledge base."""

from __future__ import annotations

import time as clock
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from agent.accounts.intents import (IntentMatch, TimeRequest, choose, detect_intent, emails, postcodes, references,
                                    requested_time, yes_or_no)

LONDON = ZoneInfo("Europe/London")
FRIDAY_MORNING = datetime(2025, 12, 5, 10, 0, tzinfo=LONDON)  # a Friday
FRIDAY_EVENING = datetime(2025, 12, 5, 19, 0, tzinfo=LONDON)
NEW_YEARS_EVE_EVE = datetime(2025, 12, 30, 11, 0, tzinfo=LONDON)  # a Tuesday
END_OF_JANUARY = datetime(2026, 1, 31, 9, 0, tzinfo=LONDON)  # a Saturday


@pytest.mark.parametrize(("message", "intent"), [
    ("where is my order?", "order_status"),
    ("Where's my order 😡😡", "order_status"),
    ("hi, wheres my oder??", "order_status"),
    ("has my order shipped", "order_status"),
    ("HAS MY PARCEL BEEN DISPATCHED YET", "order_status"),
    ("track my parcel", "order_status"),
    ("when will my cake arrive", "order_status"),
    ("When will my birthday cake be ready for collection?", "order_status"),
    ("order status", "order_status"),
    ("order status for 10234 please", "order_status"),
    ("my order hasn't arrived", "order_status"),
    ("my parcel still hasnt arrived and it's been a week!!", "order_status"),
    ("I haven't received my order yet", "order_status"),
    ("any update on order #10234?", "order_status"),
    ("how do I track my order?", "order_status"),
    ("cancel my order", "cancel_order"),
    ("I don't want the order any more", "cancel_order"),
    ("I dont want my order anymore sorry", "cancel_order"),
    ("please cancel order CR-10234", "cancel_order"),
    ("can u cancle my oder pls", "cancel_order"),
    ("I'd like to cancel the order I placed yesterday", "cancel_order"),
    ("I no longer need the cake", "cancel_order"),
    ("I want my order cancelled", "cancel_order"),
    ("can I book a cake consultation", "book_appointment"),
    ("make an appointment", "book_appointment"),
    ("Make an appointment please", "book_appointment"),
    ("book me in for Friday", "book_appointment"),
    ("id like to book a fitting for saturday", "book_appointment"),
    ("I need an appointment next week", "book_appointment"),
    ("could we get a wedding cake tasting on the 12th?", "book_appointment"),
    ("move my appointment to Friday", "move_appointment"),
    ("reschedule my booking to 3pm", "move_appointment"),
    ("Can I change my appointment to the morning?", "move_appointment"),
    ("I need to reschedule", "move_appointment"),
    ("can I come on Friday instead", "move_appointment"),
    ("could we do tuesday at 2pm instead?", "move_appointment"),
    ("I want my fitting moved to next week", "move_appointment"),
    ("cancel my appointment", "cancel_appointment"),
    ("cancel my booking", "cancel_appointment"),
    ("Please can you cancel my apointment on friday", "cancel_appointment"),
    ("I'd like to cancel the 3pm consultation", "cancel_appointment"),
    ("when is my appointment", "my_appointments"),
    ("what time is my booking", "my_appointments"),
    ("what time's my fitting tomorrow?", "my_appointments"),
    ("do I have an appointment this week?", "my_appointments"),
    ("is my appointment still on?", "my_appointments"),
    ("leave a message for the owner", "leave_message"),
    ("can you pass a message to the manager", "leave_message"),
    ("can you pass a message to Sarah", "leave_message"),
    ("could you pass on a message to the team please", "leave_message"),
    ("can you let Sarah know I called", "leave_message"),
    ("Can I leave a message?", "leave_message"),
    ("Tell the owner the cake was amazing", "leave_message"),
    ("could you tell the manager I'm running late", "leave_message"),
    ("my appointment is at 3, can I come at 4 instead?", "move_appointment"),
    ("I've been waiting for my order for 2 weeks", "order_status"),
    ("have you sent my order yet", "order_status"),
    ("Is my dress ready for collection?", "order_status"),
    ("can you check on my order", "order_status"),
    ("I'd like to make a booking for 4 people", "book_appointment"),
])
def test_account_requests_are_recognised(message, intent):
    match = detect_intent(message)
    assert match is not None and match.intent == intent, match


@pytest.mark.parametrize("message", [
    "how do I track an order?",
    "can I cancel an order after it ships?",
    "do you take bookings?",
    "what's your cancellation policy?",
    "how long does delivery take?",
    "do you do appointments on Sundays?",
    "How do I make an appointment?",
    "is it possible to reschedule an appointment?",
    "what is the order status page?",
    "do you open saturday instead of sunday?",
    "I'd like to order 1000 cupcakes for a wedding",
    "why was my order cancelled?",
    "I don't want to cancel my order",
    "we don't need to move the appointment after all",
    "Good morning! Do you sell gluten free bread?",
    "thanks so much, the cake was lovely 🎂",
    "Can I order a birthday cake for Saturday?",
    "can I bring my dog to my appointment?",
    "when will my refund arrive",
    "can you tell me how to track an order",
    "do you tell the owner about complaints?",
    "my booking reference is CR-10234",
    "cancel",
    "",
])
def test_general_questions_and_chat_are_not_account_intents(message):
    assert detect_intent(message) is None


@pytest.mark.parametrize(("message", "intent"), [
    ("cancel my appointment", "cancel_appointment"),  # not my_appointments
    ("When is my appointment? I need to cancel my appointment", "cancel_appointment"),
    ("cancel my order, where is it anyway", "cancel_order"),  # not order_status
    ("my order hasn't arrived so please cancel my order", "cancel_order"),
    ("what time is my booking? I'd like to move my booking to the afternoon", "move_appointment"),
])
def test_the_action_wins_over_the_question(message, intent):
    assert detect_intent(message).intent == intent


def test_the_match_quotes_the_words_for_the_verdict():
    assert detect_intent("Hi there, WHERE IS MY ORDER please?") == IntentMatch("order_status", "where is my order")
    assert detect_intent("can you cancel my appointment please").phrase == "can you cancel my appointment"


def test_a_long_messy_message_is_read_quickly():
    rambling = ("so basically i was wondering, my my my the the " * 400) + "where is my order"
    started = clock.perf_counter()
    assert detect_intent(rambling).intent == "order_status"
    assert requested_time(rambling, FRIDAY_MORNING) is None
    assert references(rambling) == [] and postcodes(rambling) == []
    assert clock.perf_counter() - started < 1.0


@pytest.mark.parametrize(("message", "found"), [
    ("my order is CR-10234", ["CR-10234"]),
    ("cr10234", ["CR-10234"]),
    ("it's cr10234 (or CR-10234 on the email)", ["CR-10234"]),
    ("#10234", ["10234"]),
    ("order 10234 hasn't arrived", ["10234"]),
    ("Order number 10234, booking ref: AB-99881", ["10234", "AB-99881"]),
    ("order no. 10234, thanks", ["10234"]),
    ("my oder 10234 is late", ["10234"]),
    ("ref12345", ["12345"]),
    ("orders #48213 and #48214", ["48213", "48214"]),
    ("call me on 07700 900123", []),
    ("ref 07700 900123", []),
    ("my number is +44 7700 900123", []),
    ("it cost £10234 and then £12.50", []),
    ("GBP1000", []),
    ("booking on 12/12/2025 at 15:30", []),
    ("booking 2025-12-12", []),
    ("SW1A 1AA", []),
    ("I'd like to order 1500 cupcakes", []),
    ("2 loaves and 12345", []),
])
def test_references_are_found_and_normalised(message, found):
    assert references(message) == found


def test_a_business_can_use_its_own_reference_format():
    assert references("booking bk 4471-a and BK4472-B", r"\bbk\s?\d{4}-[a-z]\b") == ["BK4471-A", "BK4472-B"]
    assert references("it's INV/2025/07 thanks", r"\b(inv/\d{4}/\d+)\b") == ["INV/2025/07"]


@pytest.mark.parametrize(("message", "found"), [
    ("Email me at Jane.Doe+cakes@Example.co.uk.", ["jane.doe+cakes@example.co.uk"]),
    ("jane@example.com or JANE@EXAMPLE.COM, bob@x.io", ["jane@example.com", "bob@x.io"]),
    ("no email here, just @mentions and 10@5pm", []),
])
def test_emails_are_lower_cased_and_deduplicated(message, found):
    assert emails(message) == found


@pytest.mark.parametrize(("message", "found"), [
    ("SW1A 1AA", ["SW1A 1AA"]),
    ("sw1a1aa", ["SW1A 1AA"]),
    ("my postcode is m1 1ae thanks", ["M1 1AE"]),
    ("zip 94110", ["94110"]),
    ("94110", ["94110"]),
    ("94110-1234", ["94110"]),
    ("My zip code is 94110-1234.", ["94110"]),
    ("order 12345, post code 94110", ["94110"]),
    ("order 94110", []),
    ("#94110", []),
    ("I ordered 12345 cupcakes for my sister's wedding in town", []),
    ("call 07700 900123", []),
    ("CR-10234", []),
])
def test_postcodes_and_zips_but_never_order_numbers(message, found):
    assert postcodes(message) == found


@pytest.mark.parametrize(("message", "answer"), [
    ("yes", "yes"), ("Yes please", "yes"), ("yep", "yes"), ("sure", "yes"), ("Go ahead", "yes"),
    ("please do", "yes"), ("ok", "yes"), ("OK thank you x", "yes"), ("do it", "yes"), ("confirm", "yes"),
    ("that's right", "yes"), ("That\u2019s right!", "yes"), ("👍", "yes"), ("👍🏽", "yes"),
    ("YES PLEASE 😊", "yes"),
    ("no problem, go ahead", "yes"),
    ("no", "no"), ("nope", "no"), ("don't", "no"), ("No thanks", "no"), ("leave it", "no"), ("never mind", "no"),
    ("stop", "no"), ("nah", "no"), ("actually no", "no"), ("no, move it to Friday instead", "no"),
    ("no, can we do Friday?", "no"),
    ("yes but can you make it 4pm", None), ("yes please go ahead and cancel it", None), ("yes?", None),
    ("no?", None), ("is that the earliest?", None), ("maybe", None), ("what time is it", None), ("", None),
    ("I'm not sure", None), ("nothing else", None),
])
def test_yes_or_no_is_a_plain_answer(message, answer):
    assert yes_or_no(message) == answer


@pytest.mark.parametrize(("message", "now", "wanted"), [
    ("today", FRIDAY_MORNING, TimeRequest(date(2025, 12, 5), None, None)),
    ("tomorrow at 3", FRIDAY_MORNING, TimeRequest(date(2025, 12, 6), time(15), None)),
    ("tmrw morning", FRIDAY_MORNING, TimeRequest(date(2025, 12, 6), None, "morning")),
    ("Friday", FRIDAY_MORNING, TimeRequest(date(2025, 12, 5), None, None)),  # still ahead today
    ("Friday", FRIDAY_EVENING, TimeRequest(date(2025, 12, 12), None, None)),  # the day is done
    ("friday at 8pm", FRIDAY_EVENING, TimeRequest(date(2025, 12, 5), time(20), None)),
    ("Friday at 3pm", FRIDAY_EVENING, TimeRequest(date(2025, 12, 12), time(15), None)),
    ("this friday afternoon", FRIDAY_MORNING, TimeRequest(date(2025, 12, 5), None, "afternoon")),
    ("next Friday", FRIDAY_MORNING, TimeRequest(date(2025, 12, 12), None, None)),
    ("next tuesday", FRIDAY_MORNING, TimeRequest(date(2025, 12, 9), None, None)),
    ("can I come on weds at half past three?", FRIDAY_MORNING, TimeRequest(date(2025, 12, 10), time(15, 30), None)),
    ("on the 12th", FRIDAY_MORNING, TimeRequest(date(2025, 12, 12), None, None)),
    ("on the 2nd", NEW_YEARS_EVE_EVE, TimeRequest(date(2026, 1, 2), None, None)),  # month and year roll over
    ("the 30th", END_OF_JANUARY, TimeRequest(date(2026, 3, 30), None, None)),  # February has no 30th
    ("12 December", FRIDAY_MORNING, TimeRequest(date(2025, 12, 12), None, None)),
    ("December 12th at 10am", FRIDAY_MORNING, TimeRequest(date(2025, 12, 12), time(10), None)),
    ("3 Jan", NEW_YEARS_EVE_EVE, TimeRequest(date(2026, 1, 3), None, None)),
    ("12/12", FRIDAY_MORNING, TimeRequest(date(2025, 12, 12), None, None)),
    ("4/1 please", NEW_YEARS_EVE_EVE, TimeRequest(date(2026, 1, 4), None, None)),  # day/month, UK order
    ("12 Dec 2026", FRIDAY_MORNING, TimeRequest(date(2026, 12, 12), None, None)),
    ("2026-02-03 15:00", FRIDAY_MORNING, TimeRequest(date(2026, 2, 3), time(15), None)),
    ("3pm", FRIDAY_MORNING, TimeRequest(None, time(15), None)),
    ("3 pm", FRIDAY_MORNING, TimeRequest(None, time(15), None)),
    ("15:00", FRIDAY_MORNING, TimeRequest(None, time(15), None)),
    ("3:30pm", FRIDAY_MORNING, TimeRequest(None, time(15, 30), None)),
    ("15.30", FRIDAY_MORNING, TimeRequest(None, time(15, 30), None)),
    ("9:30", FRIDAY_MORNING, TimeRequest(None, time(9, 30), None)),
    ("noon", FRIDAY_MORNING, TimeRequest(None, time(12), None)),
    ("midday on saturday", FRIDAY_MORNING, TimeRequest(date(2025, 12, 6), time(12), None)),
    ("half past three", FRIDAY_MORNING, TimeRequest(None, time(15, 30), None)),
    ("half 9 in the morning", FRIDAY_MORNING, TimeRequest(None, time(9, 30), "morning")),
    ("quarter to five", FRIDAY_MORNING, TimeRequest(None, time(16, 45), None)),
    ("at 10", FRIDAY_MORNING, TimeRequest(None, time(10), None)),
    ("at 8 in the evening", FRIDAY_MORNING, TimeRequest(None, time(20), "evening")),
    ("around 4ish?", FRIDAY_MORNING, TimeRequest(None, time(16), None)),
    ("ten o'clock", FRIDAY_MORNING, TimeRequest(None, time(10), None)),
    ("tonight at 7", FRIDAY_MORNING, TimeRequest(date(2025, 12, 5), time(19), "evening")),
    ("afternoon", FRIDAY_MORNING, TimeRequest(None, None, "afternoon")),
    ("Morning, can I come Saturday?", FRIDAY_MORNING, TimeRequest(date(2025, 12, 6), None, None)),
    ("Move CR-10234 to 11.15 on Monday", FRIDAY_MORNING, TimeRequest(date(2025, 12, 8), time(11, 15), None)),
])
def test_requested_time_reads_days_and_times(message, now, wanted):
    assert requested_time(message, now) == wanted


@pytest.mark.parametrize("message", [
    "where is my order 10234?", "it was £12 for 2 loaves", "£12.50 each", "12.50 each", "around 6 cupcakes",
    "I need about 5 for the party", "Good morning, where is my order", "open 24/7?", "we sat in the sun",
    "#1030", "call 07700 900123", "the 3 of us", "",
])
def test_numbers_that_are_not_times_are_left_alone(message):
    assert requested_time(message, FRIDAY_MORNING) is None


OFFERED = ["Friday 5 December at 15:30", "Saturday 6 December at 10:00", "Saturday 6 December at 11:30"]


@pytest.mark.parametrize(("message", "picked"), [
    ("the first one", 0), ("Second", 1), ("the 2nd one please", 1), ("number 3", 2), ("option 2", 1), ("2", 1),
    ("two", 1), ("15:30", 0), ("3:30", 0), ("3.30pm", 0), ("Friday", 0), ("friday please!", 0),
    ("the later one", 2), ("the last one", 2), ("earliest", 0), ("10am", 1), ("11:30 please", 2),
    ("I'll take the 10:00 on Saturday", 1), ("sat at half 11", 2), ("the 5th", 0), ("the second one on saturday", 1),
    ("Saturday", None), ("the 6th", None), ("either is fine", None), ("4", None), ("9", None),
    ("friday at 10", None), ("the first one at 11:30", None), ("just a second", None), ("hmm let me think", None),
    ("Sunday", None), ("", None),
])
def test_choose_finds_the_offered_option(message, picked):
    assert choose(message, OFFERED) == picked


def test_choose_with_undated_options_reads_digit_ordinals_as_positions():
    assert choose("the 3rd", ["10:00", "11:00", "12:00"]) == 2
    assert choose("the 3rd", ["Tuesday 2 December at 10:00", "Wednesday 3 December at 10:00"]) == 1
    assert choose("the first", []) is None
