"""Messaging channels: thin, framework-free translators between a platform's webhooks and ``Agent.respond``.

Each inbound adapter takes the raw request (headers, body bytes), checks the platform's signature,
drops replays, asks the agent and returns a ``ChannelResponse`` the HTTP route copies out as it is:

    handle_slack_event(headers, body, agent, signing_secret=..., poster=..., replay_guard=...)
    handle_twilio_message(headers, body, agent, auth_token=..., url=..., replay_guard=...)

The outbound hand-off webhook (``WebhookSender``, ``handoff_payload``, ``sign``/``verify``) tells a
business's own system when a conversation is handed to a person. Nothing here imports a web framework.
"""

from agent.channels.outbound_webhook import (RecordingWebhookSender, WebhookDelivery, WebhookFailed, WebhookSender,
                                             handoff_payload, handoff_payload_for, sign, verify)
from agent.channels.replay_guard import DeliveryGuard, ReplayGuard, StoreReplayGuard
from agent.channels.response import ChannelResponse, channel_conversation_id
from agent.channels.slack import (RecordingSlackPoster, SlackPostFailed, SlackPoster, SlackReply, WebApiSlackPoster,
                                  handle_slack_event)
from agent.channels.twilio import handle_twilio_message

__all__ = [
    "ChannelResponse", "DeliveryGuard", "RecordingSlackPoster", "RecordingWebhookSender", "ReplayGuard",
    "SlackPostFailed", "StoreReplayGuard",
    "SlackPoster", "SlackReply", "WebApiSlackPoster", "WebhookDelivery", "WebhookFailed", "WebhookSender",
    "channel_conversation_id", "handle_slack_event", "handle_twilio_message", "handoff_payload",
    "handoff_payload_for", "sign", "verify",
]
