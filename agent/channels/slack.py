"""Slack Events API: check the signing secret, answer URL verification, and answer customer messages in thread.

    POST /channels/slack  ->  handle_slack_event(headers, body, agent, signing_secret=..., poster=..., replay_guard=...)
        bad or stale signature -> 401 | url_verification -> 200 challenge | event_callback -> 200 at once,
        the agent's answer posted with chat.postMessage by a ``SlackPoster`` (inline or through ``defer``)

Slack wants its 200 within 3 seconds and retries otherwise; retries (``X-Slack-Retry-Num``), repeated
``event_id``s and the second event about one message (``message`` and ``app_mention`` both arrive when
the bot is mentioned) are acknowledged and not answered again. Message text is never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import logging
import re
import time
import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol

from agent.channels.replay_guard import DeliveryGuard
from agent.channels.response import ChannelResponse, channel_conversation_id, delivery_key, header
from agent.errors import ServiceUnavailable

if TYPE_CHECKING:
    from agent.agent import Agent

log = logging.getLogger("tactful.channels.slack")

SLACK_POST_MESSAGE_URL = "https://slack.com/api/chat.postMessage"
#: Slack's advice: refuse requests whose timestamp is more than five minutes from now (replayed captures).
MAX_SIGNATURE_AGE_SECONDS = 300
#: Message subtypes that are still a person writing; every other subtype (bot_message, message_changed,
#: message_deleted, channel_join, ...) is not a customer message.
_PERSON_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})
_LINK = re.compile(r"<((?:https?|mailto|tel):[^|>]*)(?:\|([^>]*))?>")
_MENTION = re.compile(r"<[@#!]([^|>]*)(?:\|([^>]*))?>")


class SlackPostFailed(ServiceUnavailable):
    """chat.postMessage failed: Slack unreachable, or it answered ``ok: false`` (the error is in the message)."""


@dataclass(frozen=True)
class SlackReply:
    """Post ``text`` to ``channel``, in the thread ``thread_ts`` (None: top level, as in a direct message)."""

    channel: str
    thread_ts: str | None
    text: str
    conversation_id: str


@dataclass(frozen=True)
class SlackMessage:
    """A customer's message as the agent should read it, and where its answer goes."""

    team: str
    channel: str
    user: str
    ts: str
    thread_ts: str | None
    text: str
    direct: bool

    @property
    def conversation_id(self) -> str:
        """One conversation per thread; a direct message outside a thread continues the DM's conversation."""
        if self.direct and self.thread_ts is None:
            return channel_conversation_id("slack", self.team, self.channel)
        return channel_conversation_id("slack", self.team, self.channel, self.thread_ts or self.ts)

    @property
    def reply_thread_ts(self) -> str | None:
        return None if self.direct and self.thread_ts is None else (self.thread_ts or self.ts)


class SlackPoster(Protocol):
    """Delivers the agent's answer to Slack."""

    def post(self, reply: SlackReply) -> None: ...


