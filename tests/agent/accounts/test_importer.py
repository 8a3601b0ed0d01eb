"""Importing a business's customers, orders and appointments from JSON and CSV: all of a file or none of it,
every bad row named with its line and field, re-imports that update, and times as a shop writes them."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agent.accounts.importer import import_accounts
from agent.accounts.records import CHANNELS, ORDER_STATUSES
from agent.errors import BadInput

BUSINESS = "crumb-co"
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 7, 7, 8, 0, tzinfo=timezone.utc)  # Tuesday 7 July 2026, 09:00 in London (summer time)
DEMO = Path(__file__).resolve().parents[3] / "knowledge" / "demo" / "bakery-accounts.json"

CUSTOMERS_CSV = """id,name,email,phone,postcode,language,vip,preferred_channel
C1,Jo Baker, Jo.Baker@Example.COM ,07700 900111,zz11aa,en-gb,yes,email
C2,Sam Field,sam@example.org,,ZZ2  4bb,cy,no,SMS
"""
ORDERS_CSV = (
    "number,customer_id,status,items,total,currency,fulfilment,placed_at,expected_at,tracking_url,note\n"
    "cr10250,C1,dispatched,2 x Sourdough loaf @ 4.50; 1 x Croissant,11.20,gbp,delivery,-1d 16:00,today 15:00,"
    "https://track.example.com/1,\n"
    'CR-10251,C2,Delayed,"[{""name"": ""Carrot cake"", ""quantity"": 1, ""price"": 28}]",28,,collection,'
    '2026-07-06 10:00,+2d 11:00,,"The oven broke down, baking again Thursday"\n')
BOOKING_HEADER = "reference,customer_id,service,starts_at\n"
APPOINTMENTS_CSV = """reference,customer_id,service,starts_at,minutes,status
AP-2001,C2,Cake Consultation,+3d 11:00,45,
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run(store, *paths, now=NOW, tz="Europe/London"):
    return import_accounts(store, BUSINESS, paths, now=now, tz=tz)


def test_the_demo_file_has_every_kind_of_order_and_a_consultation_a_few_days_ahead(accounts_store):
    report = run(accounts_store, DEMO)

    assert report.ok, report.errors
    assert (report.customers_created, report.orders_created, report.appointments_created) == (4, 6, 1)
    customers = [accounts_store.customer_by_external_id(BUSINESS, f"C100{n}") for n in range(1, 5)]
    assert all(c.email.endswith(("@example.com", "@example.org")) for c in customers)
    assert all(c.preferred_channel in CHANNELS for c in customers) and any(c.vip for c in customers)
    orders = [o for c in customers for o in accounts_store.orders_of(BUSINESS, c.id, limit=10)]
    assert {"dispatched", "preparing", "placed", "delivered", "delayed"} <= {o.status for o in orders}
    assert all(o.status in ORDER_STATUSES for o in orders)
    delayed = next(o for o in orders if o.status == "delayed")
    assert "oven" in delayed.note and delayed.expected_at > NOW
    consultation = accounts_store.appointment(BUSINESS, "AP-2001")
    assert consultation.service == "cake consultation" and consultation.status == "booked"
    assert consultation.starts_at.astimezone(LONDON) == datetime(2026, 7, 10, 11, 0, tzinfo=LONDON)


def test_importing_the_same_file_again_updates_and_keeps_a_customers_opt_out(accounts_store):
    run(accounts_store, DEMO)
    jo = accounts_store.customer_by_external_id(BUSINESS, "C1001")
    accounts_store.set_opt_out(BUSINESS, jo.id)

    again = run(accounts_store, DEMO)

    assert (again.customers_created, again.orders_created, again.appointments_created) == (0, 0, 0)
    assert (again.customers_updated, again.orders_updated, again.appointments_updated) == (4, 6, 1)
    assert accounts_store.customer_by_external_id(BUSINESS, "C1001") == replace(jo, opted_out=True)
    assert len(accounts_store.orders_of(BUSINESS, jo.id, limit=10)) == 2


def test_csv_files_are_told_apart_by_their_header_and_applied_customers_first(accounts_store, tmp_path):
    files = [write(tmp_path, "appointments.csv", APPOINTMENTS_CSV), write(tmp_path, "orders.csv", ORDERS_CSV),
             write(tmp_path, "customers.csv", CUSTOMERS_CSV)]

    report = run(accounts_store, *files)

    assert report.ok, report.errors
    assert report.summary() == "customers: 2 new, 0 updated; orders: 2 new, 0 updated; appointments: 1 new, 0 updated"
    jo = accounts_store.customer_by_external_id(BUSINESS, "C1")
    assert (jo.email, jo.postcode, jo.language, jo.vip, jo.phone) == ("jo.baker@example.com", "ZZ1 1AA", "en-GB",
                                                                      True, "07700 900111")
    sam = accounts_store.customer_by_external_id(BUSINESS, "C2")
    assert (sam.postcode, sam.preferred_channel, sam.vip, sam.phone) == ("ZZ2 4BB", "sms", False, None)
    order = accounts_store.order(BUSINESS, "CR-10250")  # written "cr10250": kept as a customer's message is read
    assert [(i.name, i.quantity, i.price) for i in order.items] == [("Sourdough loaf", 2, 4.5), ("Croissant", 1, None)]
    assert (order.customer_id, order.total, order.currency, order.status) == (jo.id, 11.2, "GBP", "dispatched")
    assert order.placed_at == datetime(2026, 7, 6, 15, 0, tzinfo=timezone.utc)  # 16:00 in London, yesterday
    cake = accounts_store.order(BUSINESS, "CR-10251")
    assert (cake.status, cake.fulfilment, cake.note) == ("delayed", "collection", "The oven broke down, baking again "
                                                         "Thursday")
    booking = accounts_store.appointment(BUSINESS, "AP-2001")
    assert (booking.customer_id, booking.service, booking.minutes, booking.status) == (
        sam.id, "cake consultation", 45, "booked")


