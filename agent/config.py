"""Tactful's configuration: one validated model, read from ``tactful.yaml`` and ``TACTFUL_*`` variables.

Precedence: environment variables over the file over the built-in defaults (the demo bakery).
Nested keys are joined with ``__``: ``TACTFUL_LLM__PROVIDER=extractive`` sets ``llm.provider``.
Every error names where the bad value came from (the file or the variable), the key and a fix.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Literal, Mapping

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator

from agent.config_accounts import AccountsConfig
from agent.config_email import EmailConfig
from agent.errors import ConfigError

ENV_PREFIX = "TACTFUL_"
#: Variables with the prefix that are not configuration keys.
RESERVED_ENV = {"TACTFUL_CONFIG"}
DEMO_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge" / "demo" / "bakery"


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_HOURS = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class BusinessProfile(_Section):
    """Who the customer is talking to, and in what voice."""

    name: str = Field("Crumb & Co. Bakery", description="The business's name as customers know it.")
    description: str = Field(
        "a neighbourhood bakery selling bread, pastries, custom cakes and coffee",
        description="What the business sells, in a phrase.",
    )
    tone_of_voice: str = Field(
        "warm, plain and brief; friendly but never gushing",
        description="How replies should sound.",
    )
    contact_hours: str = Field(
        "Tuesday to Saturday 7:00-18:00, Sunday 8:00-14:00",
        description="When people are there to help.",
    )
    handoff_contact: str = Field(
        "call us on 020 7946 0321 or email hello@crumbandco.example",
        description="How a customer reaches a person.",
    )
    opening_hours: dict[Weekday, str] = Field(
        default_factory=lambda: {"tue": "07:00-18:00", "wed": "07:00-18:00", "thu": "07:00-18:00",
                                 "fri": "07:00-18:00", "sat": "07:00-18:00", "sun": "08:00-14:00"},
        description="When a person can take over a conversation: day (mon..sun) -> HH:MM-HH:MM; "
        "days left out are closed.",
    )
    timezone: str = Field("Europe/London", description="The time zone of opening_hours (an IANA name).")
    reply_within_minutes: int = Field(
        30, ge=1, le=10_080, description="How soon, during opening hours, a person picks up a handed-off conversation.")
    team_name: str = Field("the team", description="How the assistant refers to the people who take over.")

    @field_validator("opening_hours")
    @classmethod
    def _hours_are_ranges(cls, value: dict[str, str]) -> dict[str, str]:
        for day, span in value.items():
            match = _HOURS.fullmatch(span.strip())
            if not match or not (0 <= int(match[1]) < 24 and 0 <= int(match[3]) <= 24
                                 and int(match[2]) < 60 and int(match[4]) < 60):
                raise ValueError(f"{day}: {span!r} is not a time range like 09:00-17:30")
            if (int(match[1]), int(match[2])) >= (int(match[3]), int(match[4])):
                raise ValueError(f"{day}: {span!r} closes before it opens")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/London or America/New_York") from None
        return value


class KnowledgeConfig(_Section):
    """Where the business's documents are and how they are searched."""

    sources: list[Path] = Field(
        default_factory=lambda: [DEMO_KNOWLEDGE],
        description="Files or folders to ingest (Markdown, text, HTML, PDF, FAQ CSV/JSONL).",
    )
    collection: str = Field("", description="Index collection name; empty means derived from the business name.")
    chunk_tokens: int = Field(180, ge=40, le=512, description="Target chunk size in words.")
    chunk_overlap: int = Field(30, ge=0, le=200, description="Words shared by neighbouring chunks.")
    top_k: int = Field(4, ge=1, le=20, description="Passages retrieved per question.")
    min_relevance: float = Field(
        0.35, ge=0.0, le=1.0, description="Below this best-passage relevance the assistant says it does not know."
    )
    chroma_host: str | None = Field(None, description="Chroma server host; empty means an embedded index on disk.")
    chroma_port: int = Field(8000, ge=1, le=65535, description="Chroma server port.")
    lexical_refresh_s: float = Field(
        2.0, ge=0.0, le=3600.0, description="How often, at most, a worker checks whether another process changed "
        "the index, then reloads its keyword (BM25) index and document list; 0 checks on every search.")
    sentence_priming_max_chunks: int = Field(
        5_000, ge=0, le=10_000_000, description="After an ingest, embed every passage sentence the answers may "
        "rank and keep the vectors in <index folder>/<collection>.sentence-vectors.sqlite3, so the first answers "
        "after a restart need no embedding; only when the index holds at most this many chunks (priming costs "
        "about as much as the ingest: ~16 ms a chunk on 2 cores). Above it, or at 0, that file fills as "
        "questions come.")

    @field_validator("chunk_overlap")
    @classmethod
    def _overlap_smaller_than_chunk(cls, value: int, info: Any) -> int:
        chunk = info.data.get("chunk_tokens")
        if chunk is not None and value >= chunk:
            raise ValueError(f"must be smaller than chunk_tokens ({chunk})")
        return value


