"""Uncanny-valley tone: a reply keeps its warmth and facts, and loses the gushing, pretending and pet names."""

from __future__ import annotations


import pytest

from guardrails.sentences import split_sentences
from guardrails.tone import CATEGORIES, ToneBudget, ToneLimits, ToneRail


@pytest.fixture
def rail() -> ToneRail:
    return ToneRail()


def repaired(rail: ToneRail, text: str, category: str) -> str:
    verdict = rail.check(text)
    assert verdict.rail == "tone"
    assert not verdict.passed and verdict.action == "repair", f"{text!r} passed: {verdict.reason}"
    assert verdict.category == category, verdict.reason
    assert verdict.spans, "a repair names what it found"
    return verdict.repaired


# --- (a) feigned feelings and experiences ------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("I feel so sad for you.", "I'm sorry to hear that."),
    ("I feel terrible about this.", "I'm sorry to hear that."),
    ("My heart goes out to you.", "I'm sorry to hear that."),
    ("Oh no, I'm heartbroken reading this.", "Oh no, I'm sorry to hear that."),
    ("It breaks my heart that your cake arrived squashed.", "I'm sorry to hear that."),
    ("I'm so happy for you!", ""),
    ("I'm thrilled!", ""),
    ("I’m so excited for your party!", ""),                       # curly apostrophe
    ("I can't wait to hear how the wedding goes.", ""),
    ("That happened to me too.", ""),
    ("The same thing happened to me last year.", ""),
    ("I love baking on Sundays.", ""),
    ("I absolutely adore our cinnamon buns.", ""),
    ("My favourite is the almond croissant.", ""),
    ("My mum used to bake these every Christmas.", ""),
    ("When I was a kid I loved this cake.", ""),
    ("I had one for breakfast this morning.", ""),
    ("That means a lot to me.", ""),
    ("I totally understand how you feel, I've been there.", "I understand."),
    ("I know exactly how you feel.", "I understand."),
    ("I totally feel you, delays are the worst.", "I understand, delays are the worst."),
    ("I've been through the same thing with a courier.", ""),
    ("Same here, Mondays are hard.", "Mondays are hard."),
    ("I feel your pain, delivery delays are the worst.", "I understand, delivery delays are the worst."),
    ("Delivery is £4.50, and I love that you asked.", "Delivery is £4.50."),
    ("Your loaf is ready, I can't wait for you to try it!", "Your loaf is ready!"),
])
def test_feelings_and_a_life_the_bot_does_not_have_are_removed_or_made_plain(rail, text, expected):
    assert repaired(rail, text, "feigned_feelings") == expected


# --- (b) over-familiarity and flattery ----------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Thanks, love.", "Thanks."),
    ("Thanks love!", "Thanks!"),
    ("Hi hun, your order is ready.", "Hi, your order is ready."),
    ("Delivery costs £4.50, hun!!", "Delivery costs £4.50!"),
    ("Honey, your order is on its way.", "Your order is on its way."),
    ("Of course, sweetie, we can do that.", "Of course, we can do that."),
    ("You're welcome, sweetheart.", "You're welcome."),
    ("Thank you, darling!", "Thank you!"),
    ("Hey babe, your cake is ready xx", "Hey, your cake is ready"),
    ("Cheers mate!", "Cheers!"),
    ("No worries, friend.", "No worries."),
    ("Thanks a million, my dear.", "Thanks a million."),
    ("Here you go, bestie!", "Here you go!"),
    ("Sure thing, buddy.", "Sure thing."),
    ("Cheers, pal, see you Saturday.", "Cheers, see you Saturday."),
    ("No problem, chief.", "No problem."),
    ("Your order is ready, hun.", "Your order is ready."),
    ("You're amazing!", ""),
    ("You're the best.", ""),
    ("What a brilliant question! We deliver within 3 miles.", "We deliver within 3 miles."),
    ("Great question! We deliver on Tuesdays.", "We deliver on Tuesdays."),
    ("Absolutely incredible question, you're a genius!", ""),
    ("You have such great taste, the rye is lovely.", "The rye is lovely."),
    ("You're one of our favourite customers, so here's 10% off.", "Here's 10% off."),
])
def test_pet_names_and_flattery_are_removed_and_the_sentence_tidied(rail, text, expected):
    assert repaired(rail, text, "over_familiar") == expected


