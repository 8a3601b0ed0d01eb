"""A real extractive agent over a tiny shop, for the channel adapters' end-to-end tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.assembly import build_agent
from agent.config import load_config
from tests.conftest import extractive_env
from tests.mail_servers import smtp_env

KB = {
    "delivery.md": "# Delivery\n\nWe deliver within 3 miles of the shop. Delivery costs £4.50, and it is free on "
                   "orders over £40. Deliveries go out Tuesday to Saturday between 9:00 and 13:00.\n",
    "hours.md": "# Opening hours\n\nThe shop is open Monday to Saturday from 8:00 to 17:00. We are closed on Sundays.\n",
}


@pytest.fixture
def shop_env(tmp_path: Path) -> dict[str, str]:
    return extractive_env(tmp_path, KB)


@pytest.fixture
def shop_agent(shop_env, minilm):
    built = build_agent(config=load_config(environ=shop_env), embedder=minilm)
    yield built
    built.close()


# -- email: the servers live in tests/mail_servers.py (smtp_server and imap_server fixtures in tests/conftest.py)
@pytest.fixture
def email_agent(shop_env, smtp_server, minilm):
    """The shop's extractive agent with its email section pointing at the loopback SMTP server."""
    built = build_agent(config=load_config(environ={**shop_env, **smtp_env(smtp_server)}), embedder=minilm)
    yield built
    built.close()