class EmbeddingConfig(_Section):
    """The embedder used for the dense half of retrieval."""

    provider: Literal["minilm", "hash"] = Field(
        "minilm", description="minilm: all-MiniLM-L6-v2 on ONNX Runtime (installed wheels); hash: a fast test double."
    )
    model_path: Path | None = Field(None, description="An ONNX model file; empty means the installed int8 MiniLM.")
    batch_size: int = Field(32, ge=1, le=512, description="Chunks embedded per batch.")
    threads: int = Field(2, ge=1, le=64, description="ONNX Runtime intra-op threads.")


class LLMConfig(_Section):
    """The language model that writes the body of answers."""

    provider: Literal["local", "openai", "extractive", "scripted"] = Field(
        "local",
        description="local: embedded llama.cpp; openai: any OpenAI-compatible server; "
        "extractive: no model; scripted: test double.",
    )
    model_path: Path | None = Field(None, description="GGUF file for 'local'; empty means the installed SmolLM2-135M.")
    base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1.")
    model: str = Field("gpt-4o-mini", description="Model name sent to an OpenAI-compatible server.")
    api_key: SecretStr | None = Field(None, description="API key for 'openai'; OPENAI_API_KEY is used when empty.")
    timeout_s: float = Field(30.0, gt=0, le=600, description="Seconds one model call may take.")
    max_retries: int = Field(2, ge=0, le=10, description="Extra attempts after a failed model call.")
    circuit_failures: int = Field(
        3, ge=0, le=100, description="Failed calls in a row after which the model is not called for "
        "circuit_cooldown_s (answers come from the passages meanwhile); 0: never stop calling it.")
    circuit_cooldown_s: float = Field(30.0, gt=0, le=3600, description="How long a failing model is left alone.")
    max_tokens: int = Field(160, ge=16, le=4096, description="Longest answer body, in tokens.")
    temperature: float = Field(0.2, ge=0.0, le=2.0, description="Sampling temperature.")
    threads: int = Field(2, ge=1, le=64, description="CPU threads for 'local'.")
    context_size: int = Field(2048, ge=512, le=32768, description="Context window for 'local', in tokens.")
    scripted_replies: list[str] = Field(default_factory=list, description="Replies the 'scripted' model gives, in order.")


class StoreConfig(_Section):
    """Where conversations are kept."""

    url: str | None = Field(
        None, description="SQLAlchemy URL; empty means SQLite in data_dir. PostgreSQL: "
        "postgresql+psycopg://user:password@host:5432/tactful (needed for several workers on several machines).")
    pool_size: int = Field(5, ge=1, le=200, description="Connections each worker keeps open to a database server.")
    max_overflow: int = Field(10, ge=0, le=200, description="Extra connections a worker may open under load.")
    pool_timeout_s: float = Field(10.0, gt=0, le=300, description="Seconds to wait for a free connection.")
    pool_recycle_s: int = Field(1800, ge=30, le=86_400, description="Reconnect connections older than this.")
    outage_wait_s: float = Field(
        5.0, ge=0, le=60, description="How long a turn waits for a database server that went away (a restart, a "
        "fail-over) before telling the customer to try again; after one such wait it fails at once until the "
        "database answers. 0: never wait.")


class LimitsConfig(_Section):
    """Bounds on what customers can send."""

    max_message_chars: int = Field(4000, ge=100, le=100_000, description="Longer messages are politely refused.")


InputRailName = Literal["pii", "bot_question", "injection", "sensitive"]
OutputRailName = Literal["human_claim", "tone", "pii_leak"]


class ToneConfig(_Section):
    """Uncanny-valley limits on the assistant's replies; conservative by default, looser for playful brands."""

    max_exclamations_per_reply: int = Field(1, ge=0, le=10, description="Exclamation marks allowed in one reply.")
    max_emoji: int = Field(0, ge=0, le=10, description="Emoji allowed in one reply.")
    allow_pet_names: bool = Field(False, description="Allow 'hun', 'mate', 'love' and the like as forms of address.")
    max_apologies: int = Field(1, ge=0, le=5, description="Apologies allowed in one reply.")


