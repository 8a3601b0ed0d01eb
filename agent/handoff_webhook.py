"""Telling the business's own system about a hand-off: a signed webhook, sent in the background.

The turn must not wait on someone else's server, nor fail because it is down: the event goes out on a
thread with the sender's bounded retries, and a failure is logged (by kind, never with the transcript).
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from agent.config import TactfulConfig
from agent.store import ConversationStore, Ticket

log = logging.getLogger("tactful.handoff")


def handoff_notifier(config: TactfulConfig, store: ConversationStore) -> Callable[[Ticket], None] | None:
    """A callback for new tickets when ``channels.handoff_webhook_url`` is set; None otherwise."""
    channels = config.channels
    if not channels.handoff_webhook_url:
        return None
    from agent.channels import WebhookSender, handoff_payload_for

    secret = channels.handoff_webhook_secret.get_secret_value() if channels.handoff_webhook_secret else ""
    sender = WebhookSender(channels.handoff_webhook_url, secret)

    def deliver(ticket_id: int) -> None:
        try:
            sender.send(handoff_payload_for(store, ticket_id))
        except Exception as exc:  # noqa: BLE001 - a background delivery must log, not crash the worker
            log.error("hand-off webhook for ticket %s failed: %s", ticket_id, type(exc).__name__)

    def notify(ticket: Ticket) -> None:
        threading.Thread(target=deliver, args=(ticket.id,), name=f"handoff-webhook-{ticket.id}", daemon=True).start()

    return notify
