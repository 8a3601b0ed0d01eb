"""The web pages' behaviour through their handlers (no browser): the customer's chat, the console, analytics,
and the embed snippet. The Blocks are built (and mounted on FastAPI) but never launched."""

from __future__ import annotations


import gradio as gr
import pytest

from agent.embed_snippet import embed_snippet
from agent.analytics import summary_markdown
from agent.errors import BadInput
from agent.web_ui import (TALK_TO_PERSON, Console, CustomerChat, analytics_frames, build_chat_app,
                          build_console_app)

KB = {
    "delivery.md": "# Delivery\n\nWe deliver within 3 miles of the shop. Delivery costs £4.50, and it is free on "
                   "orders over £40.\n",
}


def allow_sam(user: str, password: str) -> bool:
    return (user, password) == ("Sam", "right horse battery")


@pytest.fixture
def agent(extractive_agent_over):
    return extractive_agent_over(KB)


@pytest.fixture
def chat(agent):
    return CustomerChat(agent)


@pytest.fixture
def console(agent):
    return Console(agent, allow_sam)


def say(chat: CustomerChat, session: dict, text: str) -> list[list[dict]]:
    """Every chat state the customer saw while the answer streamed."""
    return [messages for messages, _, cleared in chat.send(text, session) if cleared == ""]


def escalate(chat: CustomerChat) -> dict:
    session = chat.new_session()
    list(chat.talk_to_person(session))
    return session


def by_elem_id(demo: gr.Blocks) -> dict[str, gr.components.Component]:
    return {b.elem_id: b for b in demo.blocks.values() if getattr(b, "elem_id", None)}


def test_the_pages_build_with_a_persistent_bot_notice_and_labelled_inputs(agent):
    chat_page, console_page = by_elem_id(build_chat_app(agent)), by_elem_id(build_console_app(agent))
    notice = chat_page["ai-notice"].value
    assert "automated assistant" in notice and "not a person" in notice and "Talk to a person" in notice
    assert chat_page["talk-to-person"].value == "Talk to a person"
    for page, elem_id in [(chat_page, "message"), (chat_page, "customer-name"), (chat_page, "rating-score"),
                          (chat_page, "rating-comment"), (console_page, "console-user"),
                          (console_page, "console-password"), (console_page, "agent-reply"),
                          (console_page, "ticket-choice")]:
        assert page[elem_id].label, f"{elem_id} has no accessible label"
    assert console_page["console-password"].type == "password"
    assert not console_page["console-main"].visible  # the queue stays hidden until someone signs in
    assert not any(key.startswith("console") for key in chat_page)  # the customer's page carries no console


def test_both_pages_and_the_api_are_served_together(agent):
    from fastapi.testclient import TestClient

    from agent.server import build_app

    with TestClient(build_app(agent)) as client:
        chat_page = client.get("/")
        console_page = client.get("/console")  # redirected to /console/
        assert chat_page.status_code == 200 and console_page.status_code == 200
        assert "chat" in chat_page.text and "team console" in console_page.text
        assert client.get("/health").status_code == 200 and client.get("/docs").status_code == 200


def test_console_sign_in_checks_the_configured_users_in_constant_time():
    from agent.config import load_config
    from agent.server import console_login

    check = console_login(load_config(environ={"TACTFUL_SERVER__CONSOLE_USERS": '{"sam": "correct horse"}'}))
    assert check("sam", "correct horse") and not check("sam", "wrong") and not check("eve", "correct horse")
    assert not console_login(load_config(environ={}))("sam", "")  # no users configured: nobody gets in


def test_an_answer_streams_with_the_disclosure_and_folded_sources(chat):
    session = chat.new_session()
    states = say(chat, session, "How much is delivery?")
    assert len(states) > 2  # the customer's message, then the answer piece by piece
    assert states[0] == [{"role": "user", "content": "How much is delivery?"}]
    final = states[-1]
    answer, sources = final[1], final[2]
    assert "automated assistant" in answer["content"] and "£4.50" in answer["content"]
    assert sources["metadata"] == {"title": "Sources (1)", "status": "done"}  # folded under the answer
    assert "delivery.md" in sources["content"]
    assert session["conversation_id"]
    shown = gr.Chatbot().postprocess(final)  # what the browser receives: the citations fold as a titled part
    assert shown.root[2].metadata["title"] == "Sources (1)"
    say(chat, session, "And is it free over £40?")
    assert len(session["messages"]) >= 5  # the same conversation continues


def test_talk_to_a_person_escalates_and_the_customer_sees_the_person_by_name(chat, console, agent):
    session = escalate(chat)
    assert session["messages"][0]["content"] == TALK_TO_PERSON
    [ticket] = agent.desk.list()
    assert ticket.conversation_id == session["conversation_id"] and ticket.reason == "customer_request"
    assert "this whole conversation" in session["messages"][-1]["content"]
    nothing, waiting = chat.poll(session)
    assert nothing is None and "Waiting for a person" in waiting

    operator, _ = console.login("Sam", "right horse battery")
    said, _, _ = console.act(operator, ticket.id, "assign")
    assert "taken over" in said
    assert list(chat.send("My order number is 4411", session))[-1][0][-1]["role"] == "user"  # the bot stays silent

    said, summary, transcript = console.act(operator, ticket.id, "reply", "Hi, I'm Sam. It leaves at 10:00.")
    assert said.startswith("Sent") and "Ticket #" in summary
    assert transcript[-1]["content"] == "**Sam (a person):** Hi, I'm Sam. It leaves at 10:00."
    messages, status = chat.poll(session)
    assert messages[-1] == {"role": "assistant", "content": "**Sam (a person):** Hi, I'm Sam. It leaves at 10:00."}
    assert "Sam (a person)" in status
    assert chat.poll(session)[0] is None  # shown once

    assert "handed back" in console.act(operator, ticket.id, "hand_back")[0]
    assert "already resolved" in console.act(operator, ticket.id, "resolve")[0]
    assert console.queue(operator) == []


