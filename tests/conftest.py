"""Shared fixtures. No test reaches the network: remote model clients are only built against 127.0.0.1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"

# Tests never read the developer's own configuration. (Where the test servers are, TEST_POSTGRES_URL and
# TEST_CHROMA_URL, and REQUIRE_TEST_SERVERS, which .ci/run sets so that a server that cannot be reached
# fails the run instead of skipping its tests, are outside the TACTFUL_ configuration namespace.)
for name in [n for n in os.environ if n.startswith("TACTFUL_")]:
    del os.environ[name]


@pytest.fixture(scope="session")
def minilm():
    """The real all-MiniLM-L6-v2 ONNX embedder, loaded once for the session."""
    from knowledge.embeddings import MiniLMEmbedder

    return MiniLMEmbedder()


def shared_data(name: str) -> Path:
    """A file of ../shared/data, or a clean skip saying why when the folder is not beside the project."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"{path} not found: the public evaluation data lives in ../shared/data beside the project")
    return path


def extractive_env(root: Path, documents: dict[str, str]) -> dict[str, str]:
    """The environment of a model-free agent over ``documents`` (name -> text), its data under ``root``."""
    import json

    folder = root / "kb"
    folder.mkdir(exist_ok=True)
    for name, text in documents.items():
        (folder / name).write_text(text, encoding="utf-8")
    return {"TACTFUL_DATA_DIR": str(root / "data"), "TACTFUL_LLM__PROVIDER": "extractive",
            "TACTFUL_KNOWLEDGE__SOURCES": json.dumps([str(folder)])}


@pytest.fixture
def extractive_agent_over(tmp_path, minilm):
    """``extractive_agent_over(documents, **env)``: a model-free Agent over ``documents``, closed after the test."""
    from agent.assembly import build_agent
    from agent.config import load_config

    built = []

    def make(documents: dict[str, str], **env: str):
        agent = build_agent(config=load_config(environ={**extractive_env(tmp_path, documents), **env}),
                            embedder=minilm)
        built.append(agent)
        return agent

    yield make
    for agent in built:
        agent.close()


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the session (tests/postgres_server.py says where it comes from)."""
    from tests.postgres_server import start_postgres

    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The URL of an empty store database: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tactful.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    url = server.fresh_database()
    yield url
    server.drop_database(url)


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives (tests/mail_servers.py)."""
    from tests.mail_servers import SmtpServer

    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def imap_server():
    """A real IMAP server (pymap, in memory) on loopback with one mailbox (tests/mail_servers.py)."""
    from tests.mail_servers import ImapServer

    server = ImapServer()
    yield server
    server.stop()
