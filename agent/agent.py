"""The ``Agent``: one business's assistant, built from configuration; each message is a ``Turn``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from agent.config import TactfulConfig
from agent.customer import Customer
from agent.errors import BadInput, NotFound
from agent.escalation import EscalationPolicy
from agent.extractive import CachedEmbedder
from agent.frame import ReplyFrame
from agent.handoff import HandoffDesk
from agent.handoff_webhook import handoff_notifier
from agent.passage_checks import PassageChecks, published_values
from agent.pii_vaults import ConversationVaults
from agent.privacy import PrivacyDesk
from agent.reply import Reply, ReplyStream
from agent.sentiment import SentimentReader
from agent.store import ConversationStore, Rating
from agent.turn import Turn
from guardrails import GroundingRail, clean_text, redact_pii
from guardrails.pipeline import RailPipeline
from knowledge.sentence_vectors import SentenceVectorStore
from guardrails.tone import ToneLimits

if TYPE_CHECKING:
    from agent.accounts.desk import AccountDesk
    from agent.llm import ModelGateway
    from knowledge import KnowledgeBase


class Agent:
    """Answers customers of one business. Build it with ``Agent.from_config``; dependencies come in here."""

    def __init__(self, config: TactfulConfig, *, knowledge: "KnowledgeBase", store: ConversationStore,
                 gateway: "ModelGateway | None", sentiment: SentimentReader, accounts: "AccountDesk | None" = None,
                 mailer: Any = None, sms: Any = None) -> None:
        self.config = config
        #: Orders, bookings and the actions on them (None unless accounts are enabled).
        self.accounts = accounts
        #: The email sender (SMTP) for confirmations and proactive messages; None when email is not set up.
        self.mailer = mailer
        #: Twilio's REST API for proactive SMS and WhatsApp messages; None when it is not set up.
        self.sms = sms
        self.knowledge = knowledge
        self.store = store
        self.gateway = gateway
        self.sentiment = sentiment
        self.frame = ReplyFrame(config.business)
        tone = config.guardrails.tone
        self.rails = RailPipeline(config.guardrails.input, config.guardrails.output,
                                  ToneLimits(max_exclamations_per_reply=tone.max_exclamations_per_reply,
                                             max_emoji=tone.max_emoji, allow_pet_names=tone.allow_pet_names,
                                             max_apologies=tone.max_apologies))
        self.grounding_rail = GroundingRail()
        #: Each retrieved passage's rail checks and published contacts, worked out once per passage text.
        self.passage_checks = PassageChecks(self.rails)
        #: The contact details the business's profile publishes: never a leak when a reply repeats them.
        self.published_contacts = published_values(config.business.handoff_contact)
        self.sentence_embedder = CachedEmbedder(knowledge.embedder, store=SentenceVectorStore.beside(knowledge))
        self.vaults = ConversationVaults() if config.guardrails.pii_vault else None
        self.policy = EscalationPolicy(config.escalation)
        self.desk = HandoffDesk(store, config.collection_name, on_handoff=handoff_notifier(config, store))
        self.privacy = PrivacyDesk(store, config.collection_name, log_file=config.logging.file,
                                   forget_vault=self.vaults.forget if self.vaults is not None else None)

    @classmethod
    def from_config(cls, path: str | Path | None = None, **overrides: Any) -> "Agent":
        """The agent for ``path`` (a tactful.yaml) or, with no path, the built-in demo business.

        The knowledge base is indexed on first use if it is empty. ``overrides`` (``chat_model=``,
        ``embedder=``, ``environ=``) replace parts for tests and embedding applications.
        """
        from agent.assembly import build_agent

        return build_agent(path, **overrides)

    def respond(self, text: str, conversation_id: str | None = None,
                customer: Customer | Mapping[str, Any] | str | None = None, *, channel: str = "api",
                message_id: str | None = None) -> Reply:
        """Answer one customer message; pass ``reply.conversation_id`` back to continue the conversation.

        ``message_id``: the client's own id for this message. A retry with the same id (after a dropped
        connection) is stored once and gets the same reply, or its first answer if it never got one.
        """
        return self.respond_stream(text, conversation_id, customer, channel=channel, message_id=message_id).reply

    def respond_stream(self, text: str, conversation_id: str | None = None,
                       customer: Customer | Mapping[str, Any] | str | None = None, *,
                       channel: str = "api", message_id: str | None = None) -> ReplyStream:
        """Like ``respond``, but iterate it for the text as it is produced (the opening comes at once)."""
        if message_id is not None and not (0 < len(message_id) <= 80 and message_id.isprintable()):
            raise BadInput("message_id must be 1 to 80 printable characters.")
        turn = Turn(self, text, conversation_id, Customer.coerce(customer), channel, message_id)
        return ReplyStream(turn.run(), turn.finish)

    def rate(self, conversation_id: str, score: int, comment: str = "", *, nps: int | None = None) -> Rating:
        """The customer's rating of a conversation (1 to 5, optional comment), stored with how it went.

        ``nps`` is the optional 0-10 answer to "how likely are you to recommend us?"; the score stays required
        (CSAT is the question every rating answers), and a new rating replaces the old one, NPS answer included.
        """
        if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
            raise BadInput(f"a rating is a whole number from 1 to 5, not {score!r}.")
        if nps is not None and (not isinstance(nps, int) or isinstance(nps, bool) or not 0 <= nps <= 10):
            raise BadInput(f"how likely you are to recommend us is a whole number from 0 to 10, not {nps!r}.")
        if self.store.get_conversation(conversation_id) is None:
            raise NotFound(f"there is no conversation {conversation_id!r} to rate.")
        comment = redact_pii(clean_text(comment or "").text.strip()[:2000]).text
        tickets = self.store.tickets(conversation_id=conversation_id)
        return self.store.rate(conversation_id, score, comment, escalated=bool(tickets),
                               escalation_reason=tickets[0].reason if tickets else None, nps=nps)

    def close(self) -> None:
        """Release the store's connections and the knowledge index's (a Chroma server's HTTP sessions)."""
        self.store.close()
        self.knowledge.close()
