"""One customer turn, end to end: the small, readable pipeline behind ``Agent.respond``.

    clean input -> store conversation -> input rails (redact PII, injection, sensitive, "are you a bot?")
    -> read mood and its trend -> store the customer message -> a person owns it? stay silent
    -> escalation policy -> hand off (ticket + summary + honest notice)
    -> or retrieve -> policy again (confidence, failures) -> frame (disclosure, mood-aware lead-in)
    -> grounded body (model or extractive) -> output rails per sentence -> next step
    -> store the reply with its sources, verdicts and escalation
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING, Any, Iterator

from agent.answer_body import (BodyReport, carries_key_facts, cite, covers_question, extractive_body,
                               grounded_model_body)
from agent.customer import Customer
from agent.errors import ModelUnavailable, ServiceUnavailable, StoreUnavailable
from agent.escalation import ConversationSoFar, EscalationDecision
from agent.prompt import MODEL_PASSAGES, answer_messages, passage_body
from agent.reply import Reply, Source
from agent.sentiment import FELT, follow
from agent.store import StoredTurn
from agent.store.conversation_store import DuplicateMessage
from guardrails import Verdict, clean_text, redact_pii
from guardrails.pii import without_placeholders
from guardrails.pipeline import InputCheck
from guardrails.sensitive import CATEGORIES as SENSITIVE_CATEGORIES
from guardrails.grounding import content_words
from knowledge.documents import RetrievedPassage
from knowledge.errors import EmbedderUnavailable, IndexUnavailable

if TYPE_CHECKING:
    from agent.accounts.desk import DeskReply
    from agent.agent import Agent

log = logging.getLogger("tactful.turn")

_GREETING = re.compile(r"^\W*(?:hi|hello|hey|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening|day))"
                       r"(?: there| team| all| folks| everyone)?\W*$", re.IGNORECASE)
#: A confused customer gets at most this many answer sentences at once.
CONFUSED_SENTENCES = 2
#: Cues that mean something went wrong on the business's side: the apology is fitting.
_AT_FAULT_CUES = frozenset({"something_wrong", "not_working", "repeated_contact"})
#: Follow-ups with this few content words ("and how much is it?", "what about Sundays?") are searched
#: together with the previous question, which names what "it" is.
FOLLOW_UP_CONTENT_WORDS = 2
#: Messages of the conversation a turn reads back: mood trend, loops and repeated failures look no further
#: (a hand-off older than this no longer resets the counts; the transcript itself is always kept whole).
RECENT_TURNS = 60


class Turn:
    """The state of one turn while it streams; ``finish`` builds the Reply from it."""

    def __init__(self, agent: "Agent", text: str, conversation_id: str | None, customer: Customer | None,
                 channel: str, message_id: str | None = None) -> None:
        self.agent = agent
        self.raw = text
        self.message_id = message_id
        self.conversation_id = conversation_id
        self.customer = customer
        self.channel = channel
        self.pieces: list[str] = []
        self.sources: list[Source] = []
        self.verdicts: list[Verdict] = []
        self.sentiment = None
        self.outcome = "answered"
        self.disclosed = False
        self.meta: dict[str, Any] = {}
        self.escalation: EscalationDecision | None = None
        self.earlier: list[StoredTurn] = []
        self.history = ConversationSoFar()
        self.vault = None

    # -- the pipeline -------------------------------------------------------------------------
    def run(self) -> Iterator[str]:
        started = time.perf_counter()
        a = self.agent
        cleaned = clean_text(self.raw if isinstance(self.raw, (str, bytes)) else str(self.raw))
        text = cleaned.text.strip()
        try:
            first_turn = self._open_conversation()
        except StoreUnavailable as exc:
            log.error("store unavailable: %s", exc)
            self.outcome = "store_unavailable"
            yield from self._say(a.frame.store_unavailable())
            return

        limit = a.config.limits.max_message_chars
        if not text or len(text) > limit:
            yield from self._disclose(first_turn)
            self.outcome = "rejected"
            self.meta["rejected"] = "empty" if not text else f"too long: {len(text)} characters"
            yield from self._say(a.frame.empty_message() if not text else a.frame.too_long(len(text), limit))
            return self._finish()

        self.vault = a.vaults.get(self.conversation_id) if a.vaults is not None else None
        checked = a.rails.check_input(text, self.vault)
        self.verdicts.extend(checked.verdicts)
        redacted = checked.text
        try:
            self.earlier = a.store.turns(self.conversation_id, last=RECENT_TURNS)
            self.history = ConversationSoFar.since_last_handoff(self.earlier)
            self.sentiment = follow(a.sentiment.read(redacted), self.history.moods)
            known = a.store.message_by_key(self.conversation_id, self.message_id) if self.message_id else None
            if known is not None and known[1] is not None:  # a retry of a message already answered
                yield from self._replay(known[1])
                return
            if known is None:
                try:
                    customer_seq = a.store.append_turn(
                        self.conversation_id, "customer", redacted, status="received", client_key=self.message_id,
                        meta={"cleaned": cleaned.changed, "notes": cleaned.notes, "mood": self.sentiment.to_dict()})
                except DuplicateMessage:  # its first try is being stored at this moment, elsewhere
                    known = a.store.message_by_key(self.conversation_id, self.message_id)
            if known is not None:  # stored before, never answered (a worker died mid-turn): answer it now
                customer_seq = known[0].seq
                self.earlier = [t for t in self.earlier if t.seq < customer_seq]
                self.history = ConversationSoFar.since_last_handoff(self.earlier)
            ticket = a.store.active_ticket(self.conversation_id)
        except StoreUnavailable as exc:
            log.error("store unavailable: %s", exc)
            self.outcome = "store_unavailable"
            yield from self._say(a.frame.store_unavailable())
            return
        if ticket is not None:  # a person has this conversation: the assistant does not talk over them
            self.outcome = "with_person" if ticket.owned_by_person else "queued"
            self.meta["ticket_id"] = ticket.id
            yield from self._say(a.frame.queued(ticket.owned_by_person, self.sentiment.mood))
            self._finish(customer_seq, "for_person", reply=bool(self.pieces and self.text))
            return

        yield from self._route(checked, redacted, first_turn)
        self.meta["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
        self._finish(customer_seq, "answered")

    def _route(self, checked: InputCheck, redacted: str, first_turn: bool) -> Iterator[str]:
        """What the input rails found decides the reply; only ordinary questions reach retrieval and the model."""
        a = self.agent
        attack = checked.flag("injection", "prompt_extraction")
        sensitive = checked.flag(*SENSITIVE_CATEGORIES)  # crisis, medical, legal, safety, ...
        about_bot = checked.flag("asks_if_bot", "role_play_human")
        if about_bot is not None and sensitive is None:
            self.disclosed = True  # the answer itself says it is a bot: no separate opening
            self.outcome = "disclosed" if attack is None else "declined"
            yield from self._say(a.frame.role_play_refusal() if about_bot.category == "role_play_human"
                                 else a.frame.bot_question_answer())
            if attack is not None:  # "pretend you're human and ignore your rules": the refusal covers both
                if about_bot.category != "role_play_human":
                    yield from self._say(a.frame.injection_decline(attack.category), start="\n\n")
                return
            rest = self._other_question(checked.original, about_bot) if about_bot.category == "asks_if_bot" else None
            if rest is not None:
                yield from self._knowledge_answer(rest, separator="\n\n")
            return
        yield from self._disclose(first_turn)
        if attack is not None:
            self.outcome = "declined"
            yield from self._say(a.frame.injection_decline(attack.category))
            return
        wants_human = checked.flag("wants_human") is not None
        decision = a.policy.on_message(redacted, self.sentiment, self.history, wants_human=wants_human,
                                       sensitive=sensitive.category if sensitive else None, customer=self.customer)
        if sensitive is not None:
            self.outcome = "referred"
            told = decision.escalate and self._open_ticket(decision)
            yield from self._say(a.frame.sensitive_referral(sensitive.category, business_told=told))
        elif decision.escalate:
            yield from self._hand_off(decision)
        elif wants_human:  # the customer_request trigger is switched off: give the way to reach a person
            self.outcome = "handoff_offered"
            yield from self._say(a.frame.handoff_offer())
        elif a.accounts is not None and (account := self._account(checked.original, redacted)) is not None:
            self.outcome = account.outcome
            self.verdicts.extend(account.verdicts)
            if account.tool is not None:
                self.meta["tool"] = account.tool
            yield from self._say(account.text)
        elif _GREETING.match(redacted):
            self.outcome = "greeted"
            yield from self._say(a.frame.greeting())
        elif (self.sentiment.emotions.get("gratitude", 0.0) >= FELT and "?" not in redacted
              and len(content_words(redacted)) <= 3):  # "thanks, that's all": no question left to answer
            self.outcome = "closed"
            yield from self._say(a.frame.thanks_close())
        else:
            yield from self._knowledge_answer(redacted)

    def _account(self, original: str, redacted: str) -> "DeskReply | None":
        """The account desk's reply when the message is about the customer's orders or bookings (or answers
        its question); None otherwise. A source or store that is down gets an honest reply, not a guess."""
        try:
            return self.agent.accounts.handle(self.conversation_id, original, redacted)
        except ServiceUnavailable as exc:
            from agent.accounts.desk import DeskReply

            log.error("accounts unavailable: %s", exc, extra={"conversation_id": self.conversation_id})
            return DeskReply(self.agent.frame.accounts_unavailable(), "account_unavailable")

    def _open_ticket(self, decision: EscalationDecision) -> bool:
        """Record the hand-off; False when the store is down (the customer then gets the contact route)."""
        try:
            ticket = self.agent.desk.open_ticket(self.conversation_id, decision, self.sentiment)
        except StoreUnavailable as exc:
            log.error("could not open a hand-off ticket: %s", exc)
            return False
        self.escalation = decision
        self.meta["ticket_id"] = ticket.id
        self.meta["escalation"] = decision.to_dict()
        return True

    def _hand_off(self, decision: EscalationDecision, separator: str = "") -> Iterator[str]:
        a = self.agent
        if self._open_ticket(decision):
            self.outcome = "handed_off"
            yield from self._say(a.frame.handoff_notice(decision.reason or ""), start=separator)
        else:
            self.outcome = "handoff_offered"
            yield from self._say(a.frame.handoff_offer(), start=separator)

    def _knowledge_answer(self, question: str, separator: str = "") -> Iterator[str]:
        a = self.agent
        try:
            passages = self._retrieve(question)
        except (IndexUnavailable, EmbedderUnavailable) as exc:  # never guess without the documents
            log.error("knowledge unavailable: %s", exc, extra={"conversation_id": self.conversation_id})
            self.outcome = "knowledge_unavailable"
            yield from self._say(a.frame.knowledge_unavailable(), start=separator)
            return
        bar = a.config.knowledge.min_relevance
        covered = [p for p in passages if p.relevance < bar and covers_question(question, p, bar)]
        relevant = [p for p in passages if p.relevance >= bar or p in covered]
        decision = a.policy.on_retrieval(question, self.sentiment, self.history,
                                         outcome="answerable" if relevant else "unknown",
                                         relevance=max((p.relevance for p in passages), default=None),
                                         covered=bool(covered))
        if decision.escalate and not (decision.answer_first and relevant):
            yield from self._hand_off(decision, separator)
            return
        if not relevant:
            if self.outcome not in ("disclosed",):
                self.outcome = "unknown"
            yield from self._say(a.frame.unknown(), start=separator)
            return
        if self.outcome == "disclosed":
            self.outcome = "answered"
        yield from self._answer(question, relevant, separator)
        if decision.escalate:  # the policy is answered; a person acts on the customer's own case
            answered = self.outcome
            yield from self._hand_off(decision, "\n\n")
            self.meta["answered_before_handoff"] = answered
            return
        yield from self._say(a.frame.next_step(self.sentiment.mood if self.sentiment else "neutral"), start="\n\n")

    def _disclose(self, first_turn: bool) -> Iterator[str]:
        if first_turn and not self.disclosed:
            self.disclosed = True
            yield from self._say(self.agent.frame.disclosure(), end="\n\n")

    def _other_question(self, text: str, verdict: Verdict) -> str | None:
        """"Are you a bot? And when do you open?": the second part (redacted), to answer too; None if none."""
        rest = text
        for span in sorted(verdict.spans, key=lambda s: s.start, reverse=True):
            rest = rest[:span.start] + " " + rest[span.end:]
        rest = re.sub(r"^[\s,.;:!?-]*(?:and|also|plus|btw|oh and|but)?\b[\s,]*", "", rest.strip(), flags=re.IGNORECASE)
        if len(content_words(rest)) < 2:
            return None
        return self.vault.redact(rest).text if self.vault is not None else redact_pii(rest).text

    def _answer(self, question: str, passages: list[RetrievedPassage], separator: str = "") -> Iterator[str]:
        a = self.agent
        passages, texts, published = self._safe_passages(passages)
        if not passages:
            self.outcome = "unknown"
            yield from self._say(a.frame.unknown(), start=separator)
            return
        model_texts = texts[:MODEL_PASSAGES]
        report = BodyReport()
        mood = self.sentiment.mood if self.sentiment else "neutral"
        at_fault = bool(self.sentiment and _AT_FAULT_CUES & set(self.sentiment.cues))
        yield from self._say(a.frame.lead_in(passages[0].chunk.title, mood, at_fault=at_fault), start=separator)
        # The passages' own best sentences: the fallback, and the yardstick the model's answer must meet.
        # Each passage's cosine; one admitted below the bar for holding the question's words counts as at the
        # bar (a long chunk's embedding understates it), so it is not priced out of answering.
        bar = a.config.knowledge.min_relevance
        extractive = extractive_body(question, texts, BodyReport(), a.sentence_embedder,
                                     relevance=[max(p.relevance, bar) for p in passages])
        sentences: list[str] = []
        if a.gateway is not None:
            sentences = self._model_sentences(question, model_texts, extractive, report)
        if not sentences:
            if self.outcome == "answered":
                self.outcome = "extractive"
            sentences = extractive
            report.kept.extend(extractive)
        # Contact details the business itself publishes (in these passages or its profile) are not a leak.
        guard = a.rails.output_guard(allowed_pii=published, vault=self.vault)
        if mood == "confused":
            sentences = sentences[:CONFUSED_SENTENCES]  # simpler: fewer steps at once
        for sentence in sentences:
            shown, _ = guard.check(sentence)
            if shown:
                yield from self._say(shown, start=" ")
        self.verdicts.extend(guard.verdicts)
        self.meta.update({"support": round(report.support, 3), "dropped_sentences": len(report.dropped),
                          "used_model": report.used_model})
        self.verdicts.append(Verdict(
            rail="grounding", passed=True,
            action="allow" if not report.dropped else ("repair" if report.kept else "fallback"),
            reason=(f"{len(report.kept)} supported sentence(s) kept, {len(report.dropped)} unsupported dropped"
                    + ("; answered from the passages" if self.outcome != "answered" else ""))))
        self.sources = cite(passages)

    def _model_sentences(self, question: str, passages: list[str], extractive: list[str],
                         report: BodyReport) -> list[str]:
        """The model's supported sentences. An answer the passages do not support, or one that leaves out
        their key facts, is asked for once more with the reason; after that the passages answer instead."""
        a = self.agent
        reason: str | None = None
        attempts = 2 if a.config.guardrails.regenerate_once else 1
        for attempt in range(attempts):
            try:
                deltas = a.gateway.stream(answer_messages(a.config.business, question, passages, retry_reason=reason),
                                          max_tokens=a.config.llm.max_tokens, temperature=a.config.llm.temperature)
                sentences = list(grounded_model_body(deltas, question, passages, a.grounding_rail, report))
            except ModelUnavailable as exc:
                log.warning("model unavailable, answering from the passages: %s", exc)
                self.meta["model_error"] = str(exc)
                self.outcome = "model_unavailable"
                return []
            if sentences and carries_key_facts(" ".join(sentences), " ".join(extractive)):
                return sentences
            if sentences:
                report.dropped.extend(sentences)
                report.kept.clear()
                self.meta["model_missed_key_facts"] = True
                reason = "it left out the passage's key facts (numbers, prices, days or times); include them"
            else:
                reason = "it said things the passage does not say; use only the passage's own facts"
            if attempt + 1 < attempts:
                self.meta["regenerated"] = reason
        return []

    def _safe_passages(self, passages: list[RetrievedPassage]) -> tuple[list[RetrievedPassage], list[str], set[str]]:
        """Passages with planted instructions removed (one left empty is dropped), and the contact details
        they and the business's profile publish."""
        kept, texts = [], []
        published = set(self.agent.published_contacts)
        for passage in passages:
            checked = self.agent.passage_checks.check(passage_body(passage))
            if checked.verdict is not None:
                self.verdicts.append(checked.verdict)
            if checked.text.strip():
                kept.append(passage)
                texts.append(checked.text)
                published |= checked.published
        return kept, texts, published

    # -- steps ----------------------------------------------------------------------------------
    def _open_conversation(self) -> bool:
        """Create the conversation if needed; True when the customer has not yet been told it is a bot."""
        info, created = self.agent.store.open_conversation(
            self.agent.config.collection_name, self.conversation_id, channel=self.channel,
            customer_name=self.customer.name if self.customer else None)
        self.conversation_id = info.id
        return created or info.disclosed_at is None

    def _retrieve(self, question: str) -> list[RetrievedPassage]:
        a = self.agent
        query = without_placeholders(question)  # "<EMAIL_ADDRESS>" says nothing about the topic
        if len(content_words(query)) <= FOLLOW_UP_CONTENT_WORDS:
            previous = [t for t in self.earlier if t.role == "customer"]
            if previous:
                query = f"{without_placeholders(previous[-1].text)} {query}"
        return a.knowledge.search(query, k=a.config.knowledge.top_k)

    def _say(self, text: str, *, start: str = "", end: str = "") -> Iterator[str]:
        """Show a piece: stored with placeholders, shown with this customer's own values put back."""
        piece = (start if self.pieces else "") + text + end
        self.pieces.append(piece)
        yield self._for_customer(piece)

    def _for_customer(self, text: str) -> str:
        return self.vault.restore(text) if self.vault is not None and len(self.vault) else text

    def _replay(self, stored: StoredTurn) -> Iterator[str]:
        """The reply already given to this message (a client's retry): the same words, nothing stored again."""
        self.outcome = stored.outcome or "answered"
        self.meta = {**stored.meta, "replayed": True}
        self.sources = [Source(s.get("doc_id", ""), s.get("title", ""), s.get("heading", ""), s.get("chunk_id", ""),
                               float(s.get("score", 0.0))) for s in stored.sources]
        self.disclosed = False
        yield from self._say(stored.text)

    def _finish(self, customer_seq: int | None = None, status: str | None = None, *, reply: bool = True) -> None:
        """Store the reply and the customer message's new status in one transaction (one commit a turn)."""
        record = None
        if reply:
            meta = self.meta if customer_seq is None else {**self.meta, "reply_to": customer_seq}
            record = dict(role="assistant", text=self.text, status="sent", outcome=self.outcome,
                          sources=[s.to_dict() for s in self.sources],
                          verdicts=[v.to_dict() for v in self.verdicts], meta=meta)
        try:
            self.agent.store.finish_turn(self.conversation_id, customer_seq, status, record, disclosed=self.disclosed)
        except StoreUnavailable as exc:
            log.error("could not store the reply: %s", exc, extra={"conversation_id": self.conversation_id})
            return
        log.info("turn %s", self.outcome, extra={"conversation_id": self.conversation_id, "outcome": self.outcome,
                                                 "latency_ms": self.meta.get("latency_ms")})

    @property
    def text(self) -> str:
        return "".join(self.pieces).strip()

    def finish(self) -> Reply:
        return Reply(text=self._for_customer(self.text), conversation_id=self.conversation_id or "",
                     sources=self.sources,
                     sentiment=self.sentiment, verdicts=list(self.verdicts), outcome=self.outcome,
                     disclosed=self.disclosed, escalated=self.escalation is not None,
                     escalation_reason=self.escalation.reason if self.escalation else None,
                     ticket_id=self.meta.get("ticket_id"), tool=self.meta.get("tool"))