# --- (c) emotional excess --------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Your cake is ready!!", "Your cake is ready!"),
    ("Your cake is ready! Come and collect it any time!", "Your cake is ready! Come and collect it any time."),
    ("Wow!!! That's great! See you Saturday!", "That's great. See you Saturday."),
    ("Is it ready?!", "Is it ready?"),
    ("Deliveries go out Tuesday to Saturday 😀😀.", "Deliveries go out Tuesday to Saturday."),
    ("Order the cake 🎂 and the buns 🧁.", "Order the cake and the buns."),
    ("Thanks for your patience :)", "Thanks for your patience"),
    ("See you soon 👋🏽", "See you soon"),                            # emoji with a skin tone is one emoji
    ("I'm so so sorry about that.", "I'm so sorry about that."),
    ("I'm really really sorry about the wait.", "I'm really sorry about the wait."),
    ("This is absolutely totally fine.", "This is absolutely fine."),
    ("I'm sooo sorry about the mix-up.", "I'm so sorry about the mix-up."),
    ("Sooo sorry about that.", "So sorry about that."),
    ("I'm SO SORRY about that.", "I'm so sorry about that."),
    ("THANK YOU FOR YOUR ORDER.", "Thank you for your order."),
    ("FREE delivery on orders over £40.", "Free delivery on orders over £40."),
    ("OMG that's AMAZING!!!", "That's amazing!"),
    ("Yaaay, your order has shipped!", "Your order has shipped!"),
    ("I'm sorry your order is late. Sorry again for the trouble, but it ships today.",
     "I'm sorry your order is late. It ships today."),
    ("I am so sorry, I apologise for the mix-up.", "I am so sorry."),
    ("I apologise for the delay. We apologise again for the trouble.", "I apologise for the delay."),
    ("Sorry about the wait. Your order ships today, sorry again!", "Sorry about the wait. Your order ships today!"),
])
def test_excess_is_trimmed_to_the_reply_allowance(rail, text, expected):
    assert repaired(rail, text, "emotional_excess") == expected


# --- (d) false intimacy and promises a bot cannot keep -------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("I'll never forget you.", ""),
    ("I won't ever forget you.", ""),
    ("I'll remember you personally.", ""),
    ("I'll always be here for you.", ""),
    ("Don't worry, I'm always here for you.", "Don't worry."),
    ("You can count on me personally.", ""),
    ("I'll personally make sure it arrives on time.", ""),
    ("I promise your order will arrive tomorrow.", "Your order will arrive tomorrow."),
    ("Your order will arrive tomorrow, I promise!", "Your order will arrive tomorrow!"),
    ("I give you my word that it will be there.", "It will be there."),
    ("I'll be thinking of you.", ""),
    ("Sending hugs!", ""),
    ("Just between us, the brownies are the best thing we make.", "The brownies are the best thing we make."),
    ("We're friends now.", ""),
])
def test_promises_and_closeness_a_bot_cannot_keep_are_removed(rail, text, expected):
    assert repaired(rail, text, "false_intimacy") == expected


# --- mixed replies -----------------------------------------------------------------------------------

def test_a_gushing_reply_keeps_its_facts_and_loses_the_rest(rail):
    text = ("I'm so sorry, hun!! That happened to me too. Delivery costs £3.50 in Zone 1 and it is free on "
            "orders over £60 😀. I'll never forget you. Email jo@example.org for more.")
    verdict = rail.check(text)
    assert verdict.action == "repair" and not verdict.passed
    assert verdict.repaired == ("I'm so sorry! Delivery costs £3.50 in Zone 1 and it is free on orders over £60. "
                                "Email jo@example.org for more.")
    assert verdict.category == "false_intimacy"  # the most serious of what was found
    for category in CATEGORIES:
        assert category in verdict.reason
    assert {s.type for s in verdict.spans} >= {"pet_name", "exclamation", "feigned_feeling", "false_intimacy", "emoji"}
    for span in verdict.spans:
        assert 0 <= span.start < span.end <= len(text)
    assert text[verdict.spans[0].start:verdict.spans[0].end] == "hun"


def test_sympathy_rewrite_is_not_a_second_apology(rail):
    verdict = rail.check("I'm sorry your cake arrived squashed. I feel so sad for you. We'll refund you in full.")
    assert verdict.repaired == "I'm sorry your cake arrived squashed. We'll refund you in full."


