"""The whole story through the REST API: a customer asks, gets cited sources, asks for a person; an
operator takes over and replies; the customer sees the person's message; hand-back; rating."""

from __future__ import annotations

import json


def ask(client, cid, text, **kwargs):
    response = client.post(f"/v1/conversations/{cid}/messages", json={"text": text}, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_customer_is_answered_handed_to_a_person_and_rates_it(client, operator):
    created = client.post("/v1/conversations", json={"customer": {"name": "Ebony Jackson"}, "channel": "web"})
    assert created.status_code == 201
    cid = created.json()["conversation_id"]
    assert len(cid) == 32 and int(cid, 16) >= 0  # uuid hex: the customer's unguessable key

    answer = ask(client, cid, "How much is delivery?")
    assert "£4.50" in answer["text"] and answer["disclosed"] and "automated assistant" in answer["text"]
    assert answer["conversation_id"] == cid and not answer["escalated"]
    assert answer["sources"][0]["doc_id"].endswith("delivery.md") and answer["sources"][0]["title"] == "Delivery"
    assert answer["sentiment"]["mood"] and all({"rail", "passed", "action"} <= set(v) for v in answer["verdicts"])

    handoff = ask(client, cid, "I want to speak to a person please")
    assert handoff["escalated"] and handoff["escalation_reason"] == "customer_request"
    assert handoff["outcome"] == "handed_off" and handoff["ticket_id"]
    ticket_id = handoff["ticket_id"]

    queue = client.get("/v1/tickets", headers=operator).json()
    assert [t["id"] for t in queue] == [ticket_id] and queue[0]["status"] == "open"
    detail = client.get(f"/v1/tickets/{ticket_id}", headers=operator).json()
    assert "customer_request" in detail["summary"] and detail["customer_name"] == "Ebony Jackson"
    assert detail["channel"] == "web" and detail["transcript"][0]["text"] == "How much is delivery?"

    assigned = client.post(f"/v1/tickets/{ticket_id}/assign", json={"agent_name": "Sam"}, headers=operator)
    assert assigned.json()["ticket"]["status"] == "assigned" and assigned.json()["ticket"]["assignee"] == "Sam"
    assert ask(client, cid, "Hello? My order is 4411")["text"] == ""  # the assistant does not talk over Sam
    replied = client.post(f"/v1/tickets/{ticket_id}/reply", headers=operator,
                          json={"agent_name": "Sam", "text": "Hi, I'm Sam from the shop. It leaves at 10:00."})
    assert replied.status_code == 200 and replied.json()["message"]["is_person"]

    seen = client.get(f"/v1/conversations/{cid}/messages").json()["messages"]
    assert [m["role"] for m in seen] == ["customer", "assistant", "customer", "assistant", "customer", "person"]
    person = seen[-1]
    assert person["is_person"] and person["name"] == "Sam" and "leaves at 10:00" in person["text"]
    assert seen[1]["sources"] and not any(m["is_person"] for m in seen[:-1])

    assert client.get("/v1/tickets?status=assigned", headers=operator).json()[0]["id"] == ticket_id
    back = client.post(f"/v1/tickets/{ticket_id}/handback", json={"agent_name": "Sam"}, headers=operator)
    assert back.json()["ticket"]["resolution"] == "handed_back"
    assert client.get("/v1/tickets", headers=operator).json() == []  # waiting: nothing left
    assert [t["id"] for t in client.get("/v1/tickets?status=all", headers=operator).json()] == [ticket_id]
    again = ask(client, cid, "How much is delivery?")
    assert "£4.50" in again["text"] and not again["escalated"]

    rated = client.post(f"/v1/conversations/{cid}/rating", json={"score": 5, "comment": "Sam was great"})
    assert rated.status_code == 200 and rated.json()["score"] == 5


def test_resolving_closes_the_ticket_and_a_second_action_is_refused(client, operator):
    cid = client.post("/v1/conversations", json={}).json()["conversation_id"]
    ticket_id = ask(client, cid, "can I talk to a human?")["ticket_id"]
    done = client.post(f"/v1/tickets/{ticket_id}/resolve", json={"agent_name": "Sam"}, headers=operator)
    assert done.json()["ticket"]["status"] == "resolved"
    again = client.post(f"/v1/tickets/{ticket_id}/resolve", json={"agent_name": "Sam"}, headers=operator)
    assert again.status_code == 400 and "already resolved" in again.json()["error"]
    empty = client.post(f"/v1/tickets/{ticket_id}/reply", json={"agent_name": "Sam"}, headers=operator)
    assert empty.status_code == 400


def test_streamed_pieces_add_up_to_the_reply(client):
    cid = client.post("/v1/conversations").json()["conversation_id"]
    asks = [("How much is delivery?", "£4.50", {"params": {"stream": "true"}}),
            ("Which days do deliveries go out?", "Tuesday to Saturday", {"headers": {"Accept": "text/event-stream"}})]
    for question, fact, kwargs in asks:
        with client.stream("POST", f"/v1/conversations/{cid}/messages", json={"text": question},
                           **kwargs) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            events = parse_sse(response.iter_lines())
        deltas = [json.loads(data)["text"] for event, data in events if event == "delta"]
        [(last, final)] = events[-1:]
        reply = json.loads(final)
        assert last == "reply" and len(deltas) > 1
        assert "".join(deltas).strip() == reply["text"] and fact in reply["text"]
        assert reply["sources"] and reply["conversation_id"] == cid


def test_empty_and_oversized_messages_get_the_assistant_s_own_polite_reply(client):
    cid = client.post("/v1/conversations").json()["conversation_id"]
    empty = ask(client, cid, "   ")
    assert empty["outcome"] == "rejected" and empty["text"]
    long = ask(client, cid, "word " * 2000)  # 10,000 characters: over the 4,000 limit, under the body limit
    assert long["outcome"] == "rejected" and "4,000" in long["text"]


def test_health_and_readiness(client, agent, monkeypatch):
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200 and ready.json()["checks"] == {"store": True, "knowledge": True}

    def broken(*_args, **_kwargs):
        raise RuntimeError("database is gone")

    monkeypatch.setattr(agent.store, "get_conversation", broken)
    down = client.get("/ready")
    assert down.status_code == 503 and down.json()["reason"] == "the conversation store does not answer"
    assert "gone" not in down.text


def parse_sse(lines):
    """(event, data) pairs of a Server-Sent Events stream."""
    events, event, data = [], None, []
    for line in lines:
        if not line:
            if data:
                events.append((event, "\n".join(data)))
            event, data = None, []
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
    if data:
        events.append((event, "\n".join(data)))
    return events
