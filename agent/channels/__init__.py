"""Messaging channels: thin, framework-free translators between a platform's webhooks and ``Agent.respond``.

Each inbound adapter takes the raw request (headers, body bytes), checks the platform's signature,
drops replays, asks the agent and returns a ``ChannelResponse`` the HTTP route copies out as it is:

    handle_slack_event(headers, body, agent, signing_secret=..., poster=..., replay_guard=...)
    handle_twilio_message(headers, body, agent, auth_token=..., url=..., replay_guard=...)
    handle_inbound_email(headers, body, agent, signing_key=..., sender=..., replay_guard=...)

Email also comes in through ``ImapPoller`` (a mailbox read every few minutes); both paths parse the
mail into an ``InboundEmail`` and call ``answer_email``, which replies in thread through an
``EmailSender`` (``SmtpEmailSender``, or ``RecordingEmailSender`` in tests).

The outbound hand-off webhook (``WebhookSender``, ``handoff_payload``, ``sign``/``verify``) tells a
business's own system when a conversation is handed to a person. Nothing here imports a web framework.
"""

from agent.channels.email_inbound import EmailAnswer, answer_email, handle_inbound_email
from agent.channels.email_message import (InboundEmail, email_conversation_id, parse_rfc822, parse_webhook_fields,
                                          reply_subject)
from agent.channels.email_poller import ImapPoller, MailboxRefused, MailboxUnavailable, PollResult
from agent.channels.email_sender import (EmailSender, EmailSendFailed, RecordingEmailSender, SentEmail,
                                         SmtpEmailSender)
from agent.channels.outbound_webhook import (RecordingWebhookSender, WebhookDelivery, WebhookFailed, WebhookSender,
                                             handoff_payload, handoff_payload_for, sign, verify)
from agent.channels.replay_guard import DeliveryGuard, ReplayGuard, StoreReplayGuard
from agent.channels.response import ChannelResponse, channel_conversation_id
from agent.channels.slack import (RecordingSlackPoster, SlackPostFailed, SlackPoster, SlackReply, WebApiSlackPoster,
                                  handle_slack_event)
from agent.channels.twilio import handle_twilio_message
from agent.channels.twilio_sender import RecordingSmsSender, SmsSendFailed, SmsSender, TwilioSender, e164

__all__ = [
    "RecordingSmsSender", "SmsSendFailed", "SmsSender", "TwilioSender", "e164",
    "ChannelResponse", "DeliveryGuard", "EmailAnswer", "EmailSendFailed", "EmailSender", "ImapPoller",
    "InboundEmail", "MailboxRefused", "MailboxUnavailable", "PollResult", "RecordingEmailSender",
    "RecordingSlackPoster", "RecordingWebhookSender", "ReplayGuard", "SentEmail", "SlackPostFailed",
    "SmtpEmailSender", "StoreReplayGuard",
    "SlackPoster", "SlackReply", "WebApiSlackPoster", "WebhookDelivery", "WebhookFailed", "WebhookSender",
    "answer_email", "channel_conversation_id", "email_conversation_id", "handle_inbound_email",
    "handle_slack_event", "handle_twilio_message", "handoff_payload", "handoff_payload_for", "parse_rfc822",
    "parse_webhook_fields", "reply_subject", "sign", "verify",
]
