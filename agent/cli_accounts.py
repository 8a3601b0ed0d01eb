"""``tactful customers ...``: import the business's customers, orders and bookings, look one customer up, and
record a customer's opt-out from proactive messages. Works on Tactful's own store (accounts.source: store)."""

from __future__ import annotations

import getpass
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Optional
from zoneinfo import ZoneInfo

import typer

from agent.cli import ConfigOption, _config, _run, err, out
from agent.errors import BadInput, NotFound

if TYPE_CHECKING:
    from agent.accounts.records import CustomerProfile, Order
    from agent.config import TactfulConfig
    from agent.store import ConversationStore

customers_app = typer.Typer(help="Customer profiles, orders and bookings: import, show, opt-out.",
                            no_args_is_help=True)
ActorOption = typer.Option(None, "--as", help="Who you are, for the audit trail (default: your login name).")
_SHOWN_ORDERS = 10


def _open(config: Optional[Path]) -> tuple["TactfulConfig", "ConversationStore"]:
    from agent.assembly import open_store

    cfg = _config(config)
    if cfg.accounts.source == "rest":
        err.print("note: accounts.source is rest, so the assistant reads the business's API, not these records.",
                  highlight=False, markup=False)
    return cfg, open_store(cfg)


def _actor(actor: Optional[str]) -> str:
    name = " ".join((actor or "").split())
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):  # no login name (some containers)
            raise BadInput("say who you are (--as NAME): looking at a customer is recorded in the audit trail.") \
                from None
    return name[:120]


def _customer(store: "ConversationStore", business: str, external_id: str) -> "CustomerProfile":
    profile = store.customer_by_external_id(business, external_id.strip())
    if profile is None:
        raise NotFound(f"there is no customer {external_id!r} in {business}; the id is the business's own customer "
                       "id, as in the imported file (`tactful customers import FILE`)")
    return profile


@customers_app.command("import")
def import_files(files: list[Path] = typer.Argument(..., help="JSON or CSV files (customers, orders, appointments)."),
                 config: Optional[Path] = ConfigOption) -> None:
    """Add or update customers, orders and appointments; a file with any bad row is not imported at all."""
    from agent.accounts.importer import import_accounts

    def body() -> None:
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            raise BadInput(f"{', '.join(missing)}: no such file. Check the path and try again; nothing was imported.")
        cfg, store = _open(config)
        try:
            report = import_accounts(store, cfg.collection_name, files, tz=cfg.business.timezone)
        finally:
            store.close()
        if report.files_imported:
            out.print(f"Imported {', '.join(report.files_imported)}: {report.summary()}.", highlight=False,
                      markup=False, soft_wrap=True)
        if report.errors:
            err.print(f"Not imported (nothing of these files was stored): {', '.join(report.files_rejected)}. "
                      "Fix these rows and run the import again:", highlight=False, markup=False, soft_wrap=True)
            for problem in report.errors:
                err.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)
            raise typer.Exit(2)

    _run(body)


@customers_app.command("show")
def show(external_id: str = typer.Argument(..., help="The business's own customer id (e.g. C1001)."),
         actor: Optional[str] = ActorOption, config: Optional[Path] = ConfigOption) -> None:
    """A customer's profile, latest orders and upcoming appointments (recorded in the audit trail)."""

    def body() -> None:
        cfg, store = _open(config)
        try:
            business, zone = cfg.collection_name, ZoneInfo(cfg.business.timezone)
            profile = _customer(store, business, external_id)
            store.audit(business, _actor(actor), "viewed", detail=f"customer profile {profile.external_id}")
            orders = store.orders_of(business, profile.id, limit=_SHOWN_ORDERS)
            upcoming = store.appointments_of(business, profile.id, after=datetime.now(timezone.utc))
        finally:
            store.close()
        for line in _profile_lines(profile) + _order_lines(orders, zone) + ["Upcoming appointments:"] + [
                f"  {a.reference}  {a.service}  {_local(a.starts_at, zone)} ({a.minutes} min)" for a in upcoming
        ] + (["  none"] if not upcoming else []):
            out.print(line, highlight=False, markup=False, soft_wrap=True)

    _run(body)


@customers_app.command("opt-out")
def opt_out(external_id: str = typer.Argument(..., help="The business's own customer id (e.g. C1001)."),
            undo: bool = typer.Option(False, "--undo", help="The customer wants proactive messages again."),
            actor: Optional[str] = ActorOption, config: Optional[Path] = ConfigOption) -> None:
    """Stop proactive messages (order updates, reminders) to a customer on every channel; --undo resumes them."""

    def body() -> None:
        cfg, store = _open(config)
        try:
            profile = _customer(store, cfg.collection_name, external_id)
            store.set_opt_out(cfg.collection_name, profile.id, not undo)
            store.audit(cfg.collection_name, _actor(actor), "opted in" if undo else "opted out",
                        detail=f"customer profile {profile.external_id}")
        finally:
            store.close()
        out.print(f"{profile.external_id} will get proactive messages again." if undo else
                  f"{profile.external_id} will get no proactive messages. Their replies are still answered.",
                  highlight=False, markup=False)

    _run(body)


def _profile_lines(p: "CustomerProfile") -> list[str]:
    messages = "off (opted out)" if p.opted_out else f"on, by {p.preferred_channel or 'the channel they used'}"
    rows = [("email", p.email), ("phone", p.phone), ("postcode", p.postcode), ("language", p.language),
            ("proactive", messages),
            ("preferences", json.dumps(p.preferences, ensure_ascii=False) if p.preferences else None)]
    return [f"Customer {p.external_id}: {p.name or '(no name)'}{'  [VIP]' if p.vip else ''}"] + [
        f"  {label:<12}{value}" for label, value in rows if value]


def _order_lines(orders: list["Order"], zone: ZoneInfo) -> list[str]:
    lines = [f"Orders (latest {_SHOWN_ORDERS}):" if len(orders) == _SHOWN_ORDERS else "Orders:"]
    for o in orders:
        items = ", ".join(f"{i.quantity} x {i.name}" for i in o.items) or "no items listed"
        total = f"  {o.total:.2f} {o.currency}" if o.total is not None else ""
        due = f"  expected {_local(o.expected_at, zone)}" if o.expected_at else ""
        lines.append(f"  {o.number}  {o.status}  {o.fulfilment}  {items}{total}{due}")
        if o.note:
            lines.append(f"      note: {o.note}")
    return lines + (["  none"] if not orders else [])


def _local(when: datetime, zone: ZoneInfo) -> str:
    return f"{when.astimezone(zone):%a %d %b %Y %H:%M}"