def test_one_bad_row_keeps_the_whole_file_out_and_every_bad_row_is_named(accounts_store, tmp_path):
    bad = write(tmp_path, "customers.csv", CUSTOMERS_CSV + "C3,Al Dente,al@nowhere,,,,maybe,pigeon\n\n"
                "C4,Bea Roll,bea@example.com,,,,,\n,No Id,,,,,,\n")

    report = run(accounts_store, bad)

    assert not report.ok and report.files_rejected == [str(bad)] and report.files_imported == []
    assert accounts_store.customer_by_external_id(BUSINESS, "C1") is None  # the good rows were not stored either
    found = {(p.line, p.field) for p in report.errors}
    assert found == {(4, "email"), (4, "vip"), (4, "preferred_channel"), (7, "id")}
    messages = {p.field: str(p) for p in report.errors}
    assert messages["email"] == f"{bad}, line 4: email: 'al@nowhere' is not an email address like name@example.com"
    assert "should be yes or no" in messages["vip"]
    assert "is not one of web, email, sms, whatsapp" in messages["preferred_channel"]
    assert "every row needs one" in messages["id"]


def test_a_good_file_is_imported_while_a_bad_one_beside_it_is_not(accounts_store, tmp_path):
    customers = write(tmp_path, "customers.csv", CUSTOMERS_CSV)
    orders = write(tmp_path, "orders.csv", ORDERS_CSV.replace("Delayed", "shipped"))

    report = run(accounts_store, customers, orders)

    assert report.files_imported == [str(customers)] and report.files_rejected == [str(orders)]
    assert report.customers_created == 2 and report.orders_created == 0
    assert accounts_store.order(BUSINESS, "CR-10250") is None
    [problem] = report.errors
    assert (problem.line, problem.field) == (3, "status")
    assert "'shipped' is not one of placed, preparing, dispatched" in problem.message


def test_an_order_for_a_customer_in_a_refused_file_says_which_file_to_fix(accounts_store, tmp_path):
    customers = write(tmp_path, "customers.csv", CUSTOMERS_CSV.replace("no,SMS", "no,fax"))
    orders = write(tmp_path, "orders.csv", ORDERS_CSV)

    report = run(accounts_store, orders, customers)

    assert report.files_imported == [] and accounts_store.order(BUSINESS, "CR-10250") is None
    about_orders = [str(p) for p in report.errors if p.file == str(orders)]
    assert about_orders == [f"{orders}, line {n}: customer_id: customer {c} is in {customers}, which was not imported "
                            "because of its errors; fix that file and import both again" for n, c in ((2, "C1"),
                                                                                                 (3, "C2"))]


def test_an_order_for_an_unknown_customer_is_refused_but_one_for_a_stored_customer_is_fine(accounts_store, tmp_path):
    accounts_store.upsert_customer(BUSINESS, "C1", name="Jo Baker")
    orders = write(tmp_path, "orders.csv", ORDERS_CSV)

    report = run(accounts_store, orders)

    [problem] = report.errors
    assert (problem.line, problem.field) == (3, "customer_id")
    assert "there is no customer C2 in this import or in the store" in problem.message
    assert accounts_store.order(BUSINESS, "CR-10250") is None


def test_json_problems_point_at_the_line_and_the_record(accounts_store, tmp_path):
    document = {"customers": [
        {"id": "C1", "email": "jo@example.com", "orders": [{"number": "CR-1", "status": "placed"}]},
        {"id": "C2", "orders": [{"number": "CR-2", "status": "lost", "items": [{"name": "Bun", "quantity": 0}]}],
         "appointments": [{"reference": "AP-1", "service": "tasting", "starts_at": "next friday"}],
         "loyalty": 3}]}
    path = write(tmp_path, "accounts.json", json.dumps(document, indent=2))
    lines = path.read_text().splitlines()

    report = run(accounts_store, path)

    assert accounts_store.customer_by_external_id(BUSINESS, "C1") is None
    found = {p.field: p for p in report.errors}
    assert set(found) == {"customers[1].orders[0].status", "customers[1].orders[0].items[0].quantity",
                          "customers[1].appointments[0].starts_at", "customers[1].loyalty"}
    assert '"number": "CR-2"' in lines[found["customers[1].orders[0].status"].line]  # the line after the "{"
    assert '"id": "C2"' in lines[found["customers[1].loyalty"].line]
    assert "ISO 8601" in found["customers[1].appointments[0].starts_at"].message
    assert "+2d 10:00" in found["customers[1].appointments[0].starts_at"].message