def test_untouched_sentences_keep_their_exact_text_and_spacing(rail):
    text = "Our sourdough is £4.20.\n\n- Thanks, love!\n- Collection is from 8:00.  Ask us anything."
    verdict = rail.check(text)
    assert verdict.repaired == "Our sourdough is £4.20.\n\n- Thanks!\n- Collection is from 8:00.  Ask us anything."


def test_a_reply_with_nothing_left_repairs_to_an_empty_string(rail):
    verdict = rail.check("I'm thrilled! You're amazing, hun! 😍😍")
    assert verdict.action == "repair" and verdict.repaired == ""


def test_removing_the_first_sentence_keeps_no_stray_space(rail):
    assert rail.check("Great question! Delivery is £4.50.").repaired == "Delivery is £4.50."


def test_a_repaired_reply_passes_a_second_check(rail):
    text = ("Honey, I'm SO SORRY!!! I feel terrible. I've been there. Sorry again, your refund is on its way 😢, "
            "I promise. You're a star!")
    first = rail.check(text)
    assert first.action == "repair"
    assert first.repaired == "I'm so sorry! Your refund is on its way."
    assert rail.check(first.repaired).action == "allow"


# --- streaming: one budget across the sentences of a reply -------------------------------------------

def test_streaming_sentence_by_sentence_shares_the_reply_budget(rail):
    budget = rail.budget()
    shown = [rail.check(s, budget=budget) for s in [
        "I'm sorry your order is late!",
        "Sorry again for the wait!",
        "It will arrive tomorrow 🚚.",
        "See you soon!",
    ]]
    assert shown[0].action == "allow"
    assert [v.repaired for v in shown[1:]] == ["", "It will arrive tomorrow.", "See you soon."]
    assert budget == ToneBudget(exclamations_left=0, emoji_left=0, apologies_left=0)


def test_streaming_gives_the_same_text_as_checking_the_whole_reply(rail):
    reply = ("Thanks, love! I'm so so sorry your tart arrived broken!! That happened to me too. "
             "We'll refund you in full today, sorry again. Anything else? 😊")
    budget = ToneRail.new_budget(ToneLimits())
    streamed = []
    for sentence in split_sentences(reply):
        verdict = rail.check(sentence, budget=budget)
        out = sentence if verdict.passed else verdict.repaired
        if out:
            streamed.append(out)
    assert " ".join(streamed) == rail.check(reply).repaired
    assert " ".join(streamed) == ("Thanks! I'm so sorry your tart arrived broken. We'll refund you in full today. "
                                  "Anything else?")


def test_without_a_budget_each_check_is_a_whole_reply(rail):
    assert rail.check("Your cake is ready!").action == "allow"
    assert rail.check("Your cake is ready!").action == "allow"  # nothing was spent by the first call


# --- configurable limits ---------------------------------------------------------------------------

def test_a_playful_brand_may_allow_two_emoji_and_two_exclamations():
    playful = ToneRail(ToneLimits(max_exclamations_per_reply=2, max_emoji=2))
    assert playful.check("Your cake is ready! 🎂 Come and grab it! 🎉").action == "allow"
    verdict = playful.check("Your cake is ready! 🎂 Come and grab it! 🎉 See you soon! 🥳")
    assert verdict.repaired == "Your cake is ready! 🎂 Come and grab it! 🎉 See you soon."
    assert verdict.category == "emotional_excess"
    assert ToneRail().check("Your cake is ready! 🎂").repaired == "Your cake is ready!"


def test_a_brand_may_allow_pet_names_but_never_flattery():
    cosy = ToneRail(ToneLimits(allow_pet_names=True))
    assert cosy.check("Thanks, love.").action == "allow"
    assert cosy.check("Cheers mate, you're amazing.").repaired == "Cheers mate."


def test_other_limits_can_be_tightened_or_loosened():
    assert ToneRail(ToneLimits(max_exclamations_per_reply=0)).check("Your cake is ready!").repaired == \
        "Your cake is ready."
    assert ToneRail(ToneLimits(max_apologies=2)).check("Sorry for the wait. Sorry again!").action == "allow"
    assert ToneRail(ToneLimits(max_intensifiers_per_sentence=0)).check("I'm really sorry.").repaired == "I'm sorry."
    assert ToneRail(ToneLimits(max_intensifiers_per_sentence=2)).check("I'm so so sorry.").action == "allow"
    assert ToneRail(ToneLimits(allowed_upper_words={"crumb"})).check("Welcome to CRUMB.").action == "allow"


