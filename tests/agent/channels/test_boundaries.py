"""What the channel adapters promise beyond their answers: no web framework, and no message text or phone
numbers in the logs."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl

from agent.channels import RecordingSlackPoster, ReplayGuard, handle_slack_event, handle_twilio_message
from agent.channels.slack import slack_signature
from agent.channels.twilio import twilio_signature

PAYLOADS = Path(__file__).parent / "payloads"


def test_the_channels_package_imports_no_web_framework():
    code = ("import sys, agent.channels; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in {'fastapi', 'starlette', 'flask', 'gradio'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[3])
    assert out.stdout.strip() == "[]"


def test_no_message_text_or_phone_number_reaches_the_logs(shop_agent, caplog):
    caplog.set_level(logging.DEBUG)
    sms = (PAYLOADS / "twilio_sms.form").read_bytes()
    whatsapp = (PAYLOADS / "twilio_whatsapp.form").read_bytes()
    guard = ReplayGuard()
    for body in (sms, sms, whatsapp, sms.replace(b"How", b"Who")):  # answered, replayed, answered, refused
        signature = twilio_signature("https://shop.example/t", parse_qsl(body.decode()), "tok")
        handle_twilio_message({"X-Twilio-Signature": signature}, body, shop_agent, auth_token="tok",
                              url="https://shop.example/t", replay_guard=guard)
    slack = (PAYLOADS / "slack_message.json").read_bytes()
    headers = {"X-Slack-Request-Timestamp": "1700000000", "X-Slack-Signature": slack_signature("s", "1700000000", slack)}
    handle_slack_event(headers, slack, shop_agent, signing_secret="s", poster=RecordingSlackPoster(),
                       replay_guard=ReplayGuard(), now=1_700_000_000)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "tactful.channels" in {r.name.rsplit(".", 1)[0] for r in caplog.records}  # the adapters did log
    for private in ("5550009", "5550006", "How much is delivery", "Saturdays", "Ebony",
                    json.loads(slack)["event"]["user"]):
        assert private not in logged, private