def test_broken_json_is_reported_with_its_line_and_column(accounts_store, tmp_path):
    path = write(tmp_path, "accounts.json", '{"customers": [\n  {"id": "C1",}\n]}')

    [problem] = run(accounts_store, path).errors

    assert problem.line == 2 and "is not valid JSON at column 15" in problem.message


@pytest.mark.parametrize(("written", "expected_london"), [
    ("+2d 10:00", datetime(2026, 7, 9, 10, 0)),
    ("today 15:00", datetime(2026, 7, 7, 15, 0)),
    ("tomorrow 09:30", datetime(2026, 7, 8, 9, 30)),
    ("-1d", datetime(2026, 7, 6, 9, 0)),
    ("+3h", datetime(2026, 7, 7, 12, 0)),
    ("2026-07-20T10:00", datetime(2026, 7, 20, 10, 0)),  # no offset: the business's wall-clock time
    ("2026-07-20 10:00:00+00:00", datetime(2026, 7, 20, 11, 0)),
    ("2026-07-20T09:00Z", datetime(2026, 7, 20, 10, 0)),
    ("2026-07-20", datetime(2026, 7, 20, 0, 0)),
])
def test_times_are_iso_8601_or_relative_to_the_import_in_the_business_time_zone(accounts_store, tmp_path, written,
                                                                                   expected_london):
    customers = write(tmp_path, "customers.csv", CUSTOMERS_CSV)
    bookings = write(tmp_path, "appointments.csv", f"{BOOKING_HEADER}AP-1,C1,tasting,{written}\n")

    assert run(accounts_store, customers, bookings).ok

    starts_at = accounts_store.appointment(BUSINESS, "AP-1").starts_at
    assert starts_at.astimezone(LONDON).replace(tzinfo=None) == expected_london


def test_a_json_file_may_name_its_own_time_zone(accounts_store, tmp_path):
    document = {"timezone": "America/New_York", "customers": [
        {"id": "C1", "appointments": [{"reference": "AP-1", "service": "tasting", "starts_at": "2026-07-20T10:00"}]}]}

    assert run(accounts_store, write(tmp_path, "a.json", json.dumps(document))).ok

    assert accounts_store.appointment(BUSINESS, "AP-1").starts_at == datetime(2026, 7, 20, 14, 0, tzinfo=timezone.utc)


def test_a_top_level_list_of_customers_is_accepted_and_a_new_order_without_a_time_is_placed_now(accounts_store,
                                                                                                tmp_path):
    path = write(tmp_path, "a.json", json.dumps([{"id": 7, "orders": [{"number": "CR-7", "status": "placed"}]}]))

    assert run(accounts_store, path).ok

    order = accounts_store.order(BUSINESS, "CR-7")
    assert order.placed_at == NOW and order.customer_id == accounts_store.customer_by_external_id(BUSINESS, "7").id


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("missing.csv", None, "no such file; check the path"),
    ("notes.txt", "hello", "is neither .json nor .csv"),
    ("empty.csv", "\n\n", "is empty; the first row names the columns"),
    ("what.csv", "name,email\nJo,jo@example.com\n", "a customers file has an 'id' column"),
    ("extra.csv", "id,name,shoe_size\nC1,Jo,7\n", "shoe_size: is not a column of a customers file"),
    ("short.csv", "number,customer_id,status\nCR-1,C1\n", "has 2 cells but the header names 3"),
    ("twice.csv", "id,name\nC1,Jo\nC1,Joanna\n", "line 3: id: C1 is in this file twice (also line 2)"),
    ("latin1.csv", "id,name\nC1,Zo\xeb\n", "is not UTF-8 text"),
])
def test_files_that_cannot_be_read_say_what_to_do(accounts_store, tmp_path, name, text, expected):
    path = tmp_path / name
    if text is not None:
        path.write_bytes(text.encode("latin-1"))

    report = run(accounts_store, path)

    assert report.files_rejected == [str(path)]
    assert any(expected in str(problem) for problem in report.errors), report.errors


def test_an_unknown_time_zone_is_refused_before_anything_is_read(accounts_store):
    with pytest.raises(BadInput, match="not an IANA time zone"):
        run(accounts_store, DEMO, tz="Mars/Olympus")


def test_relative_days_keep_the_wall_clock_across_a_change_to_summer_time(accounts_store, tmp_path):
    before_the_change = datetime(2026, 3, 27, 9, 0, tzinfo=timezone.utc)  # Friday 09:00 GMT; clocks go forward Sunday
    customers = write(tmp_path, "customers.csv", CUSTOMERS_CSV)
    bookings = write(tmp_path, "appointments.csv", f"{BOOKING_HEADER}AP-1,C1,tasting,+3d 10:00\n")

    assert run(accounts_store, customers, bookings, now=before_the_change).ok

    assert accounts_store.appointment(BUSINESS, "AP-1").starts_at == before_the_change + timedelta(days=3)
