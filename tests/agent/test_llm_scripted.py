"""ScriptedChatModel: the deterministic chat model the other tests lean on."""

from __future__ import annotations

import time

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from agent.llm import Interrupted, ScriptedChatModel, ScriptedModelExhausted
from agent.llm.scripted import split_words


def test_replies_come_in_order_and_every_call_is_recorded():
    model = ScriptedChatModel(replies=["We open at 7.", "Yes, we deliver."])

    first = model.invoke([SystemMessage("Be brief."), HumanMessage("When do you open?")], max_tokens=20)
    second = model.invoke("Do you deliver?")

    assert (first.content, second.content) == ("We open at 7.", "Yes, we deliver.")
    assert [m.content for m in model.calls[0]] == ["Be brief.", "When do you open?"]
    assert model.calls[1][-1].content == "Do you deliver?"
    assert model.call_options[0] == {"max_tokens": 20}
    assert model.remaining == 0


def test_stream_gives_the_reply_word_by_word_and_joins_back_exactly():
    model = ScriptedChatModel(replies=["Fresh sourdough  every morning.\nSee you soon!"])

    parts = [chunk.content for chunk in model.stream("Bread?") if chunk.content]  # LangChain adds an empty last chunk

    assert parts == ["Fresh ", "sourdough  ", "every ", "morning.\n", "See ", "you ", "soon!"]
    assert "".join(parts) == "Fresh sourdough  every morning.\nSee you soon!"


def test_running_out_of_replies_fails_loudly_and_names_the_call():
    model = ScriptedChatModel(replies=["only one"])
    model.invoke("first")

    with pytest.raises(ScriptedModelExhausted, match=r"call 2 was not scripted.*'second'.*enqueue"):
        model.invoke("second")
    with pytest.raises(AssertionError):  # an AssertionError, so no code path mistakes it for an outage
        list(model.stream("third"))


def test_enqueue_adds_replies_after_the_waiting_ones():
    model = ScriptedChatModel(replies=["a"]).enqueue("b", "c")

    assert [model.invoke("?").content for _ in range(3)] == ["a", "b", "c"]


def test_an_exception_reply_is_raised_when_reached_and_the_next_reply_still_follows():
    model = ScriptedChatModel(replies=[ConnectionError("connection refused"), "back again"])

    with pytest.raises(ConnectionError, match="refused"):
        model.invoke("hello?")
    assert model.invoke("hello?").content == "back again"


def test_an_interrupted_reply_streams_its_words_then_fails():
    model = ScriptedChatModel(replies=[Interrupted("Delivery costs", ConnectionError("connection reset"))])
    received = []

    with pytest.raises(ConnectionError, match="reset"):
        for chunk in model.stream("How much is delivery?"):
            if chunk.content:
                received.append(chunk.content)

    assert received == ["Delivery ", "costs"]


def test_delays_slow_the_reply_down():
    model = ScriptedChatModel(replies=["one two three"], delay_s=0.15, chunk_delay_s=0.05)

    started = time.monotonic()
    chunks = [chunk for chunk in model.stream("?") if chunk.content]

    assert len(chunks) == 3
    assert time.monotonic() - started >= 0.15 + 2 * 0.05


def test_split_words_keeps_whitespace_only_text():
    assert split_words("") == []
    assert split_words("  ") == ["  "]
    assert split_words(" lead") == [" lead"]