class GuardrailsConfig(_Section):
    """Which rails run, in what order, on each side of a turn. Disclosure of the bot on the first reply
    and grounding of every answer are built into the turn and cannot be switched off."""

    input: list[InputRailName] = Field(
        default_factory=lambda: ["pii", "injection", "sensitive", "bot_question"],
        description="Rails on the customer's message, in order: pii, injection, sensitive, bot_question.")
    output: list[OutputRailName] = Field(
        default_factory=lambda: ["human_claim", "tone", "pii_leak"],
        description="Rails on each sentence of a reply before it is shown: human_claim, tone, pii_leak.")
    tone: ToneConfig = Field(default_factory=ToneConfig)
    pii_vault: bool = Field(
        True, description="Number placeholders per conversation (<EMAIL_ADDRESS_1>) and put the customer's own "
        "values back in replies to them; the values stay in memory only, never in the store or logs.")
    regenerate_once: bool = Field(
        True, description="Ask the model once more, with the reason, when its answer fails the grounding or "
        "key-facts check; then answer from the passages. Off: straight to the passages (one model call).")

    @field_validator("input", "output")
    @classmethod
    def _no_duplicates(cls, value: list[str]) -> list[str]:
        repeated = sorted({name for name in value if value.count(name) > 1})
        if repeated:
            raise ValueError(f"rails listed twice: {', '.join(repeated)}")
        return value


EscalationTrigger = Literal["customer_request", "sensitive", "frustration", "rising_frustration", "loop",
                            "repeated_failure", "high_stakes", "vip", "order_value"]


class EscalationConfig(_Section):
    """When a conversation goes to a person. Each trigger has a machine-readable reason on the reply."""

    triggers: list[EscalationTrigger] = Field(
        default_factory=lambda: ["customer_request", "sensitive", "frustration", "rising_frustration", "loop",
                                 "repeated_failure", "high_stakes", "vip", "order_value"],
        description="Triggers that hand over; leave one out to switch it off.")
    sensitive_categories: list[str] = Field(
        default_factory=lambda: ["crisis", "medical_emergency", "safety", "medical", "legal", "personal_support"],
        description="Sensitive-rail categories that also hand over (personal_data is declined, not handed over).")
    upset_threshold: float = Field(
        0.6, ge=0.1, le=1.0, description="Frustration or anger (0-1) at which the customer goes to a person.")
    rising_threshold: float = Field(
        0.45, ge=0.1, le=1.0, description="Frustration that hands over when it has risen since the last turn.")
    upset_turns: int = Field(2, ge=2, le=10, description="Consecutive upset turns that hand over whatever the level.")
    loop_repeats: int = Field(
        2, ge=2, le=5, description="Times the customer asks for the same thing before a person takes over.")
    failed_answers: int = Field(
        2, ge=1, le=5, description="Questions the assistant could not answer before a person takes over.")
    high_stakes_topics: list[str] = Field(
        default_factory=lambda: ["refund", "money back", "payment", "charged", "overcharged", "billed", "my card",
                                 "credit card", "debit card", "bank", "account", "fraud", "scam", "allergy",
                                 "allergic", "anaphylaxis", "compensation", "chargeback"],
        description="Words and phrases that make a question high-stakes: answered only with confident retrieval, "
        "and a problem with the customer's own money or account goes to a person.")
    high_stakes_min_relevance: float = Field(
        0.4, ge=0.0, le=1.0, description="Retrieval relevance a high-stakes answer needs; below it a person answers.")
    vip_with_problem: bool = Field(True, description="A VIP customer with a problem goes straight to a person.")
    order_value_over: float | None = Field(
        150.0, ge=0, description="A problem with an order worth more than this goes to a person; empty: never.")


