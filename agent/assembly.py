"""The one place where Tactful's parts are built from configuration and wired together."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Mapping

from agent.config import TactfulConfig, load_config
from agent.errors import ConfigError
from agent.store import ConversationStore

log = logging.getLogger("tactful")


def build_embedder(config: TactfulConfig):
    from knowledge.embeddings import HashEmbedder, MiniLMEmbedder

    if config.embedding.provider == "hash":
        return HashEmbedder()
    return MiniLMEmbedder(model_path=config.embedding.model_path, threads=config.embedding.threads,
                          batch_size=config.embedding.batch_size)


def open_knowledge(config: TactfulConfig, embedder=None):
    from knowledge import KnowledgeBase

    return KnowledgeBase.open(config.index_dir, config.collection_name, embedder or build_embedder(config),
                              chroma_host=config.knowledge.chroma_host, chroma_port=config.knowledge.chroma_port,
                              refresh_s=config.knowledge.lexical_refresh_s)


def ingest_sources(config: TactfulConfig, knowledge, paths: list[Path] | None = None,
                   progress: Callable[[str, int, int], None] | None = None):
    """Index ``paths`` (default: the configured sources), then store the vectors of the sentences answers
    rank (``agent.sentence_priming``) so no turn embeds them. Missing paths are a configuration error."""
    from agent.sentence_priming import prime_after_ingest

    paths = list(paths or config.knowledge.sources)
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise ConfigError(f"knowledge.sources: {', '.join(missing)} does not exist. "
                          "Fix the path in tactful.yaml or pass existing files to `tactful ingest`.")
    report = knowledge.ingest([Path(p) for p in paths], chunk_words=config.knowledge.chunk_tokens,
                              overlap_words=config.knowledge.chunk_overlap, progress=progress)
    prime_after_ingest(config, knowledge, progress)
    return report


def open_store(config: TactfulConfig) -> ConversationStore:
    from agent.store.conversation_store import PoolSettings

    store = config.store
    return ConversationStore(config.store_url, PoolSettings(size=store.pool_size, max_overflow=store.max_overflow,
                                                            timeout_s=store.pool_timeout_s,
                                                            recycle_s=store.pool_recycle_s,
                                                            outage_wait_s=store.outage_wait_s))


def build_agent(path: str | Path | None = None, *, config: TactfulConfig | None = None,
                environ: Mapping[str, str] | None = None, chat_model: Any = None, embedder: Any = None,
                store: ConversationStore | None = None, ingest_if_empty: bool = True, mailer: Any = None):
    """Build an Agent. ``chat_model`` replaces the configured model (any LangChain chat model); ``embedder``
    and ``store`` may be shared with other agents (tenants of one deployment); ``mailer`` replaces the
    configured email sender."""
    from agent.llm import ModelGateway, build_gateway
    from agent.sentiment import VaderSentimentReader
    from agent.agent import Agent

    config = config or load_config(path, environ)
    knowledge = open_knowledge(config, embedder)
    if ingest_if_empty and knowledge.is_empty():
        report = ingest_sources(config, knowledge)
        log.info("indexed the knowledge base on first use: %s chunks", report.chunks_indexed)
    if chat_model is not None:
        gateway = ModelGateway(chat_model, timeout_s=config.llm.timeout_s, max_retries=config.llm.max_retries)
    else:
        gateway = build_gateway(config.llm)
    store = store or open_store(config)
    mailer = mailer if mailer is not None else open_mailer(config)
    accounts = open_accounts(config, store, mailer, gateway) if config.accounts.enabled else None
    return Agent(config, knowledge=knowledge, store=store, gateway=gateway, sentiment=VaderSentimentReader(),
                 accounts=accounts, mailer=mailer, sms=open_sms_sender(config))


def open_accounts(config: TactfulConfig, store: ConversationStore, mailer: Any = None, gateway: Any = None):
    """The account desk over the configured source: Tactful's store, or the business's own API."""
    from datetime import datetime, timezone

    from agent.accounts.desk import AccountDesk
    from agent.accounts.sources import StoreAccountSource

    accounts = config.accounts
    if accounts.source == "rest":
        from agent.accounts.rest_source import RestAccountSource

        source = RestAccountSource(accounts.rest_url or "", business=config.collection_name,
                                   token=accounts.rest_token.get_secret_value() if accounts.rest_token else None,
                                   timeout_s=accounts.rest_timeout_s)
    else:
        source = StoreAccountSource(store, config.collection_name)
    pinned = accounts.now
    clock = (lambda: pinned) if pinned is not None else (lambda: datetime.now(timezone.utc))
    if accounts.seed and not store.has_customers(config.collection_name):
        from agent.accounts.importer import import_accounts

        report = import_accounts(store, config.collection_name, accounts.seed, now=clock(),
                                 tz=config.business.timezone)
        if not report.ok:
            raise ConfigError("accounts.seed could not be imported:\n" + "\n".join(map(str, report.errors)))
    chooser = None
    if gateway is not None and accounts.model_tools == "auto" and config.llm.provider != "local":
        from agent.accounts.model_tools import ModelToolChooser

        chooser = ModelToolChooser(gateway, config.business.name)
    return AccountDesk(config, store, source, mailer=mailer, clock=clock, chooser=chooser)


def open_sms_sender(config: TactfulConfig):
    """Twilio's REST API for proactive SMS and WhatsApp messages, or None when it is not set up."""
    channels = config.channels
    if not (channels.twilio_account_sid and channels.twilio_auth_token and channels.twilio_from_number):
        return None
    from agent.channels.twilio_sender import TwilioSender

    return TwilioSender(channels.twilio_account_sid, channels.twilio_auth_token.get_secret_value(),
                        channels.twilio_from_number, whatsapp_from=channels.twilio_whatsapp_from,
                        api_url=channels.twilio_api_url)


def open_mailer(config: TactfulConfig):
    """The SMTP sender for confirmations and proactive email, or None when email is not set up."""
    if not (config.email.address and config.email.smtp_host):
        return None
    from agent.channels.email_sender import SmtpEmailSender

    return SmtpEmailSender(config.email, default_from_name=config.business.name)
