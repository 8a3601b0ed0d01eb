"""Faults a customer must survive: the knowledge index goes away (a real Chroma server stopped and started
again), the embedder fails, the store is down. Each time the customer gets an honest reply, their message
is not lost, and the conversation carries on when the part comes back."""

from __future__ import annotations

import subprocess
import time

import pytest

from knowledge.errors import EmbedderUnavailable
from tests.chroma_server import chroma_program, start_private_server
from tests.conftest import extractive_env

DOCS = {"delivery.md": "# Delivery\n\nWe deliver within 3 miles of the shop. Delivery costs £4.50.\n",
        "hours.md": "# Opening hours\n\nWe open from 7:00 to 18:00, Tuesday to Saturday.\n"}


def customer_messages(agent, cid: str) -> list[str]:
    return [t.text for t in agent.store.turns(cid) if t.role == "customer"]


@pytest.mark.slow
def test_the_index_server_going_away_gets_an_honest_reply_and_the_conversation_resumes(tmp_path, minilm):
    from agent.assembly import build_agent
    from agent.config import load_config

    server = start_private_server()
    env = {**extractive_env(tmp_path, DOCS), "TACTFUL_KNOWLEDGE__CHROMA_HOST": server.host,
           "TACTFUL_KNOWLEDGE__CHROMA_PORT": str(server.port)}
    agent = build_agent(config=load_config(environ=env), embedder=minilm)
    restarted = None
    try:
        first = agent.respond("How much does delivery cost?")
        assert "£4.50" in first.text
        server.process.terminate()
        server.process.wait(timeout=15)
        down = agent.respond("Do you deliver to SE15?", first.conversation_id)
        assert down.outcome == "knowledge_unavailable"
        assert "technical problem" in down.text and "£" not in down.text  # no guessing without the documents
        assert "Do you deliver to SE15?" in customer_messages(agent, first.conversation_id)  # not lost
        with open(server.log, "ab") as log:  # the same data, the same port: the server comes back
            restarted = subprocess.Popen([str(chroma_program()), "run", "--path", str(server.folder / "data"),
                                          "--host", server.host, "--port", str(server.port)],
                                         stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        server.process = restarted
        for _ in range(300):
            if server.alive() or restarted.poll() is not None:
                break
            time.sleep(0.1)
        back = agent.respond("And how much is delivery again?", first.conversation_id)
        assert back.outcome != "knowledge_unavailable" and "£4.50" in back.text
    finally:
        agent.close()
        server.stop()


def test_an_embedder_failure_gets_an_honest_reply_not_a_guess(tmp_path, minilm, monkeypatch):
    from agent.assembly import build_agent
    from agent.config import load_config

    agent = build_agent(config=load_config(environ=extractive_env(tmp_path, DOCS)), embedder=minilm)
    try:
        first = agent.respond("How much does delivery cost?")

        def broken(text: str):
            raise EmbedderUnavailable("the ONNX session failed")

        monkeypatch.setattr(agent.knowledge.embedder, "embed_query", broken)
        reply = agent.respond("Do you deliver on Sundays?", first.conversation_id)
        assert reply.outcome == "knowledge_unavailable" and "£" not in reply.text
        assert "Do you deliver on Sundays?" in customer_messages(agent, first.conversation_id)
        monkeypatch.undo()
        assert "7:00" in agent.respond("What time do you open?", first.conversation_id).text
    finally:
        agent.close()