class ServerConfig(_Section):
    """The web demo, console and REST API (`tactful serve`)."""

    host: str = Field("127.0.0.1", description="Address to listen on; 0.0.0.0 to accept other machines.")
    port: int = Field(7860, ge=1, le=65535, description="Port of the web demo and API.")
    operator_tokens: list[SecretStr] = Field(
        default_factory=list, description="Bearer tokens for operator endpoints and /v1/chat/completions; "
        "none means those endpoints refuse (TACTFUL_SERVER__OPERATOR_TOKENS='[\"...\"]').")
    console_users: dict[str, SecretStr] = Field(
        default_factory=dict, description="Console logins: name -> password. Empty: the console is locked.")
    public_url: str = Field("http://127.0.0.1:7860", description="Where customers reach the chat (embed snippet).")
    rate_limit_client_per_minute: int = Field(
        120, ge=0, le=100_000, description="POST requests a minute from one client address (0: no limit).")
    rate_limit_conversation_per_minute: int = Field(
        30, ge=0, le=100_000, description="Messages a minute in one conversation (0: no limit).")
    frame_ancestors: list[str] = Field(
        default_factory=list, description="Sites that may show the customer chat in a frame, e.g. "
        "https://www.example-bakery.com (the console and API may never be framed).")
    cors_origins: list[str] = Field(
        default_factory=list, description="Other sites whose pages may call the REST API from a browser.")
    workers: int = Field(
        1, ge=1, le=64, description="Processes serving the REST API and channels. Above 1 the web pages are not "
        "served (their sessions live in one process): run them with one worker behind a sticky proxy.")


class ChannelsConfig(_Section):
    """Messaging adapters; a channel without its secret is switched off."""

    slack_signing_secret: SecretStr | None = Field(None, description="Slack app signing secret.")
    slack_bot_token: SecretStr | None = Field(None, description="Slack bot token (xoxb-...) to post replies.")
    twilio_auth_token: SecretStr | None = Field(None, description="Twilio auth token (signature check).")
    twilio_webhook_url: str | None = Field(
        None, description="The public URL Twilio posts to (what it signs); needed behind a proxy.")
    twilio_account_sid: str | None = Field(
        None, description="Twilio account SID: with twilio_auth_token and twilio_from_number, proactive messages can "
        "start an SMS conversation.")
    twilio_from_number: str | None = Field(None, description="The Twilio number SMS messages come from (+44...).")
    twilio_whatsapp_from: str | None = Field(None, description="The WhatsApp sender number, for WhatsApp messages.")
    twilio_api_url: str = Field("https://api.twilio.com", description="Twilio's REST API (change only for a proxy).")
    default_country_code: str = Field(
        "44", pattern=r"^\+?\d{1,3}$", description="Country calling code for customers' numbers written without one "
        "(07700 900123 -> +447700900123).")
    handoff_webhook_url: str | None = Field(None, description="POSTed a signed JSON event on every hand-off.")
    handoff_webhook_secret: SecretStr | None = Field(None, description="HMAC secret for the hand-off webhook.")

    @model_validator(mode="after")
    def _webhook_is_signed(self) -> "ChannelsConfig":
        if self.handoff_webhook_url and not (self.handoff_webhook_secret and self.handoff_webhook_secret.get_secret_value()):
            raise ValueError("handoff_webhook_url needs handoff_webhook_secret: receivers must be able to check "
                             "that an event came from Tactful")
        return self


class PrivacyConfig(_Section):
    """How long conversations are kept; customers' access and erasure are `tactful privacy ...`."""

    retention_days: int | None = Field(
        None, ge=1, le=3650, description="Conversations untouched for this many days are deleted or anonymised by "
        "the retention job (the server runs it, or `tactful privacy retention` from cron); empty: kept until erased.")
    retention_action: Literal["delete", "anonymise"] = Field(
        "anonymise", description="anonymise: keep outcomes, moods and times for analytics, drop every word and "
        "name; delete: remove the conversation entirely.")
    retention_check_hours: float = Field(24.0, gt=0, le=720, description="How often the server runs the job.")


