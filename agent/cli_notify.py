"""``tactful notify EVENT``: message a customer about an event (order delayed, appointment reminder, back in
stock) on the channel they use, in the business's voice; never a customer who opted out."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from agent.cli import ConfigOption, _config, _run, out


def notify(event: str = typer.Argument(..., help="order_delayed, order_ready, appointment_reminder or back_in_stock."),
           order: Optional[str] = typer.Option(None, "--order", help="The order number it is about."),
           appointment: Optional[str] = typer.Option(None, "--appointment", help="The appointment reference."),
           customer: Optional[str] = typer.Option(None, "--customer", help="Your customer id (back_in_stock)."),
           item: Optional[str] = typer.Option(None, "--item", help="The item back in stock."),
           detail: str = typer.Option("", "--detail", help="A sentence to add, e.g. why it is late."),
           channel: Optional[str] = typer.Option(None, "--channel", help="web, email, sms or whatsapp (default: theirs)."),
           config: Optional[Path] = ConfigOption) -> None:
    """Send one proactive message and say where it went (or why it did not)."""

    def body() -> None:
        from agent.assembly import build_agent
        from agent.errors import ConfigError
        from agent.proactive import ProactiveDesk, ProactiveEvent

        cfg = _config(config)
        if not cfg.accounts.enabled:
            raise ConfigError("accounts are off: set accounts.enabled: true and import customers with "
                              "`tactful customers import FILE`.")
        agent = build_agent(config=cfg, ingest_if_empty=False)
        try:
            result = ProactiveDesk(agent).send(ProactiveEvent(event, customer_id=customer, order_number=order,
                                                              appointment_reference=appointment, item=item,
                                                              detail=detail, channel=channel))
        finally:
            agent.close()
        if result.status == "sent":
            out.print(f"sent by {result.channel} (conversation {result.conversation_id})")
        else:
            out.print(f"not sent: {result.reason}")
            raise typer.Exit(2 if result.status == "no_channel" else 0)

    _run(body)