def test_the_console_refuses_a_wrong_password_and_gives_nothing_to_the_signed_out(agent, chat, console):
    escalate(chat)
    assert console.login("Sam", "wrong") == (None, "That name and password did not match.")
    assert console.login("", "") == (None, "Enter your name and password.")
    assert Console(agent, None).login("Sam", "right horse battery")[0] is None  # no auth configured: locked
    assert console.queue(None) == [] and console.ticket_choices(None) == []
    assert console.act(None, 1, "resolve")[0] == "Sign in first."
    assert console.show(None, 1) == ("Sign in first.", [])
    assert console.analytics(None) is None and summary_markdown(None) == "Sign in first."
    assert agent.desk.list()[0].status == "open"


def test_the_queue_shows_priority_reason_mood_and_waiting_time(chat, console):
    escalate(chat)
    operator, said = console.login("Sam", "right horse battery")
    assert operator == "Sam" and "Sam" in said
    [row] = console.queue(operator)
    ticket_id, priority, reason, mood, waiting, status = row[:6]
    assert (priority, reason, status) == ("normal", "customer_request", "open") and mood and waiting == 0
    assert console.ticket_choices(operator)[0][1] == ticket_id
    summary, transcript = console.show(operator, ticket_id)
    assert "customer_request" in summary and "Wants:" in summary
    assert transcript[0] == {"role": "user", "content": TALK_TO_PERSON}
    assert transcript[1]["content"].startswith("**Assistant (bot):**")
    assert "Not done" in console.act(operator, ticket_id, "reply", "   ")[0]  # an empty reply is refused


def test_a_rating_is_stored(chat, agent):
    session = chat.new_session()
    assert "Send a message first" in chat.rate(5, "", session)
    say(chat, session, "How much is delivery?")
    assert "Choose a score" in chat.rate(None, "", session)
    assert chat.rate(4, "quick and clear", session) == "Thank you, your rating has been saved."
    rating = agent.store.rating(session["conversation_id"])
    assert (rating.score, rating.comment, rating.escalated) == (4, "quick and clear", False)


def test_analytics_for_the_page_has_charts_data(chat, console):
    say(chat, chat.new_session(), "How much is delivery?")
    escalate(chat)
    operator, _ = console.login("Sam", "right horse battery")
    a = console.analytics(operator)
    assert "**2** conversations" in summary_markdown(a) and "containment **50%**" in summary_markdown(a)
    frames = analytics_frames(a)
    assert frames["escalation"].to_dict("records") == [{"reason": "customer_request", "rate": 0.5, "tickets": 1}]
    assert list(frames["mood"].columns) == ["day", "mood", "messages"] and frames["mood"]["messages"].sum() == 2
    assert len(frames["ratings"]) == 5 and frames["csat"].empty
    assert analytics_frames(None)["escalation"].empty


def test_the_embed_snippet_is_a_responsive_labelled_iframe():
    html = embed_snippet("https://chat.example.com/", business="Crumb & Co. Bakery")
    assert '<iframe src="https://chat.example.com/"' in html
    assert 'title="Chat with Crumb &amp; Co. Bakery&#x27;s automated assistant"' in html
    assert "width:100%" in html and "max-width:480px" in html and "85vh" in html
    with pytest.raises(BadInput):
        embed_snippet('javascript:alert(1)')
    assert "&quot;" in embed_snippet('https://x.example/?a="b"')


def test_a_proactive_update_appears_in_the_open_web_chat_once(extractive_agent_over):
    from datetime import datetime, timedelta, timezone

    from agent.proactive import ProactiveDesk, ProactiveEvent

    agent = extractive_agent_over(KB, TACTFUL_ACCOUNTS__ENABLED="true")
    business = agent.config.collection_name
    jo = agent.store.upsert_customer(business, "C1", name="Jo Baker", email="jo@example.com")
    agent.store.upsert_order(business, "CR-10234", jo.id, status="delayed", items=[{"name": "Celebration cake"}],
                             expected_at=datetime.now(timezone.utc) + timedelta(days=3))
    chat = CustomerChat(agent)
    session = chat.new_session()
    say(chat, session, "where is my order CR-10234? jo@example.com")
    sent = ProactiveDesk(agent).send(ProactiveEvent("order_delayed", order_number="CR-10234"))
    assert sent.channel == "web" and sent.conversation_id == session["conversation_id"]
    messages, _ = chat.poll(session)
    assert "running late" in messages[-1]["content"] and "automated assistant" in messages[-1]["content"]
    assert "<PERSON>" not in messages[-1]["content"]
    assert chat.poll(session)[0] is None
