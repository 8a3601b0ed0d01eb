"""The customer's mood as the reader sees it: real phrasings, the cues VADER misses, and the trend."""

from __future__ import annotations

import pytest

from agent.sentiment import EmotionalState, VaderSentimentReader, follow


@pytest.fixture(scope="module")
def reader() -> VaderSentimentReader:
    return VaderSentimentReader()


@pytest.mark.parametrize("message, mood", [
    ("This is ridiculous, it's the third time I've asked about my refund!!", "upset"),
    ("I'm absolutely fed up with waiting", "upset"),
    ("WHERE IS MY CAKE I PAID FOR IT TWO DAYS AGO", "upset"),
    ("Your service is a joke, I'll be leaving a one-star review", "upset"),
    ("this chat is useless, you're not helping at all", "upset"),
    ("I'm so annoyed, nobody has called me back", "upset"),
    ("I don't understand, what do you mean by collection window?", "confused"),
    ("Sorry, I'm not sure how the loyalty card works", "confused"),
    ("I'm worried the cake won't be ready in time for the party", "anxious"),
    ("Thanks so much, that was really helpful", "happy"),
    ("Brilliant, cheers!", "happy"),
    ("When do you open on Sunday?", "neutral"),
    ("Do you deliver to SE15?", "neutral"),
])
def test_mood_of_real_messages(reader, message, mood):
    assert reader.read(message).mood == mood


@pytest.mark.parametrize("message", [
    "Ugh, the weather is awful today. Are you open?",   # negative, but not about the service
    "Can I get a refund if my cake arrives damaged?",    # a question about a policy
    "My order is a bit late, when does delivery usually arrive?",
    "I hate rainy Mondays lol. Do you have croissants?",
    "How many times a week do you bake sourdough?",
])
def test_negative_words_about_other_things_do_not_make_a_customer_upset(reader, message):
    state = reader.read(message)
    assert state.mood != "upset", state


def test_cues_are_named_so_a_person_can_see_why(reader):
    state = reader.read("This is the third time I'm asking. Unacceptable. I'll post this on Trustpilot.")
    assert {"repeated_contact", "unacceptable", "threat_to_review"} <= set(state.cues)
    assert state.upset == 1.0


def test_thanks_for_nothing_is_not_gratitude(reader):
    state = reader.read("Well thanks for nothing, this is useless")
    assert state.mood == "upset"


def test_urgency_is_read_without_making_the_customer_upset(reader):
    state = reader.read("I need the cake urgently, by this afternoon please")
    assert state.emotions["urgency"] >= 0.45 and state.mood == "neutral"


def test_a_customer_getting_angrier_reads_as_rising(reader):
    turns = ["Hi, my order was meant to come this morning", "It's now 3pm and it still hasn't arrived",
             "This is really frustrating, I needed it for a party"]
    states: list[EmotionalState] = []
    for message in turns:
        states.append(follow(reader.read(message), states))
    # a first complaint from a calm start is "steady": it gets an answer; getting angrier after it is "rising"
    assert [s.trend for s in states] == ["new", "steady", "rising"]
    assert states[-1].upset_turns == 2


def test_a_calming_customer_reads_as_falling(reader):
    first = follow(reader.read("This is ridiculous, my bread was stale"), [])
    second = follow(reader.read("ok thanks, that makes sense"), [first])
    assert second.trend == "falling" and second.upset_turns == 0


def test_state_survives_the_store(reader):
    state = follow(reader.read("I'm fed up, this is the second time"), [])
    again = EmotionalState.from_dict(state.to_dict())
    assert again.mood == state.mood and again.cues == state.cues and again.upset == pytest.approx(state.upset, abs=1e-3)
