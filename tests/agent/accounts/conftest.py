"""Fixtures for the customer-accounts tests."""

from __future__ import annotations

import pytest

from agent.store import ConversationStore


@pytest.fixture
def accounts_store(tmp_path):
    """An empty SQLite store of the test's own (importer, sources and ``tactful customers`` tests), closed after."""
    store = ConversationStore(f"sqlite:///{tmp_path / 'accounts.db'}")
    yield store
    store.close()
