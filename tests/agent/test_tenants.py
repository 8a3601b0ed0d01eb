"""Several businesses in one deployment: each answers from its own documents only, and no tenant can read,
continue or list another's conversations and tickets, through the API or the store."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from agent.assembly import build_agent
from agent.config import load_config
from agent.errors import ConfigError
from agent.server import build_app
from agent.tenants import build_tenants, tenant_configs

BAKERY_TOKEN = "bakery-operator-token-0123456789"
FLORIST_TOKEN = "florist-operator-token-0123456789"


def write_business(root: Path, name: str, token: str, documents: dict[str, str], **extra) -> Path:
    folder = root / name.split()[0].lower()
    (folder / "kb").mkdir(parents=True)
    for file, text in documents.items():
        (folder / "kb" / file).write_text(text, encoding="utf-8")
    config = {"business": {"name": name}, "llm": {"provider": "extractive"}, "data_dir": "data",
              "knowledge": {"sources": ["kb"]}, "server": {"operator_tokens": [token]}, **extra}
    path = folder / "tactful.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@pytest.fixture
def deployment(tmp_path, minilm):
    """A bakery (the main business) and a florist (a tenant) sharing one SQLite store."""
    florist = write_business(tmp_path, "Petal Florist", FLORIST_TOKEN, {
        "roses.md": "# Roses\n\nRed roses cost £4 per stem. We deliver bouquets within 5 miles for £6.\n"})
    bakery = write_business(tmp_path, "Crumb Bakery", BAKERY_TOKEN, {
        "bread.md": "# Bread\n\nA sourdough loaf costs £4.50. We bake rye bread on Saturdays.\n"},
        store={"url": f"sqlite:///{tmp_path / 'shared.db'}"}, tenants=[str(florist)])
    host = build_agent(config=load_config(bakery), embedder=minilm)
    tenants = build_tenants(host.config, host)
    yield host, tenants
    host.close()


def test_each_tenant_answers_from_its_own_documents_only(deployment):
    bakery, tenants = deployment
    florist = tenants["petal-florist"]
    assert florist.store is bakery.store  # one pool for one database
    rose = florist.respond("How much are red roses?")
    assert "£4 per stem" in rose.text
    assert {s.doc_id for s in rose.sources} == {"roses.md"}
    on_bakery = bakery.respond("How much are red roses?")
    assert "£4 per stem" not in on_bakery.text
    assert all(s.doc_id != "roses.md" for s in on_bakery.sources)
    assert all(p.chunk.doc_id != "roses.md" for p in bakery.knowledge.search("red roses bouquet delivery", k=10))
    assert all(p.chunk.doc_id != "bread.md" for p in florist.knowledge.search("sourdough loaf rye bread", k=10))


def test_no_tenant_reads_continues_or_lists_another_tenants_conversations(deployment):
    bakery, tenants = deployment
    app = build_app(bakery, pages=False, tenants=tenants)
    with TestClient(app) as client:
        cid = client.post("/t/petal-florist/v1/conversations", json={}).json()["conversation_id"]
        said = client.post(f"/t/petal-florist/v1/conversations/{cid}/messages",
                           json={"text": "I want to speak to a person about my wedding flowers"})
        assert said.status_code == 200 and said.json()["escalated"] is True
        # The florist's conversation does not exist for the bakery: not readable, not continuable.
        assert client.get(f"/v1/conversations/{cid}/messages").status_code == 404
        assert client.post(f"/v1/conversations/{cid}/messages", json={"text": "hello"}).status_code == 404
        # Tickets: each token sees its own business's queue only, and opens nothing of the other's.
        bakery_queue = client.get("/v1/tickets", headers={"Authorization": f"Bearer {BAKERY_TOKEN}"})
        florist_queue = client.get("/t/petal-florist/v1/tickets",
                                   headers={"Authorization": f"Bearer {FLORIST_TOKEN}"})
        assert bakery_queue.status_code == 200 and bakery_queue.json() == []
        assert [t["conversation_id"] for t in florist_queue.json()] == [cid]
        ticket_id = florist_queue.json()[0]["id"]
        assert client.get(f"/v1/tickets/{ticket_id}",
                          headers={"Authorization": f"Bearer {BAKERY_TOKEN}"}).status_code == 404
        assert client.get("/t/petal-florist/v1/tickets",
                          headers={"Authorization": f"Bearer {BAKERY_TOKEN}"}).status_code == 401
    # The Python API holds the same line: the bakery's agent refuses the florist's conversation id.
    from agent.errors import NotFound

    with pytest.raises(NotFound):
        bakery.respond("Do you have rye bread?", cid)
    from agent.analytics import analytics_for

    assert analytics_for(bakery.store, bakery.config.collection_name).conversations == 0


def test_tenant_pages_are_served_under_their_prefix(deployment):
    bakery, tenants = deployment
    with TestClient(build_app(bakery, tenants=tenants)) as client:
        page = client.get("/t/petal-florist/")
        assert page.status_code == 200 and "Petal Florist" in page.text
        assert client.get("/t/petal-florist", follow_redirects=False).status_code in (301, 302, 307, 308)
        assert "Crumb Bakery" in client.get("/").text


def test_a_business_listed_twice_is_a_configuration_error(tmp_path):
    florist = write_business(tmp_path, "Petal Florist", FLORIST_TOKEN, {"a.md": "# A\n\nText.\n"})
    main = tmp_path / "main.yaml"
    main.write_text(yaml.safe_dump({"business": {"name": "Petal Florist"}, "tenants": [str(florist)]}))
    with pytest.raises(ConfigError, match="served twice"):
        tenant_configs(load_config(main))
