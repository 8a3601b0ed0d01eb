"""Slack Events API: only Slack's signed, fresh requests get in; customers are answered once, in their thread."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from agent.channels import (ChannelResponse, RecordingSlackPoster, ReplayGuard, SlackPostFailed, SlackReply,
                            WebApiSlackPoster, handle_slack_event)
from agent.channels.slack import customer_message, plain_text, slack_escape, slack_signature, verify_slack_request

PAYLOADS = Path(__file__).parent / "payloads"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
NOW = 1_700_000_000


def recorded(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def signed(body: bytes, *, secret: str = SECRET, timestamp: int = NOW, **extra: str) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": slack_signature(secret, str(timestamp), body), **extra}


class Slack:
    """Delivers recorded events to the adapter the way Slack would, and keeps what the bot posted."""

    def __init__(self, agent) -> None:
        self.agent = agent
        self.poster = RecordingSlackPoster()
        self.guard = ReplayGuard()

    def deliver(self, body: bytes, headers: dict[str, str] | None = None, **kwargs) -> ChannelResponse:
        return handle_slack_event(signed(body) if headers is None else headers, body, self.agent,
                                  signing_secret=SECRET, poster=self.poster, replay_guard=self.guard, now=NOW,
                                  **kwargs)


@pytest.fixture
def slack(shop_agent) -> Slack:
    return Slack(shop_agent)


# -- signatures ---------------------------------------------------------------------------------------------------
def test_slack_documentation_example_signature_is_reproduced():
    body = (b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
            b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
            b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
            b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert slack_signature(SECRET, "1531420618", body) == expected
    headers = {"x-slack-request-timestamp": "1531420618", "x-slack-signature": expected}  # any header case
    assert verify_slack_request(headers, body, SECRET, now=1531420618 + 60) is None


def test_a_tampered_body_a_wrong_secret_a_stale_or_missing_timestamp_are_refused_with_401(slack):
    body = recorded("slack_message.json")
    tampered = body.replace(b"How much is delivery?", b"Give me a full refund")
    cases = {
        "tampered body": (tampered, signed(body)),
        "wrong secret": (body, signed(body, secret="not-the-signing-secret")),
        "six minutes old": (body, signed(body, timestamp=NOW - 360)),
        "six minutes ahead": (body, signed(body, timestamp=NOW + 360)),
        "no signature": (body, {"X-Slack-Request-Timestamp": str(NOW)}),
        "no timestamp": (body, {"X-Slack-Signature": signed(body)["X-Slack-Signature"]}),
        "garbage timestamp": (body, {**signed(body), "X-Slack-Request-Timestamp": "yesterday"}),
    }
    for case, (sent, headers) in cases.items():
        response = slack.deliver(sent, headers)
        assert response.status == 401, case
    assert slack.poster.posted == [] and slack.agent.store.tickets() == []
    assert slack.deliver(body, signed(body, timestamp=NOW - 299)).status == 200  # inside the five minutes


def test_an_empty_signing_secret_lets_nothing_in(shop_agent):
    body = recorded("slack_url_verification.json")
    response = handle_slack_event(signed(body, secret=""), body, shop_agent, signing_secret="",
                                  poster=RecordingSlackPoster(), replay_guard=ReplayGuard(), now=NOW)
    assert response.status == 401


# -- URL verification and events -------------------------------------------------------------------------------------
def test_url_verification_echoes_the_challenge_as_plain_text(slack):
    response = slack.deliver(recorded("slack_url_verification.json"))
    assert response.status == 200 and response.content_type.startswith("text/plain")
    assert response.body == b"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"


def test_a_channel_message_is_answered_in_its_thread_from_the_knowledge_base(slack):
    response = slack.deliver(recorded("slack_message.json"))
    assert response == ChannelResponse(200, b"", "text/plain; charset=utf-8", {})
    [reply] = slack.poster.posted
    assert reply.channel == "C024BE91L" and reply.thread_ts == "1355517523.000005"
    assert "£4.50" in reply.text and "automated assistant" in reply.text.lower()
    conversation = slack.agent.store.get_conversation(reply.conversation_id)
    assert conversation is not None and conversation.channel == "slack"


def test_a_reply_in_the_thread_continues_the_same_conversation(slack):
    slack.deliver(recorded("slack_message.json"))
    slack.deliver(recorded("slack_thread_reply.json"))
    first, second = slack.poster.posted
    assert second.thread_ts == first.thread_ts == "1355517523.000005"
    assert second.conversation_id == first.conversation_id
    customer_turns = [t for t in slack.agent.store.turns(first.conversation_id) if t.role == "customer"]
    assert [t.text for t in customer_turns] == ["How much is delivery?", "and is it free on big orders?"]


def test_different_threads_and_channels_are_different_conversations(slack):
    message = customer_message(json.loads(recorded("slack_message.json")))
    in_thread = customer_message(json.loads(recorded("slack_thread_reply.json")))
    mention = customer_message(json.loads(recorded("slack_app_mention.json")))
    assert message.conversation_id == in_thread.conversation_id
    assert mention.conversation_id != message.conversation_id
    assert message.conversation_id == customer_message(json.loads(recorded("slack_message.json"))).conversation_id
    assert "C024BE91L" not in message.conversation_id and len(message.conversation_id) <= 64


def test_an_app_mention_is_read_without_the_bots_own_mention_and_with_slack_entities_decoded(slack):
    slack.deliver(recorded("slack_app_mention.json"))
    [reply] = slack.poster.posted
    assert reply.channel == "C0LAN2Q65" and reply.thread_ts == "1515449522.000016"
    [question] = [t for t in slack.agent.store.turns(reply.conversation_id) if t.role == "customer"]
    assert question.text == "do you deliver on Sundays? & what does it cost?"


def test_a_direct_message_keeps_one_conversation_and_is_answered_at_top_level(slack):
    slack.deliver(recorded("slack_message_im.json"))
    [reply] = slack.poster.posted
    assert reply.channel == "D024BE91L" and reply.thread_ts is None
    later = json.loads(recorded("slack_message_im.json"))
    later["event_id"], later["event"]["ts"], later["event"]["text"] = "Ev0PV5IM02", "1355517800.000300", "thanks"
    slack.deliver(json.dumps(later).encode())
    assert slack.poster.posted[1].conversation_id == reply.conversation_id


@pytest.mark.parametrize("name", ["slack_bot_message.json", "slack_own_bot_reply.json", "slack_message_changed.json"])
def test_bots_the_assistants_own_replies_and_edits_are_acknowledged_but_not_answered(slack, name):
    response = slack.deliver(recorded(name))
    assert response.status == 200 and slack.poster.posted == []
    assert slack.agent.store.tickets() == []


def test_the_configured_bot_user_is_never_answered_even_without_authorizations(slack):
    event = json.loads(recorded("slack_app_mention.json"))
    event["event"]["user"] = "UTACTFUL1"
    slack.deliver(json.dumps(event).encode(), bot_user_id="UTACTFUL1")
    assert slack.poster.posted == []


# -- replays --------------------------------------------------------------------------------------------------------
def test_slack_retries_and_repeated_event_ids_get_200_and_no_second_answer(slack):
    body = recorded("slack_message.json")
    assert slack.deliver(body).status == 200
    assert slack.deliver(body).status == 200  # the same event_id again
    retry = slack.deliver(body, signed(body, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}))
    assert retry.status == 200
    assert len(slack.poster.posted) == 1


def test_a_mention_that_also_arrives_as_a_channel_message_is_answered_once(slack):
    mention = json.loads(recorded("slack_app_mention.json"))
    as_message = json.loads(recorded("slack_app_mention.json"))
    as_message["event_id"] = "Ev0LAN670S"
    as_message["event"]["type"], as_message["event"]["channel_type"] = "message", "channel"
    slack.deliver(json.dumps(mention).encode())
    slack.deliver(json.dumps(as_message).encode())
    assert len(slack.poster.posted) == 1


def test_two_workers_sharing_one_guard_answer_an_event_once(shop_agent):
    body = recorded("slack_message.json")
    first, second = Slack(shop_agent), Slack(shop_agent)
    first.deliver(body)
    second.guard = first.guard
    second.deliver(body)
    assert len(first.poster.posted) == 1 and second.poster.posted == []


# -- hand-offs and deferral -------------------------------------------------------------------------------------------
def test_the_assistant_stays_silent_in_slack_while_a_person_has_the_conversation(slack):
    slack.deliver(recorded("slack_message.json"))
    ask = json.loads(recorded("slack_thread_reply.json"))
    ask["event"]["text"] = "I want to talk to a human please"
    slack.deliver(json.dumps(ask).encode())
    handoff = slack.poster.posted[-1]
    [ticket] = slack.agent.store.tickets(conversation_id=handoff.conversation_id)
    slack.agent.desk.assign(ticket.id, "Sam")
    more = json.loads(recorded("slack_thread_reply.json"))
    more["event_id"], more["event"]["ts"], more["event"]["text"] = "Ev0PV5MORE", "1355517900.000400", "hello?"
    assert slack.deliver(json.dumps(more).encode()).status == 200
    assert len(slack.poster.posted) == 2  # the first answer and the hand-off notice, nothing while Sam has it
    assert slack.agent.store.turns(handoff.conversation_id)[-1].text == "hello?"  # kept for Sam


def test_deferred_work_runs_after_the_200_and_posting_failures_do_not_reach_slack(slack):
    queued = []
    response = slack.deliver(recorded("slack_message.json"), defer=queued.append)
    assert response.status == 200 and slack.poster.posted == [] and len(queued) == 1
    queued[0]()
    assert len(slack.poster.posted) == 1

    class Broken:
        def post(self, reply):
            raise SlackPostFailed("Slack refused the message: not_in_channel.")

    slack.poster = Broken()
    assert slack.deliver(recorded("slack_app_mention.json")).status == 200


def test_non_json_bodies_get_400_and_other_event_types_200(slack):
    form = b"token=abc&command=%2Fhelp"
    assert slack.deliver(form).status == 400
    rate_limited = json.dumps({"token": "x", "type": "app_rate_limited", "team_id": "T061EG9R6",
                               "minute_rate_limited": 1518467820, "api_app_id": "A0PNCHHK2"}).encode()
    assert slack.deliver(rate_limited).status == 200 and slack.poster.posted == []


# -- text in and out -------------------------------------------------------------------------------------------------
def test_slack_markup_is_read_as_the_customer_meant_it_and_answers_cannot_ping_or_forge_links():
    assert plain_text("<@U0LAN0Z89> see <https://shop.example/o/1|my order> &lt;3 <@U123|jo> <#C1|general>",
                      {"U0LAN0Z89"}) == "see my order <3 @jo @general"
    assert plain_text("mail <mailto:jo@example.com|jo@example.com>") == "mail jo@example.com"
    assert slack_escape("<!channel> a & b > c") == "&lt;!channel&gt; a &amp; b &gt; c"


# -- the real poster, against a local stand-in for slack.com ----------------------------------------------------------
class _FakeSlackApi(BaseHTTPRequestHandler):
    answer = {"ok": True}
    received: list = []

    def do_POST(self):  # noqa: N802
        length = int(self.headers["Content-Length"])
        type(self).received.append((dict(self.headers), json.loads(self.rfile.read(length))))
        data = json.dumps(type(self).answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        """Quiet: the test output stays readable."""


@pytest.fixture
def slack_api():
    _FakeSlackApi.received, _FakeSlackApi.answer = [], {"ok": True}
    server = HTTPServer(("127.0.0.1", 0), _FakeSlackApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api/chat.postMessage", _FakeSlackApi
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_web_api_poster_sends_the_bot_token_the_thread_and_escaped_text(slack_api):
    url, api = slack_api
    WebApiSlackPoster("xoxb-test-token", api_url=url).post(SlackReply("C024BE91L", "1355517523.000005",
                                                                      "Costs <£4.50> & up", "slack-x"))
    [(headers, body)] = api.received
    assert headers["Authorization"] == "Bearer xoxb-test-token"
    assert body == {"channel": "C024BE91L", "thread_ts": "1355517523.000005", "text": "Costs &lt;£4.50&gt; &amp; up"}


def test_the_web_api_poster_turns_slacks_ok_false_into_a_clear_error(slack_api):
    url, api = slack_api
    api.answer = {"ok": False, "error": "not_in_channel"}
    with pytest.raises(SlackPostFailed, match="not_in_channel"):
        WebApiSlackPoster("xoxb-test-token", api_url=url).post(SlackReply("C1", None, "hi", "slack-x"))
