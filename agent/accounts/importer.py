"""Customers, orders and appointments from a business's own export (JSON or CSV) into Tactful's store.

JSON  ``{"timezone": "Europe/London", "customers": [{"id": "C1001", "name": ..., "orders": [...],
      "appointments": [...]}]}`` (``timezone`` optional; a bare list of customers works too). Orders and
      appointments nest under their customer and take the CSV columns below, less ``customer_id``.
CSV   one kind per file, told by its header row:
        customers     id,name,email,phone,postcode,language,vip,preferred_channel[,preferences (a JSON object)]
        orders        number,customer_id,status,items,total,currency,fulfilment,placed_at,expected_at,
                      tracking_url,note   (items: "2 x Sourdough loaf @ 4.50; 1 x Croissant" or a JSON list)
        appointments  reference,customer_id,service,starts_at,minutes,status
      ``customer_id`` is the business's own customer id (the JSON ``id``). A column (or JSON key) left out keeps
      what is stored; an empty cell clears it or sets its default (currency GBP, fulfilment delivery, 30 minutes,
      booked); an order needs a status; an empty placed_at keeps the stored time (a new order: the import's);
      an appointment is always written whole.

Times: ISO 8601 ("2025-03-14T10:30:00Z", "2025-03-14 10:30", "2025-03-14"). One without an offset is wall-clock
time in the business's time zone (``tz``, or the JSON file's ``timezone``), since that is what a shop's till or
spreadsheet writes. Demo and test data may use times relative to the import: "now", "today 15:00",
"tomorrow 09:30", "+2d", "-1d", "+2d 10:00", "+3h", "-30m".

Rules: every file is read and checked in full first; a file with any bad row stores nothing, and every bad row
is reported with its file, line, field and what to do. Files are applied customers first, so an orders CSV may
name customers from a customers CSV of the same import. Re-importing updates (keys: customer id, order number,
appointment reference); a customer's own opt-out is never overwritten. Order numbers and references are kept
upper case, "CR10234" as "CR-10234", the way a customer's message is read (agent.accounts.intents).
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from json.scanner import py_make_scanner  # type: ignore[attr-defined]
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agent.accounts.import_fields import CURRENCY, PHONE, URL, Row
from agent.accounts.records import CHANNELS, ORDER_STATUSES
from agent.errors import BadInput

if TYPE_CHECKING:
    from agent.store import ConversationStore

CSV_COLUMNS = {
    "customers": ("id", "name", "email", "phone", "postcode", "language", "vip", "preferred_channel", "preferences"),
    "orders": ("number", "customer_id", "status", "items", "total", "currency", "fulfilment", "placed_at",
               "expected_at", "tracking_url", "note"),
    "appointments": ("reference", "customer_id", "service", "starts_at", "minutes", "status"),
}
REQUIRED_COLUMNS = {"customers": ("id",), "orders": ("number", "customer_id", "status"),
                    "appointments": ("reference", "customer_id", "service", "starts_at")}
FULFILMENTS = ("delivery", "collection")
APPOINTMENT_STATUSES = ("booked", "cancelled")
_NESTED = {kind: tuple(c for c in CSV_COLUMNS[kind] if c != "customer_id") for kind in ("orders", "appointments")}
_JSON_CUSTOMER_KEYS = CSV_COLUMNS["customers"] + ("orders", "appointments")



@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with one file or row, worded for the person who will fix the file."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line else "")
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass
class ImportReport:
    """What an import did: records created and updated, files stored and refused, and every problem found."""

    customers_created: int = 0
    customers_updated: int = 0
    orders_created: int = 0
    orders_updated: int = 0
    appointments_created: int = 0
    appointments_updated: int = 0
    files_imported: list[str] = field(default_factory=list)
    files_rejected: list[str] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return "; ".join(f"{kind}: {getattr(self, kind + '_created')} new, {getattr(self, kind + '_updated')} updated"
                         for kind in ("customers", "orders", "appointments"))

    def _count(self, kind: str, existed: bool) -> None:
        name = f"{kind}_{'updated' if existed else 'created'}"
        setattr(self, name, getattr(self, name) + 1)


def import_accounts(store: "ConversationStore", business: str, paths: Iterable[str | Path], *,
                    now: datetime | None = None, tz: str = "UTC") -> ImportReport:
    """Read, check and store ``paths``; only files without a single bad row are stored. ``tz`` is the business's
    time zone (``business.timezone``), for times written without an offset; ``now`` anchors relative times."""
    now = now or datetime.now(timezone.utc)
    now = (now if now.tzinfo else now.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(f"{tz!r} is not an IANA time zone such as Europe/London") from None
    files = [_read(Path(p), now, zone) for p in paths]
    applying = sorted(files, key=lambda f: f.kind in ("orders", "appointments"))  # files with customers first
    ids: dict[str, int | None] = {}  # the business's customer id -> the store's, None when not stored
    known: set[str] = set()  # customers of the files that will be stored (customers go in first)
    refused: dict[str, str] = {}  # customer id -> the refused file it is in
    for f in applying:
        mine = {r.key for r in f.records["customers"]}
        for r in f.records["orders"] + f.records["appointments"]:
            if r.customer in mine or r.customer in known or _stored_id(store, business, r.customer, ids):
                continue
            f.problem(r.line, r.where + "customer_id", (
                f"customer {r.customer} is in {refused[r.customer]}, which was not imported because of its errors; "
                "fix that file and import both again") if r.customer in refused else (
                f"there is no customer {r.customer} in this import or in the store; add them to the customers "
                "file, or import that file in the same command"))
        if f.problems:
            refused.update((key, f.name) for key in mine)
        else:
            known |= mine
    report = ImportReport()
    for f in applying:
        if not f.problems:
            _apply(store, business, f, report, ids, now)
    for f in files:
        (report.files_rejected if f.problems else report.files_imported).append(f.name)
        report.errors.extend(f.problems)
    return report


def _stored_id(store: "ConversationStore", business: str, external_id: str, ids: dict[str, int | None]) -> int | None:
    if ids.get(external_id) is None:
        profile = store.customer_by_external_id(business, external_id)
        ids[external_id] = profile.id if profile else None
    return ids[external_id]


def _apply(store: "ConversationStore", business: str, f: "_File", report: ImportReport,
           ids: dict[str, int | None], now: datetime) -> None:
    """Store one checked file. Each record is its own upsert, so a store outage midway leaves part of the file
    stored; importing the same file again then finishes it (upserts are keyed by the business's ids)."""
    for r in f.records["customers"]:
        existed = store.customer_by_external_id(business, r.key) is not None
        ids[r.key] = store.upsert_customer(business, r.key, **r.fields).id
        report._count("customers", existed)
    for r in f.records["orders"]:
        existed = store.order(business, r.key) is not None
        fields = r.fields if existed else {"placed_at": now, **r.fields}
        store.upsert_order(business, r.key, _stored_id(store, business, r.customer, ids) or 0, **fields)
        report._count("orders", existed)
    for r in f.records["appointments"]:
        existed = store.appointment(business, r.key) is not None
        store.upsert_appointment(business, r.key, _stored_id(store, business, r.customer, ids) or 0, **r.fields)
        report._count("appointments", existed)


# -- reading files ------------------------------------------------------------------------------------------
@dataclass
class _Record:
    key: str
    customer: str
    fields: dict[str, Any]
    line: int | None
    where: str


class _File:
    """One file's records and problems; nothing of it is stored while it has a problem."""

    def __init__(self, path: Path, now: datetime, zone: ZoneInfo) -> None:
        self.name, self.now, self.zone, self.kind = str(path), now, zone, ""
        self.records: dict[str, list[_Record]] = {"customers": [], "orders": [], "appointments": []}
        self.problems: list[ImportProblem] = []
        self._seen: dict[tuple[str, str], int | None] = {}

    def problem(self, line: int | None, name: str | None, message: str) -> None:
        self.problems.append(ImportProblem(self.name, line, name, message))

    def add(self, kind: str, record: _Record | None) -> None:
        if record is not None and (kind, record.key) in self._seen:
            self.problem(record.line, record.where + CSV_COLUMNS[kind][0], f"{record.key} is in this file twice "
                         f"(also line {self._seen[(kind, record.key)]}); keep one")
        elif record is not None:
            self._seen[(kind, record.key)] = record.line
            self.records[kind].append(record)


def _read(path: Path, now: datetime, zone: ZoneInfo) -> _File:
    f, suffix = _File(path, now, zone), path.suffix.lower()
    if suffix not in (".json", ".csv"):
        f.problem(None, None, "is neither .json nor .csv; export the customers, orders and appointments as either")
        return f
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        f.problem(None, None, "no such file; check the path and try again" if isinstance(exc, FileNotFoundError) else
                  "is not UTF-8 text; save it as UTF-8 (in a spreadsheet: 'CSV UTF-8')" if isinstance(
                      exc, UnicodeDecodeError) else f"cannot be read ({exc}); check it is a readable file")
        return f
    (_read_json if suffix == ".json" else _read_csv)(f, text)
    return f


def _read_csv(f: _File, text: str) -> None:
    reader, rows, end = csv.reader(io.StringIO(text, newline="")), [], 0
    try:
        for cells in reader:
            start, end = end + 1, reader.line_num
            if any(c.strip() for c in cells):
                rows.append((start, cells))
    except csv.Error as exc:
        return f.problem(reader.line_num, None, f"is not readable CSV ({exc}); check the quotes on this line")
    if not rows:
        return f.problem(None, None, "is empty; the first row names the columns, e.g. id,name,email")
    (header_line, header), rows = rows[0], rows[1:]
    columns = [c.strip().lower() for c in header]
    f.kind = kind = ("orders" if "number" in columns else "appointments" if "reference" in columns
                     else "customers" if "id" in columns else "")
    if not kind:
        return f.problem(header_line, None, "the first row must name the columns; a customers file has an 'id' "
                         "column, an orders file 'number' and an appointments file 'reference'")
    for column in columns:
        if column not in CSV_COLUMNS[kind] or columns.count(column) > 1:
            what = "repeated" if column in CSV_COLUMNS[kind] else f"not a column of a {kind} file"
            f.problem(header_line, column or "(blank)",
                      f"is {what}; rename or remove it (columns: {', '.join(CSV_COLUMNS[kind])})")
    missing = [c for c in REQUIRED_COLUMNS[kind] if c not in columns]
    if missing:
        f.problem(header_line, None, f"a {kind} file needs the column(s) {', '.join(missing)}")
    if f.problems:
        return
    for line, cells in rows:
        if len(cells) != len(columns):
            f.problem(line, None, f"has {len(cells)} cells but the header names {len(columns)}; a value with a comma "
                      "needs double quotes around it")
            continue
        row = Row(dict(zip(columns, cells)), f, line, "")
        f.add(kind, _READERS[kind](row, row.text("customer_id", 120, required=True) if kind != "customers" else None))


def _read_json(f: _File, text: str) -> None:
    f.kind = "json"
    try:
        doc, starts = _located_json(text)
    except json.JSONDecodeError as exc:
        return f.problem(exc.lineno, None, f"is not valid JSON at column {exc.colno}: {exc.msg}; fix it (often a "
                         "missing comma, quote or bracket) and try again")
    top = starts.get(id(doc))
    if isinstance(doc, dict):
        for key in doc.keys() - {"customers", "timezone"}:
            f.problem(top, key, "is not a known key; the file holds 'customers' and optionally 'timezone'")
        try:
            f.zone = ZoneInfo(str(doc["timezone"])) if "timezone" in doc else f.zone
        except (ZoneInfoNotFoundError, ValueError):
            f.problem(top, "timezone", f"{doc['timezone']!r} is not an IANA time zone like Europe/London")
    customers = doc.get("customers", []) if isinstance(doc, dict) else doc
    if not isinstance(customers, list):
        return f.problem(top, "customers", 'should be a list of customers: [{"id": "C1001", ...}]')
    for i, customer in enumerate(customers):
        row = _json_row(f, customer, starts.get(id(customer), top), f"customers[{i}].", _JSON_CUSTOMER_KEYS)
        record = _customer(row, None) if row else None
        f.add("customers", record)
        for kind in ("orders", "appointments") if row and record else ():
            children = customer.get(kind) or []
            if not isinstance(children, list):
                f.problem(row.line, row.where + kind, f"should be a list of {kind}")
            for j, child in enumerate(children if isinstance(children, list) else []):
                crow = _json_row(f, child, starts.get(id(child), row.line), f"{row.where}{kind}[{j}].", _NESTED[kind])
                f.add(kind, _READERS[kind](crow, record.key) if crow else None)


def _json_row(f: _File, obj: Any, line: int | None, where: str, keys: tuple[str, ...]) -> "Row | None":
    if not isinstance(obj, dict):
        f.problem(line, where.rstrip("."), 'should be an object: {"key": value, ...}')
        return None
    for key in obj.keys() - set(keys):
        f.problem(line, where + key, f"is not a known key here; use {', '.join(keys)}")
    return Row({k: v for k, v in obj.items() if k not in ("orders", "appointments")}, f, line, where)


def _located_json(text: str) -> tuple[Any, dict[int, int]]:
    """The document and the line each of its objects starts on (by ``id``): json reports no positions itself."""
    starts: dict[int, int] = {}
    newlines = [m.start() for m in re.finditer("\n", text)]
    decoder = json.JSONDecoder()
    parse_object = decoder.parse_object

    def located(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
        obj, end = parse_object(s_and_end, *args)
        starts[id(obj)] = bisect.bisect_left(newlines, s_and_end[1]) + 1
        return obj, end

    decoder.parse_object = located  # type: ignore[method-assign]
    decoder.scan_once = py_make_scanner(decoder)
    return decoder.decode(text), starts


def _fields(row: Row, readers: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """The fields this row names (a CSV column or JSON key left out keeps what is stored)."""
    return {name: read() for name, read in readers.items() if name in row.raw}


def _customer(row: Row, _: str | None) -> _Record | None:
    key = row.text("id", 120, required=True)
    fields = _fields(row, {
        "name": lambda: row.text("name"), "email": lambda: row.email("email"),
        "phone": lambda: row.checked("phone", 40, PHONE, "is not a phone number; use digits, spaces and +"),
        "postcode": lambda: row.postcode("postcode"), "language": lambda: row.language("language"),
        "vip": lambda: row.flag("vip"), "preferences": lambda: row.json_value("preferences", dict) or {},
        "preferred_channel": lambda: row.choice("preferred_channel", CHANNELS, None)})
    return _Record(key, key, fields, row.line, row.where) if key else None


def _order(row: Row, customer: str | None) -> _Record | None:
    number = row.reference("number")
    fields = _fields(row, {
        "status": lambda: row.choice("status", ORDER_STATUSES, None, required=True),
        "items": lambda: row.items("items"), "total": lambda: row.number("total", high=1e7),
        "currency": lambda: (row.checked("currency", 3, CURRENCY, "is not a currency code like GBP") or "GBP").upper(),
        "fulfilment": lambda: row.choice("fulfilment", FULFILMENTS, "delivery"),
        "placed_at": lambda: row.when("placed_at"), "expected_at": lambda: row.when("expected_at"),
        "tracking_url": lambda: row.checked("tracking_url", 500, URL, "is not a web address starting with https://"),
        "note": lambda: row.text("note", 2000) or ""})
    if "status" not in fields:
        row.problem("status", f"is missing; use one of {', '.join(ORDER_STATUSES)}")
    if fields.get("placed_at", 0) is None:
        del fields["placed_at"]  # empty: keep the stored time (or the import's, for a new order)
    return _Record(number, customer, fields, row.line, row.where) if number and customer else None


def _appointment(row: Row, customer: str | None) -> _Record | None:
    reference = row.reference("reference")
    service = row.text("service", 120, required=True)
    fields = {"service": " ".join((service or "").split()).lower(), "starts_at": row.when("starts_at", required=True),
              "minutes": row.number("minutes", whole=True, low=5, high=1440) or 30,
              "status": row.choice("status", APPOINTMENT_STATUSES, "booked")}
    return _Record(reference, customer, fields, row.line, row.where) if reference and customer else None


_READERS: dict[str, Callable[[Row, str | None], _Record | None]] = {
    "customers": _customer, "orders": _order, "appointments": _appointment}
