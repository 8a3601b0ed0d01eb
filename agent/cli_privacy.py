"""``tactful privacy ...``: a customer's right of access and erasure, the retention policy, the audit trail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from agent.cli import ConfigOption, _config, _run, out
from agent.privacy import CustomerRef, PrivacyDesk

privacy_app = typer.Typer(help="Customers' data: export, erase, retention, audit trail.", no_args_is_help=True)
AsOption = typer.Option(..., "--as", help="Who you are: recorded in the audit trail.")
ConversationOption = typer.Option(None, "--conversation", help="A conversation id (repeat for several).")
NameOption = typer.Option(None, "--name", help="The name the customer gave.")
PhoneOption = typer.Option(None, "--phone", help="The phone number they wrote from (SMS, WhatsApp).")
CustomerOption = typer.Option(None, "--customer", help="Your own customer id (accounts): their profile, orders "
                              "and bookings, and the conversations they were verified in.")


def _desk(config: Optional[Path]) -> PrivacyDesk:
    from agent.assembly import open_store

    cfg = _config(config)
    return PrivacyDesk(open_store(cfg), cfg.collection_name, log_file=cfg.logging.file)


@privacy_app.command("export")
def export(actor: str = AsOption, conversation: Optional[list[str]] = ConversationOption,
           name: Optional[str] = NameOption, phone: Optional[str] = PhoneOption,
           customer: Optional[str] = CustomerOption,
           output: Optional[Path] = typer.Option(None, "--out", help="Write the JSON here (default: print it)."),
           config: Optional[Path] = ConfigOption) -> None:
    """Everything stored about a customer, as JSON (right of access)."""

    def body() -> None:
        data = _desk(config).export(CustomerRef(tuple(conversation or ()), name, phone, customer), actor)
        text = json.dumps(data, indent=2, ensure_ascii=False)
        if output is None:
            print(text)
        else:
            output.write_text(text + "\n", encoding="utf-8")
            out.print(f"{len(data['conversations'])} conversation(s) written to {output}")

    _run(body)


@privacy_app.command("erase")
def erase(actor: str = AsOption, conversation: Optional[list[str]] = ConversationOption,
          name: Optional[str] = NameOption, phone: Optional[str] = PhoneOption,
          customer_id: Optional[str] = CustomerOption,
          yes: bool = typer.Option(False, "--yes", help="Do it; without this, only say what would go."),
          config: Optional[Path] = ConfigOption) -> None:
    """Remove every trace of a customer: conversations, tickets, ratings, audit events, log lines (right of erasure)."""

    def body() -> None:
        desk = _desk(config)
        customer = CustomerRef(tuple(conversation or ()), name, phone, customer_id)
        found = desk.find(customer)
        if not yes:
            profile = " and their customer profile" if customer_id else ""
            out.print(f"{len(found)} conversation(s){profile} would be erased. Run again with --yes to erase them.")
            return
        report = desk.erase(customer, actor)
        out.print(f"Erased {report.conversations} conversation(s), {report.accounts} customer profile(s) with their "
                  f"orders and bookings, and {report.log_lines} log line(s). "
                  "A running server forgets the customer's in-memory values when it restarts.")

    _run(body)


@privacy_app.command("retention")
def retention(days: Optional[int] = typer.Option(None, min=1, help="Default: privacy.retention_days."),
              action: Optional[str] = typer.Option(None, help="delete or anonymise (default: privacy.retention_action)."),
              config: Optional[Path] = ConfigOption) -> None:
    """Apply the retention policy now (for cron; `tactful serve` also runs it every privacy.retention_check_hours)."""

    def body() -> None:
        cfg = _config(config)
        chosen = days or cfg.privacy.retention_days
        if chosen is None:
            out.print("No retention policy: set privacy.retention_days or pass --days.")
            return
        report = _desk(config).apply_retention(chosen, action or cfg.privacy.retention_action,
                                               actor="tactful privacy retention")
        out.print(f"{report.conversations} conversation(s) untouched since {report.cutoff:%Y-%m-%d %H:%M} UTC "
                  f"{report.action}d.")

    _run(body)


@privacy_app.command("audit")
def audit(conversation: Optional[str] = typer.Option(None, "--conversation", help="Only this conversation."),
          config: Optional[Path] = ConfigOption) -> None:
    """Who viewed, exported, erased or expired conversations, and when."""

    def body() -> None:
        desk = _desk(config)
        table = Table(title="audit trail")
        for column in ("when (UTC)", "who", "what", "conversation", "detail"):
            table.add_column(column)
        for event in desk.store.audit_events(desk.business, conversation_id=conversation):
            table.add_row(f"{event.at:%Y-%m-%d %H:%M:%S}", event.actor, event.action, event.conversation_id or "",
                          event.detail)
        out.print(table)

    _run(body)