class WebApiSlackPoster:
    """Posts with Slack's Web API ``chat.postMessage`` and the bot token (``xoxb-...``)."""

    def __init__(self, bot_token: str, *, api_url: str = SLACK_POST_MESSAGE_URL, timeout: float = 10.0) -> None:
        self.bot_token = bot_token
        self.api_url = api_url
        self.timeout = timeout

    def post(self, reply: SlackReply) -> None:
        payload: dict[str, Any] = {"channel": reply.channel, "text": slack_escape(reply.text)}
        if reply.thread_ts:
            payload["thread_ts"] = reply.thread_ts
        request = urllib.request.Request(
            self.api_url, data=json.dumps(payload).encode("utf-8"), method="POST",
            headers={"Content-Type": "application/json; charset=utf-8",
                     "Authorization": f"Bearer {self.bot_token}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (fixed https URL)
                answer = json.loads(response.read().decode("utf-8") or "{}")
        except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts are OSErrors; bad JSON a ValueError
            raise SlackPostFailed(f"could not post to Slack ({type(exc).__name__}: {exc}); "
                                  "check the network and the bot token.") from exc
        if not answer.get("ok"):
            raise SlackPostFailed(f"Slack refused the message: {answer.get('error', 'unknown error')}. "
                                  "Check the bot token and that the app is in the channel (chat:write scope).")


@dataclass
class RecordingSlackPoster:
    """A test double: keeps what would have been posted."""

    posted: list[SlackReply] = field(default_factory=list)

    def post(self, reply: SlackReply) -> None:
        self.posted.append(reply)


def slack_signature(signing_secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature: ``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(signing_secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def verify_slack_request(headers: Mapping[str, str], body: bytes, signing_secret: str, *,
                         now: float | None = None) -> str | None:
    """None when the request is Slack's and fresh; otherwise why not (for the log, never for the caller)."""
    timestamp = header(headers, "X-Slack-Request-Timestamp")
    signature = header(headers, "X-Slack-Signature")
    if not timestamp or not signature:
        return "missing signature headers"
    try:
        sent = int(timestamp)
    except ValueError:
        return "malformed timestamp"
    now = time.time() if now is None else now
    if abs(now - sent) > MAX_SIGNATURE_AGE_SECONDS:
        return "stale timestamp"
    if not signing_secret or not hmac.compare_digest(slack_signature(signing_secret, timestamp, body).encode(),
                                                     signature.encode("utf-8", "replace")):
        return "signature mismatch"
    return None


def handle_slack_event(headers: Mapping[str, str], body: bytes, agent: "Agent", *, signing_secret: str,
                       poster: SlackPoster, replay_guard: DeliveryGuard, bot_user_id: str | None = None,
                       now: float | None = None,
                       defer: Callable[[Callable[[], None]], Any] | None = None) -> ChannelResponse:
    """Answer one Events API request.

    ``defer`` runs the agent and the post after the response (FastAPI's ``BackgroundTasks.add_task``, an
    executor's ``submit``); without it they run before returning, which suits tests and a fast agent.
    """
    problem = verify_slack_request(headers, body, signing_secret, now=now)
    if problem is not None:
        log.warning("slack request refused: %s", problem)
        return ChannelResponse.text(401, "invalid request signature")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        return ChannelResponse.text(400, "expected a JSON Events API payload")
    if not isinstance(payload, dict):
        return ChannelResponse.text(400, "expected a JSON Events API payload")

    kind = payload.get("type")
    if kind == "url_verification":
        challenge = payload.get("challenge")
        if not isinstance(challenge, str) or not challenge.isprintable() or len(challenge) > 1000:
            return ChannelResponse.text(400, "expected a url_verification payload with a challenge string")
        return ChannelResponse.text(200, challenge)
    if kind != "event_callback":
        return ChannelResponse.text(200, "")
    event_id = payload.get("event_id") if isinstance(payload.get("event_id"), str) else ""
    if header(headers, "X-Slack-Retry-Num") is not None:
        log.info("slack retry acknowledged, not answered again: event %s (%s)", event_id,
                 header(headers, "X-Slack-Retry-Reason") or "no reason given")
        return ChannelResponse.text(200, "")
    if event_id and replay_guard.seen(delivery_key("slack:event", event_id), now):
        log.info("slack event %s already handled", event_id)
        return ChannelResponse.text(200, "")
    message = customer_message(payload, bot_user_id)
    if message is None:
        return ChannelResponse.text(200, "")
    if replay_guard.seen(delivery_key("slack:message", message.team, message.channel, message.ts), now):
        log.info("slack event %s is about a message already answered", event_id)
        return ChannelResponse.text(200, "")

    def work() -> None:
        answer_and_post(message, agent, poster)

    if defer is not None:
        defer(work)
    else:
        work()
    return ChannelResponse.text(200, "")


def answer_and_post(message: SlackMessage, agent: "Agent", poster: SlackPoster) -> SlackReply | None:
    """Ask the agent and post its answer in the thread; nothing is posted while a person has the conversation.

    Failures are logged, not raised: Slack has had its 200 and will not be told.
    """
    try:
        reply = agent.respond(message.text, conversation_id=message.conversation_id, channel="slack")
    except Exception as exc:  # noqa: BLE001 (the edge: log it, Slack has its 200)
        log.error("slack message in conversation %s not answered: %s", message.conversation_id, type(exc).__name__)
        return None
    if not reply.text.strip():
        log.info("slack conversation %s: a person has it, the assistant stays silent", reply.conversation_id)
        return None
    answer = SlackReply(channel=message.channel, thread_ts=message.reply_thread_ts, text=reply.text,
                        conversation_id=reply.conversation_id)
    try:
        poster.post(answer)
    except Exception as exc:  # noqa: BLE001
        log.error("slack answer for conversation %s not posted: %s", reply.conversation_id, exc)
        return None
    log.info("slack conversation %s answered (%s)", reply.conversation_id, reply.outcome)
    return answer


def customer_message(payload: Mapping[str, Any], bot_user_id: str | None = None) -> SlackMessage | None:
    """The customer message an ``event_callback`` carries, or None for everything the agent must not answer:
    bots (this one included), edits and deletions, joins, and events without a person behind them."""
    event = payload.get("event")
    if not isinstance(event, Mapping) or event.get("type") not in ("message", "app_mention"):
        return None
    subtype = event.get("subtype")
    if not (subtype is None or isinstance(subtype, str)) or subtype not in _PERSON_SUBTYPES:
        return None  # a subtype of the wrong type ([...], {...}) is no person writing either
    if event.get("bot_id") or event.get("bot_profile"):
        return None
    user, channel, ts = event.get("user"), event.get("channel"), event.get("ts")
    if not (isinstance(user, str) and user and isinstance(channel, str) and channel and isinstance(ts, str) and ts):
        return None
    bots = {bot_user_id} if bot_user_id else set()
    bots |= {a.get("user_id") for a in _list(payload.get("authorizations"))
             if isinstance(a, Mapping) and a.get("is_bot") and isinstance(a.get("user_id"), str)}
    if user in bots:
        return None
    team = next((t for t in (event.get("team"), payload.get("team_id")) if isinstance(t, str) and t), "")
    thread_ts = event.get("thread_ts") if isinstance(event.get("thread_ts"), str) else None
    text = event.get("text") if isinstance(event.get("text"), str) else ""
    authed = {u for u in _list(payload.get("authed_users")) if isinstance(u, str)}
    return SlackMessage(team=team, channel=channel, user=user, ts=ts, thread_ts=thread_ts,
                        text=plain_text(text, bots | authed), direct=event.get("channel_type") == "im")


def _list(value: Any) -> list[Any]:
    """A payload field that should be a JSON array, as a list (anything else, from a malformed event: empty)."""
    return value if isinstance(value, list) else []


def plain_text(text: str, drop_mentions: set[str] | frozenset[str] = frozenset()) -> str:
    """Slack's markup as a customer meant it: the bot's own @-mention dropped, links as their label, entities decoded."""
    text = _LINK.sub(lambda m: m.group(2) or m.group(1).removeprefix("mailto:").removeprefix("tel:"), text)

    def mention(m: re.Match[str]) -> str:
        target = m.group(1)
        if target in drop_mentions:
            return ""
        return "@" + (m.group(2) or target)

    text = _MENTION.sub(mention, text)
    return " ".join(html.unescape(text).split())


def slack_escape(text: str) -> str:
    """Slack's three control characters escaped, so an answer cannot ping @channel or forge a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