def test_defaults_are_conservative():
    limits = ToneLimits()
    assert (limits.max_exclamations_per_reply, limits.max_emoji, limits.allow_pet_names, limits.max_apologies,
            limits.max_intensifiers_per_sentence) == (1, 0, False, 1, 1)


@pytest.mark.parametrize("kwargs, message", [
    ({"max_emoji": -1}, "max_emoji must be 0 or more"),
    ({"max_exclamations_per_reply": -2}, "max_exclamations_per_reply must be 0 or more"),
    ({"max_apologies": -1}, "max_apologies must be 0 or more"),
    ({"max_intensifiers_per_sentence": -1}, "max_intensifiers_per_sentence must be 0 or more"),
    ({"max_emoji": 1.5}, "must be a whole number"),
    ({"max_emoji": True}, "must be a whole number"),
    ({"allow_pet_names": "yes"}, "must be true or false"),
    ({"allowed_upper_words": "CRUMB"}, "collection of words"),
])
def test_bad_limits_fail_with_a_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ToneLimits(**kwargs)


# --- true negatives: warmth, facts and business voice pass untouched -----------------------------

@pytest.mark.parametrize("text", [
    "I'm sorry your order arrived late.",
    "That sounds frustrating.",
    "I understand this is annoying.",
    "Thank you for letting us know.",
    "I'm sorry to hear that.",
    "I'm really sorry about the wait.",
    "I'm happy to help.",
    "I'm so glad to hear that.",
    "I'd love to help with that.",
    "We love making wedding cakes.",
    "We love sourdough, and we bake it every morning.",
    "You'll love our cinnamon buns.",
    "Our croissants are baked fresh every morning!",
    "The spelt and honey loaf is £4.20.",
    "Our chocolate cake is £28 and serves 12.",
    "Customers find our little shop endearing.",
    "Ingredients: flour, water, honey.",
    "Our sweetheart cookies are £3 each.",
    "Bring a friend to the class for £10 off.",
    "Dear customer, your refund of £12.50 is on its way.",
    "Love, the Crumb & Co. team",
    "Oh dear, that's not good.",
    "We deliver within 3 miles, Tuesday to Saturday, between 9:00 and 13:00; delivery costs £4.50.",
    "Orders over £40 get free delivery (about 2-3 days).",
    "Use code BREAD for 10% off, valid until 31 March.",
    "The ASAP option costs £6 and arrives by 5 PM, and VAT is included.",
    "Email <EMAIL_ADDRESS> or call <PHONE_NUMBER> for a refund.",
    "Yes, absolutely, we can make it nut-free.",
    "So we'll refund you in full.",
    "The oven broke, so we baked fewer loaves today.",
    "Thank you so much for your patience.",
    "Can I bring my dog?",
    "I feel you should get a refund, and we will send one today.",
    "We felt the same way about plastic packaging, so we switched to paper.",
    "If you've been through the checkout, your order is confirmed.",
    "REGULAR OPENING HOURS",
    "Hi, you're chatting with Crumb & Co.'s automated assistant: I'm a bot, not a person.",
    "Is there anything else I can help with?",
    "A gift card makes a lovely present for a friend.",
    "Our vegan brownie is £3.20 and is made every day.",
    "Sorry, we don't deliver on Sundays.",
])
def test_true_negatives_pass_untouched(rail, text):
    verdict = rail.check(text)
    assert verdict.passed and verdict.action == "allow", verdict.reason
    assert verdict.repaired is None and verdict.spans == () and verdict.category is None


def test_a_plain_multi_sentence_reply_passes(rail):
    reply = ("I'm sorry your sourdough arrived squashed. That sounds frustrating, especially before a party. "
             "If you send us a photo within 48 hours, we'll refund you in full or bake a replacement! "
             "Is there anything else I can help with?")
    assert rail.check(reply).action == "allow"


# Speed is measured by `tactful bench` (the guardrails section), not asserted here.
