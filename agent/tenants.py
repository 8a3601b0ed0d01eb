"""Several businesses in one deployment: each a tenant with its own configuration, voice, knowledge
collection, tickets and analytics, served at ``/t/<collection>/``.

Isolation does not rest on routing alone: every tenant's agent searches only its own collection, and
the store answers a business only about its own conversations and tickets (``open_conversation`` and
``get_conversation`` check the business; ticket and analytics queries filter by it). What tenants share
is what is safe and costly to repeat: one embedder in memory, and one store connection pool when they
use the same database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.config import TactfulConfig, load_config
from agent.errors import ConfigError

if TYPE_CHECKING:
    from agent.agent import Agent

TENANT_PREFIX = "/t"


def tenant_configs(config: TactfulConfig) -> dict[str, TactfulConfig]:
    """The tenants of ``config`` by their slug (collection name); they inherit its store when they name none."""
    slugs = {config.collection_name}
    tenants: dict[str, TactfulConfig] = {}
    for path in config.tenants:
        tenant = load_config(path)
        if tenant.tenants:
            raise ConfigError(f"{path}: tenants: a tenant cannot list tenants of its own; list them all in the main "
                              "tactful.yaml.")
        if tenant.store.url is None:
            tenant = tenant.model_copy(update={"store": config.store.model_copy(update={"url": config.store_url})})
        slug = tenant.collection_name
        if slug in slugs:
            raise ConfigError(f"{path}: the business {slug!r} is served twice; give each tenant its own business.name "
                              "or knowledge.collection.")
        slugs.add(slug)
        tenants[slug] = tenant
    return tenants


def build_tenants(config: TactfulConfig, host: "Agent", *, ingest_if_empty: bool = True) -> dict[str, "Agent"]:
    """An agent per tenant, sharing ``host``'s embedder, and its store when the database is the same."""
    from agent.assembly import build_agent

    agents = {}
    for slug, tenant in tenant_configs(config).items():
        shared = host.store if tenant.store_url == host.store.url else None
        agents[slug] = build_agent(config=tenant, embedder=host.knowledge.embedder, store=shared,
                                   ingest_if_empty=ingest_if_empty)
    return agents


def tenant_path(slug: str) -> str:
    return f"{TENANT_PREFIX}/{slug}"