class LoggingConfig(_Section):
    """Tactful's own logs: structured, with personal data redacted from every line."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("WARNING", description="Least severe level written.")
    format: Literal["json", "text"] = Field("json", description="json: one object a line, for log collectors.")
    file: Path | None = Field(None, description="Also write to this file (reopened if rotated; `tactful privacy "
                              "erase` removes an erased customer's lines from it and its rotations).")


class TactfulConfig(_Section):
    """Everything Tactful needs to run one business."""

    data_dir: Path = Field(Path(".tactful"), description="Where the index and the SQLite store live.")
    business: BusinessProfile = Field(default_factory=BusinessProfile)
    knowledge: KnowledgeConfig = Field(default_factory=KnowledgeConfig)
    embedding: EmbeddingConfig = Field(default_factory=EmbeddingConfig)
    llm: LLMConfig = Field(default_factory=LLMConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    guardrails: GuardrailsConfig = Field(default_factory=GuardrailsConfig)
    escalation: EscalationConfig = Field(default_factory=EscalationConfig)
    server: ServerConfig = Field(default_factory=ServerConfig)
    channels: ChannelsConfig = Field(default_factory=ChannelsConfig)
    privacy: PrivacyConfig = Field(default_factory=PrivacyConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    accounts: AccountsConfig = Field(default_factory=AccountsConfig)
    email: EmailConfig = Field(default_factory=EmailConfig)
    tenants: list[Path] = Field(
        default_factory=list, description="More businesses served by this deployment, each a tactful.yaml of its "
        "own, at /t/<collection>/ (API, chat and console). They share this file's store unless they name their own.")

    @property
    def store_url(self) -> str:
        return self.store.url or f"sqlite:///{(self.data_dir / 'tactful.db').resolve()}"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def collection_name(self) -> str:
        if self.knowledge.collection:
            return self.knowledge.collection
        slug = "".join(c if c.isalnum() else "-" for c in self.business.name.lower()).strip("-")
        while "--" in slug:
            slug = slug.replace("--", "-")
        return (slug or "business")[:60].ljust(3, "x")


def load_config(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> TactfulConfig:
    """Read the configuration: ``path`` (or ``$TACTFUL_CONFIG``), then ``TACTFUL_*`` variables on top.

    With no file at all the built-in demo business is used. Raises ConfigError naming the origin,
    the key and the fix.
    """
    environ = os.environ if environ is None else environ
    if path is None and environ.get("TACTFUL_CONFIG"):
        path = environ["TACTFUL_CONFIG"]
    file_data: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        file_data = _read_yaml(path)
    env_data = _env_overrides(environ)
    merged = _deep_merge(file_data, env_data)
    try:
        config = TactfulConfig.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, path, env_data)) from None
    if path is not None:
        config = _resolve_relative_paths(config, path.parent)
    return config


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ConfigError(f"{path}: no such configuration file. Create it (see tactful.example.yaml) or leave it out.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text. Save the file as UTF-8.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}:{where}: not valid YAML ({getattr(exc, 'problem', exc)}). Fix the syntax.") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections (business:, llm:, ...).")
    # A section left with only comments in it ("store:") means "the defaults", not "null".
    return {key: value for key, value in data.items() if value is not None}


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name in RESERVED_ENV:
            continue
        keys = [part.lower() for part in name[len(ENV_PREFIX):].split("__") if part]
        if not keys:
            continue
        value: Any = raw
        if raw[:1] in "[{":
            try:
                value = json.loads(raw)
            except json.JSONDecodeError:
                value = raw
        node = data
        for key in keys[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise ConfigError(f"environment variable {name}: conflicts with another TACTFUL_ variable.")
        node[keys[-1]] = value
    return data


def _deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _lookup(data: dict[str, Any], loc: tuple[Any, ...]) -> bool:
    node: Any = data
    for key in loc:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            return False
    return True


def _explain(exc: ValidationError, path: Path | None, env_data: dict[str, Any]) -> str:
    lines = ["The configuration is not valid:"]
    for error in exc.errors():
        loc = tuple(error["loc"])
        key = ".".join(str(part) for part in loc)
        if _lookup(env_data, loc):
            keys = [str(p).upper() for p in loc[:next((i for i, p in enumerate(loc) if isinstance(p, int)), len(loc))]]
            origin = "environment variable " + ENV_PREFIX + "__".join(keys)
        elif path is not None:
            origin = str(path)
        else:
            origin = "defaults"
        if error["type"] == "extra_forbidden":
            fix = "remove it or check its spelling; known keys are listed in tactful.example.yaml"
        else:
            fix = "set a valid value"
        lines.append(f"  {origin}: {key}: {error['msg']}: {fix}.")
    return "\n".join(lines)


def _resolve_relative_paths(config: TactfulConfig, base: Path) -> TactfulConfig:
    """Paths in a file are relative to that file, so a config works from any working directory."""

    def fix(p: Path | None) -> Path | None:
        return p if p is None or p.is_absolute() else (base / p)

    return config.model_copy(
        update={
            "data_dir": fix(config.data_dir),
            "knowledge": config.knowledge.model_copy(update={"sources": [fix(s) for s in config.knowledge.sources]}),
            "llm": config.llm.model_copy(update={"model_path": fix(config.llm.model_path)}),
            "embedding": config.embedding.model_copy(update={"model_path": fix(config.embedding.model_path)}),
            "tenants": [fix(t) for t in config.tenants],
            "logging": config.logging.model_copy(update={"file": fix(config.logging.file)}),
        }
    )
