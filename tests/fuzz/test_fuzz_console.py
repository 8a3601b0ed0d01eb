"""The people's console under hostile input, through its handlers (no browser): whatever the page sends, a clear
message comes back and no exception escapes; a refused reply, or any action on a ticket that does not exist,
leaves the store as it was; what the page shows is rendered by components that sanitise HTML; and the chat
page's rating box, the other free-form handler, answers any score in words."""

from __future__ import annotations

import math

import gradio as gr
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from agent.handoff import MAX_AGENT_MESSAGE
from agent.web_ui import Console, CustomerChat, build_chat_app, build_console_app, ticket_number, whole_number
from tests.fuzz.conftest import FUZZ
from tests.fuzz.strategies import TRICKY_CHARS, tricky_text, zalgo_text

OPERATOR, PASSWORD = "Sam", "right horse battery"
ACTIONS = ["assign", "reply", "hand_back", "resolve"]
SCRIPT = "<script>alert('x')</script><img src=x onerror=alert(1)>"
RLO = "\u202e"

#: What the ticket box may hold: the dropdown's number, typed text, and what a crafted request could send.
TICKET_IDS = st.one_of(
    st.none(), st.just(""), st.integers(), st.integers(2 ** 62, 2 ** 70), st.floats(), st.booleans(),
    tricky_text(40), st.text(st.sampled_from("0123456789# \u0661\uff11"), max_size=30), st.binary(max_size=10),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=1),
    st.just("9" * 5000), st.just(math.inf), st.just(SCRIPT))
#: What the reply box may hold: nothing, blanks, any text, zalgo, bidi overrides, markup, and too much.
REPLIES = st.one_of(
    st.none(), st.just(""), st.text(st.sampled_from(" \t\n\u200b\u00a0\u3000"), max_size=20), tricky_text(300),
    zalgo_text(300), st.just(SCRIPT), tricky_text(60).map(lambda t: f"{RLO}{t}"),
    st.integers(MAX_AGENT_MESSAGE - 5, MAX_AGENT_MESSAGE * 5).map(lambda n: "x" * n),
    st.text(st.sampled_from(TRICKY_CHARS), min_size=MAX_AGENT_MESSAGE + 1, max_size=MAX_AGENT_MESSAGE + 50))


def allow_sam(user: str, password: str) -> bool:
    return (user, password) == (OPERATOR, PASSWORD)


@pytest.fixture(scope="module")
def console(fuzz_agent) -> Console:
    return Console(fuzz_agent, allow_sam)


@pytest.fixture(scope="module")
def operator(console) -> str:
    who, said = console.login(OPERATOR, PASSWORD)
    assert who == OPERATOR, said
    return who


@pytest.fixture(scope="module")
def ticket(fuzz_agent, console, operator) -> int:
    """An open ticket the operator has taken over (replies keep it open)."""
    session = CustomerChat.new_session()
    list(CustomerChat(fuzz_agent).talk_to_person(session))
    ticket = fuzz_agent.store.active_ticket(session["conversation_id"])
    assert ticket is not None
    assert console.act(operator, ticket.id, "assign")[0].startswith("You (Sam) have taken over")
    return ticket.id


def snapshot(agent) -> list[tuple]:
    """Every ticket and every turn of their conversations: what an action could change."""
    tickets = agent.store.tickets(business=agent.desk.business)
    return [(t.id, t.status, t.assignee, t.resolution, tuple((turn.seq, turn.role, turn.text)
                                                             for turn in agent.store.turns(t.conversation_id)))
            for t in tickets]


def is_existing_ticket(agent, ticket_id) -> bool:
    try:
        number = ticket_number(ticket_id)
    except Exception:
        return False
    return agent.store.get_ticket(number) is not None


def assert_page_values(said: str, summary: str, transcript: list) -> None:
    assert isinstance(said, str) and said.strip()
    assert isinstance(summary, str)
    assert all(isinstance(m, dict) and isinstance(m["content"], str) for m in transcript)


@FUZZ
@given(ticket_id=TICKET_IDS, action=st.one_of(st.sampled_from(ACTIONS), tricky_text(20)), text=REPLIES)
def test_any_ticket_id_that_is_not_a_ticket_gets_a_clear_answer_and_changes_nothing(
        fuzz_agent, console, operator, ticket_id, action, text):
    assume(not is_existing_ticket(fuzz_agent, ticket_id))
    before = snapshot(fuzz_agent)
    said, summary, transcript = console.act(operator, ticket_id, action, text)
    assert_page_values(said, summary, transcript)
    assert said.startswith(("Not done: ", "Choose a ticket")), said
    assert "Traceback" not in said and "invalid literal" not in said and "Exceeds the limit" not in said
    assert transcript == []
    shown, lines = console.show(operator, ticket_id)
    assert shown.strip() and lines == []
    assert snapshot(fuzz_agent) == before


@FUZZ
@given(text=REPLIES)
def test_a_reply_is_sent_whole_or_refused_in_words_and_then_not_stored(fuzz_agent, console, operator, ticket, text):
    conversation = fuzz_agent.store.get_ticket(ticket).conversation_id
    before = fuzz_agent.store.turns(conversation)
    said, summary, transcript = console.act(operator, ticket, "reply", text)
    assert_page_values(said, summary, transcript)
    after = fuzz_agent.store.turns(conversation)
    if said.startswith("Sent to the customer"):
        (new,) = after[len(before):]
        assert new.role == "agent" and new.text.strip() and len(new.text) <= MAX_AGENT_MESSAGE + 200
        new.text.encode("utf-8")  # no lone surrogates reach the store
        assert "\x00" not in new.text and RLO not in new.text  # cleaned like a customer's message
        assert transcript[-1]["content"].endswith(new.text)
    else:
        assert said.startswith("Not done: ") and ("empty" in said or "characters" in said), said
        assert [(t.seq, t.text) for t in after] == [(t.seq, t.text) for t in before]


