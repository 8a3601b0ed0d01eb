"""Privacy operations on a real agent and store: export, erasure that leaves no trace (store, vector index,
log file), retention, redacted structured logs, and the audit trail."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from agent.errors import BadInput
from agent.logs import configure_logging
from agent.privacy import CustomerRef
from agent.store.models import utcnow
from tests.conftest import extractive_env

KB = {"cakes.md": "# Cakes\n\nWe bake birthday cakes to order. Order three days ahead; a cake for 10 costs £38.\n"}


@pytest.fixture
def shop(tmp_path, minilm):
    from agent.assembly import build_agent
    from agent.config import load_config

    log_file = tmp_path / "logs" / "tactful.log"
    env = {**extractive_env(tmp_path, KB), "TACTFUL_LOGGING__FILE": str(log_file)}
    agent = build_agent(config=load_config(environ=env), embedder=minilm)
    configure_logging("INFO", as_json=True, file=log_file)
    yield agent, log_file, env
    configure_logging("WARNING", as_json=False)
    agent.close()


def talk(agent, name: str) -> str:
    first = agent.respond(f"Hi, I'm {name}. Can I order a birthday cake? Email me at ada.l@example.org or "
                          "call 07700 900123", customer={"name": name})
    agent.respond("This is ridiculous, I want to talk to a real person now", first.conversation_id)
    agent.rate(first.conversation_id, 2, "Slow, call me on 07700 900123")
    return first.conversation_id


def every_value(url: str) -> list[str]:
    """Every cell of every table, as text: what a search of the whole database would find."""
    engine = create_engine(url)
    values = []
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                values += [str(v) for v in row]
    engine.dispose()
    return values


def test_erasure_leaves_no_trace_in_the_store_the_index_or_the_logs(shop):
    agent, log_file, _ = shop
    cid = talk(agent, "Ada Lovelace")
    other = talk(agent, "Grace Hopper")
    ticket = agent.desk.list()[0]
    agent.desk.show(ticket.id, viewer="console:Sam")
    logging.getLogger("tactful.test").info("a line about %s", cid, extra={"conversation_id": cid})
    assert any(cid in line for line in log_file.read_text().splitlines())

    report = agent.privacy.erase(CustomerRef(name="ada lovelace"), actor="Sam")

    assert report.conversations == 1 and report.log_lines >= 2
    stored = every_value(agent.store.url)
    assert not any(cid in v or "Lovelace" in v for v in stored)
    assert not any(cid in line or "Lovelace" in line for line in log_file.read_text().splitlines())
    # The knowledge index never held the customer's words; check it rather than assume it.
    assert not any("birthday cake? Email" in c.text or cid in c.chunk_id for c in agent.knowledge.vectors.all_chunks())
    # One anonymous audit event says that an erasure happened, not whose.
    events = agent.store.audit_events(agent.config.collection_name)
    assert [(e.action, e.actor, e.conversation_id) for e in events if e.action == "erased"] == [("erased", "Sam", None)]
    # The other customer is untouched.
    assert len(agent.store.turns(other)) >= 4 and agent.store.rating(other) is not None


def test_export_holds_everything_stored_about_the_customer_and_is_audited(shop):
    agent, _, _ = shop
    cid = talk(agent, "Ada Lovelace")
    data = agent.privacy.export(CustomerRef(conversation_ids=(cid,)), actor="Sam")
    [conversation] = data["conversations"]
    assert conversation["id"] == cid and conversation["customer_name"] == "Ada Lovelace"
    texts = [m["text"] for m in conversation["messages"]]
    assert any("birthday cake" in t for t in texts) and "ada.l@example.org" not in " ".join(texts)  # stored redacted
    assert conversation["tickets"] and conversation["ratings"][0]["score"] == 2
    json.dumps(data)  # ready to hand over as it is
    assert [e.action for e in agent.store.audit_events(agent.config.collection_name, conversation_id=cid)] == ["exported"]


def test_retention_anonymises_old_conversations_and_keeps_their_figures(shop):
    from agent.analytics import analytics_for

    agent, _, _ = shop
    cid = talk(agent, "Ada Lovelace")
    business = agent.config.collection_name
    assert agent.privacy.apply_retention(30, "anonymise").conversations == 0  # fresh: kept
    later = utcnow() + timedelta(days=31)
    assert agent.privacy.apply_retention(30, "anonymise", now=later).conversations == 1
    assert agent.privacy.apply_retention(30, "anonymise", now=later).conversations == 0  # already done
    assert {t.text for t in agent.store.turns(cid)} == {"[removed after 30 days]"}
    assert agent.store.get_conversation(cid).customer_name is None
    assert not any("Lovelace" in v or "07700" in v for v in every_value(agent.store.url))
    figures = analytics_for(agent.store, business)
    assert figures.conversations == 1 and figures.escalations == 1 and figures.ratings == 1
    assert agent.privacy.apply_retention(30, "delete", now=later).conversations == 1
    assert agent.store.get_conversation(cid) is None


def test_log_lines_are_json_with_personal_data_redacted(shop):
    _, log_file, _ = shop
    logging.getLogger("tactful.test").warning("customer wrote from ada.l@example.org about card 4111 1111 1111 1111")
    line = json.loads(log_file.read_text().splitlines()[-1])
    assert line["level"] == "WARNING" and line["logger"] == "tactful.test"
    assert "ada.l@example.org" not in line["message"] and "<EMAIL_ADDRESS>" in line["message"]
    assert "4111" not in line["message"]


def test_viewing_is_audited_once_per_person_in_a_while(shop):
    agent, _, _ = shop
    cid = talk(agent, "Ada Lovelace")
    ticket = agent.desk.list()[0]
    for _ in range(3):
        agent.desk.show(ticket.id, viewer="console:Sam")
    agent.desk.show(ticket.id, viewer="console:Priya")
    views = [e.actor for e in agent.store.audit_events(agent.config.collection_name, conversation_id=cid)]
    assert views == ["console:Sam", "console:Priya"]


def test_a_customer_must_be_named_somehow():
    with pytest.raises(BadInput, match="which customer"):
        CustomerRef()


def test_the_command_line_erases_only_with_yes(shop, monkeypatch):
    from agent.cli import app

    agent, _, env = shop
    cid = talk(agent, "Ada Lovelace")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()
    dry = runner.invoke(app, ["privacy", "erase", "--as", "Sam", "--conversation", cid])
    assert dry.exit_code == 0 and "1 conversation(s) would be erased" in dry.output
    assert agent.store.get_conversation(cid) is not None
    done = runner.invoke(app, ["privacy", "erase", "--as", "Sam", "--conversation", cid, "--yes"])
    assert done.exit_code == 0 and "Erased 1 conversation(s)" in done.output
    assert agent.store.get_conversation(cid) is None
    missing = runner.invoke(app, ["privacy", "export", "--as", "Sam"])
    assert missing.exit_code == 2 and "which customer" in missing.output


def test_erasing_by_customer_id_removes_the_profile_its_orders_bookings_and_verified_conversations(tmp_path, minilm):
    from datetime import datetime, timezone

    from agent.assembly import build_agent
    from agent.config import load_config

    env = {**extractive_env(tmp_path, KB), "TACTFUL_ACCOUNTS__ENABLED": "true"}
    agent = build_agent(config=load_config(environ=env), embedder=minilm)
    business = agent.config.collection_name
    jo = agent.store.upsert_customer(business, "C1", name="Jo Quill", email="jo.quill@example.com", postcode="ZZ1 1AA")
    agent.store.upsert_order(business, "CR-10234", jo.id, status="dispatched", items=[{"name": "Sourdough loaf"}])
    agent.store.upsert_appointment(business, "AP-2001", jo.id, service="cake consultation",
                                   starts_at=datetime(2027, 1, 5, 11, tzinfo=timezone.utc))
    kept = agent.store.upsert_customer(business, "C2", name="Sam Field", email="sam@example.org")
    verified = agent.respond("where is my order CR-10234? jo.quill@example.com").conversation_id
    assert agent.store.account_session(verified).customer_id == jo.id

    exported = agent.privacy.export(CustomerRef(customer_id="C1"), actor="Sam")
    assert exported["account"]["profile"]["email"] == "jo.quill@example.com"
    assert [o["number"] for o in exported["account"]["orders"]] == ["CR-10234"]
    assert [c["id"] for c in exported["conversations"]] == [verified]

    report = agent.privacy.erase(CustomerRef(customer_id="C1"), actor="Sam")
    assert report.accounts == 1 and report.conversations == 1
    stored = every_value(agent.store.url)
    assert not any(v in stored for v in ("jo.quill@example.com", "Jo Quill", "CR-10234", "AP-2001", verified))
    assert agent.store.customer(business, kept.id) is not None
    agent.close()


def test_the_nps_answer_is_exported_with_its_rating_and_outlives_anonymisation_as_a_number(shop):
    agent, _, _ = shop
    cid = talk(agent, "Ada Lovelace")
    agent.rate(cid, 2, "Slow, call me on 07700 900123", nps=3)
    [conversation] = agent.privacy.export(CustomerRef(conversation_ids=(cid,)), actor="Sam")["conversations"]
    assert [(r["score"], r["nps"]) for r in conversation["ratings"]] == [(2, 3)]
    agent.privacy.apply_retention(30, "anonymise", now=utcnow() + timedelta(days=31))
    assert (agent.store.rating(cid).comment, agent.store.rating(cid).nps) == ("", 3)  # words go, figures stay
    agent.privacy.erase(CustomerRef(conversation_ids=(cid,)), actor="Sam")
    assert agent.store.rating(cid) is None
