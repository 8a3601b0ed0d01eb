"""``tactful tickets ...``: the hand-off queue on the command line (the web console uses the same HandoffDesk)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from agent.cli import ConfigOption, _config, _run, out
from agent.handoff import HandoffDesk, waiting_minutes

tickets_app = typer.Typer(help="The hand-off queue: list, show, assign, reply, hand back, resolve.",
                          no_args_is_help=True)
AsOption = typer.Option(..., "--as", help="Your name, as the customer will see it (you are a person).")


def _desk(config: Optional[Path]) -> HandoffDesk:
    from agent.assembly import open_store

    cfg = _config(config)
    return HandoffDesk(open_store(cfg), cfg.collection_name)


def _mood(ticket) -> str:
    mood = ticket.mood or {}
    return f"{mood.get('mood', '?')} ({mood.get('trend', '?')})" if mood else "?"


@tickets_app.command("list")
def list_tickets(status: str = typer.Option("waiting", help="open, assigned, resolved, waiting (open+assigned) or all."),
                 as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
                 config: Optional[Path] = ConfigOption) -> None:
    """The queue, most urgent first, then the longest waiting."""

    def body() -> None:
        desk = _desk(config)
        if status in ("waiting", "all"):
            tickets = [t for t in desk.list() if status == "all" or t.status != "resolved"]
        else:
            tickets = desk.list(status)
        now = datetime.now(timezone.utc)
        if as_json:
            out.print_json(json.dumps([{
                "id": t.id, "conversation_id": t.conversation_id, "status": t.status, "priority": t.priority,
                "reason": t.reason, "mood": t.mood.get("mood"), "assignee": t.assignee,
                "waiting_minutes": waiting_minutes(t, now), "created_at": t.created_at.isoformat()}
                for t in tickets]))
            return
        if not tickets:
            out.print("No tickets waiting." if status == "waiting" else f"No {status} tickets.")
            return
        table = Table("id", "priority", "status", "reason", "mood", "waiting", "assignee")
        for t in tickets:
            table.add_row(str(t.id), t.priority, t.status, t.reason, _mood(t), f"{waiting_minutes(t, now)} min",
                          t.assignee or "-")
        out.print(table)

    _run(body)


@tickets_app.command()
def show(ticket_id: int = typer.Argument(..., help="The ticket number from `tactful tickets list`."),
         viewer: Optional[str] = typer.Option(None, "--as", help="Who you are, for the audit trail "
                                              "(default: your login name)."),
         config: Optional[Path] = ConfigOption) -> None:
    """The summary and the whole (redacted) transcript, so the customer never repeats themselves."""

    def body() -> None:
        import getpass

        view = _desk(config).show(ticket_id, viewer=f"cli:{viewer or getpass.getuser()}")
        t = view.ticket
        out.print(f"[bold]Ticket {t.id}[/] · {t.status} · {t.priority} priority · reason [cyan]{t.reason}[/] · "
                  f"channel {view.channel} · customer {view.customer_name or 'unknown'}", highlight=False)
        out.print(t.summary, highlight=False, markup=False)
        out.print()
        for turn in view.transcript:
            who = {"customer": "customer", "assistant": "assistant (bot)"}.get(
                turn.role, f"{turn.meta.get('agent_name', 'agent')} (person)")
            out.print(f"[dim]{turn.created_at:%Y-%m-%d %H:%M}[/] [bold]{who}:[/] ", end="", highlight=False)
            out.print(turn.text, highlight=False, markup=False)

    _run(body)


@tickets_app.command()
def assign(ticket_id: int = typer.Argument(...), name: str = AsOption, config: Optional[Path] = ConfigOption) -> None:
    """Take the conversation over: from now on the assistant stays silent in it."""
    _run(lambda: out.print(f"Ticket {_desk(config).assign(ticket_id, name).id} is yours, {name}. "
                           "The assistant is silent in this conversation until you hand it back or resolve it.",
                           highlight=False))


@tickets_app.command()
def reply(ticket_id: int = typer.Argument(...), text: str = typer.Argument(..., help="Your message to the customer."),
          name: str = AsOption, config: Optional[Path] = ConfigOption) -> None:
    """Write to the customer as yourself (takes the ticket if nobody has it)."""
    _run(lambda: out.print(f"Sent as {_desk(config).reply(ticket_id, name, text).meta['agent_name']} (a person).",
                           highlight=False))


@tickets_app.command("handback")
def hand_back(ticket_id: int = typer.Argument(...), name: str = AsOption,
              config: Optional[Path] = ConfigOption) -> None:
    """Give the conversation back to the assistant."""
    _run(lambda: out.print(f"Ticket {_desk(config).hand_back(ticket_id, name).id} handed back to the assistant.",
                           highlight=False))


@tickets_app.command()
def resolve(ticket_id: int = typer.Argument(...), name: str = AsOption, config: Optional[Path] = ConfigOption) -> None:
    """Close the ticket: the customer's issue is sorted."""
    _run(lambda: out.print(f"Ticket {_desk(config).resolve(ticket_id, name).id} resolved.", highlight=False))