@pytest.mark.parametrize("size", [MAX_AGENT_MESSAGE + 1, 10 * MAX_AGENT_MESSAGE, 1_000_000])
def test_a_reply_over_the_limit_is_refused_with_the_limit_and_not_stored(fuzz_agent, console, operator, ticket, size):
    conversation = fuzz_agent.store.get_ticket(ticket).conversation_id
    before = fuzz_agent.store.turns(conversation)
    said, _, _ = console.act(operator, ticket, "reply", "y" * size)
    assert said == f"Not done: the reply is {size:,} characters; keep it under {MAX_AGENT_MESSAGE:,}."
    assert fuzz_agent.store.turns(conversation) == before


@pytest.mark.parametrize("ticket_id, words", [
    (math.inf, "not a ticket number"), (math.nan, "not a ticket number"), (2 ** 63, "not a ticket number"),
    ([1], "not a ticket number"), ({"id": 1}, "not a ticket number"), ("1.5", "not a ticket number"),
    ("9" * 5000, "not a ticket number"), (True, "not a ticket number"), ("abc", "not a ticket number"),
    (10 ** 15, "there is no ticket"), (0, "there is no ticket"), (-3, "not a ticket number"),
    (None, "Choose a ticket"), ("", "Choose a ticket")])
def test_bad_ticket_ids_are_named_in_words(fuzz_agent, console, operator, ticket_id, words):
    before = snapshot(fuzz_agent)
    for action in ACTIONS:
        said, _, transcript = console.act(operator, ticket_id, action, "hello")
        assert words in said and transcript == []
    assert words in console.show(operator, ticket_id)[0]
    assert snapshot(fuzz_agent) == before


@FUZZ
@given(user=st.one_of(st.none(), tricky_text(100), zalgo_text(60), st.just(SCRIPT), st.just("x" * 100_000)),
       password=st.one_of(st.none(), tricky_text(60), st.just(PASSWORD)))
def test_sign_in_with_any_name_and_password_is_refused_in_words(console, user, password):
    assume((user, password) != (OPERATOR, PASSWORD))
    who, said = console.login(user, password)
    assert who is None
    assert said in ("Enter your name and password.", "That name and password did not match.")


def test_an_auth_backend_that_breaks_on_odd_input_keeps_the_door_shut(fuzz_agent):
    def fragile(user: str, password: str) -> bool:
        return user.encode("utf-8") == b"Sam" and password.encode("utf-8") == b"pw"  # raises on a lone surrogate

    console = Console(fuzz_agent, fragile)
    assert console.login("Sam", "\ud800") == (None, "That name and password did not match.")
    assert console.login("\ud800", "pw") == (None, "That name and password did not match.")


@FUZZ
@given(ticket_id=TICKET_IDS, text=REPLIES)
def test_the_signed_out_get_nothing_whatever_they_send(fuzz_agent, console, ticket_id, text):
    before = snapshot(fuzz_agent)
    for who in (None, ""):
        assert console.queue(who) == [] and console.ticket_choices(who) == [] and console.analytics(who) is None
        assert console.show(who, ticket_id) == ("Sign in first.", [])
        for action in ACTIONS:
            assert console.act(who, ticket_id, action, text) == ("Sign in first.", "", [])
    assert snapshot(fuzz_agent) == before


def test_markup_in_a_reply_is_shown_only_through_components_that_sanitise_html(fuzz_agent, console, operator,
                                                                                ticket):
    said, summary, transcript = console.act(operator, ticket, "reply", f"Here you go {SCRIPT}")
    assert said.startswith("Sent to the customer")
    assert SCRIPT in transcript[-1]["content"]  # stored and shown as written, and so rendered only as below
    pages = [build_console_app(fuzz_agent, console_auth=allow_sam), build_chat_app(fuzz_agent)]
    shown = {b.elem_id: b for page in pages for b in page.blocks.values() if getattr(b, "elem_id", None)}
    for elem_id in ("ticket-summary", "ticket-transcript", "action-status", "console-login-message", "chat",
                    "handoff-status"):
        assert shown[elem_id].sanitize_html, f"{elem_id} would render a customer's or person's HTML live"
    queue = shown["queue"]
    assert isinstance(queue, gr.Dataframe) and not {"html", "markdown"} & set(
        queue.datatype if isinstance(queue.datatype, list) else [queue.datatype])


@pytest.fixture(scope="module")
def chat_session(fuzz_agent) -> tuple[CustomerChat, dict]:
    chat = CustomerChat(fuzz_agent)
    session = chat.new_session()
    list(chat.send("How much is delivery?", session))
    return chat, session


@FUZZ
@given(score=TICKET_IDS, comment=REPLIES)
def test_the_chat_rating_box_answers_any_score_in_words(fuzz_agent, chat_session, score, comment):
    """The customer's page has one more free-form box: a rating is saved for a whole 1-5, refused in words otherwise."""
    chat, session = chat_session
    said = chat.rate(score, comment, session)
    number = whole_number(score)
    if number is not None and 1 <= number <= 5:
        assert said == "Thank you, your rating has been saved.", said
    else:
        assert said in ("Choose a score from 1 to 5 first.",
                        f"That rating could not be saved: a rating is a whole number from 1 to 5, not {number}."), said
