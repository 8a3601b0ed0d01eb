"""The AccountSource contract, run against Tactful's own store and against a business's API over real HTTP.

The API is a small implementation of the contract in agent/accounts/rest_source.py (FastAPI over a
StoreAccountSource, served by uvicorn on a loopback port), so both sources must give the same answers; then
what the REST source does when that API is down, slow, failing, off its contract or refusing the token.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import threading
import time
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any, Optional

import pytest
from fastapi import Body, FastAPI, HTTPException, Query
from fastapi.responses import JSONResponse, PlainTextResponse

from agent.accounts.rest_source import RestAccountSource
from agent.accounts.sources import StoreAccountSource
from agent.errors import AccountsUnavailable, ConfigError, NotFound
from agent.store.account_records import SlotTaken

BUSINESS = "crumb-co"
TOKEN = "tok-7f3a9c-never-in-a-message"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=timezone.utc)


# -- the business's API: the contract implemented over a store ----------------------------------------------
def wire(record: Any) -> dict[str, Any]:
    """A record as the contract's JSON: the dataclass's fields less ``business``, times in ISO 8601."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in asdict(record).items() if k != "business"}


def contract_api(token: str) -> FastAPI:
    api = FastAPI()
    api.state.source, api.state.delay_s, api.state.canned = None, 0.0, None

    @api.middleware("http")
    async def trouble(request, call_next):  # what a real API does on a bad day, switched on by the tests
        if api.state.delay_s:
            await asyncio.sleep(api.state.delay_s)
        if api.state.source is None:  # the test that sent this gave up and has gone
            return PlainTextResponse("closed", status_code=503)
        if api.state.canned:
            return PlainTextResponse(api.state.canned[1], status_code=api.state.canned[0])
        if request.headers.get("authorization") != f"Bearer {token}":
            return JSONResponse({"detail": "unknown token"}, status_code=401)
        return await call_next(request)

    def source() -> StoreAccountSource:
        return api.state.source

    def found(record: Any) -> dict[str, Any]:
        if record is None:
            raise HTTPException(404)
        return wire(record)

    @api.get("/customers/{customer_id}")
    def customer(customer_id: int):
        return found(source().customer(customer_id))

    @api.get("/orders/{number}")
    def order(number: str):
        return found(source().order(number))

    @api.get("/customers/{customer_id}/orders")
    def orders_of(customer_id: int, limit: int = 5):
        return [wire(o) for o in source().orders_of(customer_id, limit=limit)]

    @api.get("/appointments/{reference}")
    def appointment(reference: str):
        return found(source().appointment(reference))

    @api.get("/customers/{customer_id}/appointments")
    def appointments_of(customer_id: int, after: Optional[datetime] = None):
        return [wire(a) for a in source().appointments_of(customer_id, after=after)]

    @api.get("/appointments")
    def booked(start: datetime = Query(alias="from"), to: datetime = Query()):
        return [wire(a) for a in source().booked_between(start, to)]

    @api.post("/orders/{number}/status")
    def set_status(number: str, body: dict = Body()):
        try:
            return wire(source().set_order_status(number, body["status"], note=body.get("note")))
        except NotFound:
            raise HTTPException(404) from None

    @api.post("/orders/{number}/expected")
    def set_expected(number: str, body: dict = Body()):
        try:
            return wire(source().set_order_expected(number, datetime.fromisoformat(body["expected_at"])))
        except NotFound:
            raise HTTPException(404) from None

    @api.post("/appointments")
    def book(body: dict = Body()):
        try:
            return wire(source().book_slot(body["customer_id"], reference=body["reference"], service=body["service"],
                                           starts_at=datetime.fromisoformat(body["starts_at"]),
                                           minutes=body["minutes"], capacity=body.get("capacity", 1)))
        except SlotTaken:
            raise HTTPException(409, "taken") from None

    @api.post("/appointments/{reference}/move")
    def move(reference: str, body: dict = Body()):
        current = found(source().appointment(reference))
        try:
            return wire(source().book_slot(current["customer_id"], reference=reference, service=current["service"],
                                           starts_at=datetime.fromisoformat(body["starts_at"]),
                                           minutes=body.get("minutes", current["minutes"]),
                                           capacity=body.get("capacity", 1), moving=reference))
        except SlotTaken:
            raise HTTPException(409, "taken") from None

    @api.post("/appointments/{reference}/cancel")
    def cancel(reference: str):
        try:
            return wire(source().cancel_appointment(reference))
        except NotFound:
            raise HTTPException(404) from None

    return api


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def business_api():
    """(the FastAPI app, its base URL): the contract served by uvicorn in a thread, once for this module."""
    import uvicorn

    api, port = contract_api(TOKEN), free_port()
    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the contract API did not start"
    yield api, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def api_over_store(business_api, accounts_store):
    """The business's API, answering from this test's store, with no trouble switched on."""
    api, url = business_api
    api.state.source, api.state.delay_s, api.state.canned = StoreAccountSource(accounts_store, BUSINESS), 0.0, None
    yield api, url
    api.state.source, api.state.delay_s, api.state.canned = None, 0.0, None


@pytest.fixture
def shop(accounts_store):
    """Jo (two orders, two bookings and a cancelled one) and Sam (one booking), as stored."""
    store = accounts_store
    jo = store.upsert_customer(BUSINESS, "C1001", name="Jo Baker", email="jo@example.com", postcode="ZZ1 1AA",
                               language="en", vip=True, preferences={"allergies": ["sesame"]},
                               preferred_channel="email")
    sam = store.upsert_customer(BUSINESS, "C1002", name="Sam Field", email="sam@example.org")
    store.upsert_order(BUSINESS, "CR-10234", jo.id, status="dispatched", placed_at=at(1, 8), expected_at=at(3, 12),
                       items=[{"name": "Sourdough loaf", "quantity": 2, "price": 4.5}, {"name": "Croissant"}],
                       total=9.0, tracking_url="https://track.example.com/CR-10234")
    store.upsert_order(BUSINESS, "CR-10240", jo.id, status="delayed", placed_at=at(2, 9), note="The oven broke down")
    store.upsert_order(BUSINESS, "CR-10100", jo.id, status="delivered", placed_at=at(1, 7))
    store.upsert_appointment(BUSINESS, "AP-2001", jo.id, service="cake consultation", starts_at=at(4, 11))
    store.upsert_appointment(BUSINESS, "AP-2002", jo.id, service="cake consultation", starts_at=at(8, 10))
    store.upsert_appointment(BUSINESS, "AP-2003", jo.id, service="cake consultation", starts_at=at(5, 10),
                             status="cancelled")
    store.upsert_appointment(BUSINESS, "AP-2004", sam.id, service="tasting", starts_at=at(4, 14), minutes=60)
    return jo, sam


@pytest.fixture(params=["store", "rest"])
def source(request, shop, accounts_store):
    """Each contract test runs once per source."""
    if request.param == "store":
        yield StoreAccountSource(accounts_store, BUSINESS)
        return
    _, url = request.getfixturevalue("api_over_store")
    with RestAccountSource(url, business=BUSINESS, token=TOKEN, timeout_s=5.0) as rest:
        yield rest


# -- the contract ---------------------------------------------------------------------------------------------
def test_a_customer_by_id_and_none_for_an_unknown_one(source, shop, accounts_store):
    jo, _ = shop
    assert source.customer(jo.id) == accounts_store.customer(BUSINESS, jo.id) == jo
    assert source.customer(9999) is None


def test_an_order_with_its_lines_and_times_and_none_for_an_unknown_number(source, shop, accounts_store):
    order = source.order("CR-10234")
    assert order == accounts_store.order(BUSINESS, "CR-10234")
    assert [(i.name, i.quantity, i.price) for i in order.items] == [("Sourdough loaf", 2, 4.5), ("Croissant", 1, None)]
    assert order.expected_at == at(3, 12) and order.expected_at.tzinfo is not None
    assert source.order("CR-99999") is None


def test_a_customers_latest_orders_come_first_up_to_the_limit(source, shop):
    jo, sam = shop
    assert [o.number for o in source.orders_of(jo.id, limit=2)] == ["CR-10240", "CR-10234"]
    assert [o.number for o in source.orders_of(jo.id)] == ["CR-10240", "CR-10234", "CR-10100"]
    assert source.orders_of(sam.id) == []


def test_an_appointment_and_a_customers_booked_ones_soonest_first(source, shop):
    jo, _ = shop
    booking = source.appointment("AP-2001")
    assert (booking.customer_id, booking.service, booking.starts_at, booking.minutes, booking.status) == (
        jo.id, "cake consultation", at(4, 11), 30, "booked")
    assert source.appointment("AP-9999") is None
    assert [a.reference for a in source.appointments_of(jo.id)] == ["AP-2001", "AP-2002"]  # not the cancelled one
    assert [a.reference for a in source.appointments_of(jo.id, after=at(5, 0))] == ["AP-2002"]


def test_the_calendar_holds_every_booked_appointment_that_may_overlap(source, shop):
    busy = {a.reference for a in source.booked_between(at(4, 0), at(5, 0))}
    assert {"AP-2001", "AP-2004"} <= busy and not busy & {"AP-2002", "AP-2003"}


def test_an_order_status_changes_with_its_note_and_an_unknown_order_is_not_found(source, shop, accounts_store):
    changed = source.set_order_status("CR-10234", "cancelled", note="Cancelled at the customer's request")
    assert (changed.status, changed.note) == ("cancelled", "Cancelled at the customer's request")
    assert accounts_store.order(BUSINESS, "CR-10234") == changed
    assert source.set_order_status("CR-10240", "preparing").note == "The oven broke down"  # no note: kept
    with pytest.raises(NotFound):
        source.set_order_status("CR-99999", "cancelled")


def test_a_free_slot_is_booked_and_a_taken_one_is_refused(source, shop, accounts_store):
    jo, sam = shop
    booked = source.book_slot(sam.id, reference="AP-3001", service="tasting", starts_at=at(9, 10), minutes=30)
    assert (booked.reference, booked.customer_id, booked.starts_at, booked.status) == ("AP-3001", sam.id, at(9, 10),
                                                                                     "booked")
    assert accounts_store.appointment(BUSINESS, "AP-3001") == booked
    with pytest.raises(SlotTaken):
        source.book_slot(jo.id, reference="AP-3002", service="tasting", starts_at=at(4, 11, 15), minutes=30)
    assert accounts_store.appointment(BUSINESS, "AP-3002") is None
    shared = source.book_slot(jo.id, reference="AP-3003", service="tasting", starts_at=at(4, 11), minutes=30,
                              capacity=2)
    assert shared.starts_at == at(4, 11)


def test_an_appointment_moves_to_a_free_slot_but_not_onto_a_taken_one(source, shop, accounts_store):
    jo, _ = shop
    moved = source.book_slot(jo.id, reference="AP-2001", service="cake consultation", starts_at=at(10, 15),
                             minutes=30, moving="AP-2001")
    assert (moved.reference, moved.starts_at) == ("AP-2001", at(10, 15))
    with pytest.raises(SlotTaken):
        source.book_slot(jo.id, reference="AP-2002", service="cake consultation", starts_at=at(4, 14, 30),
                         minutes=30, moving="AP-2002")
    assert accounts_store.appointment(BUSINESS, "AP-2002").starts_at == at(8, 10)
    with pytest.raises(NotFound):
        source.book_slot(jo.id, reference="AP-9999", service="tasting", starts_at=at(11, 10), minutes=30,
                         moving="AP-9999")


def test_a_cancelled_appointment_frees_its_slot_and_an_unknown_one_is_not_found(source, shop):
    jo, sam = shop
    assert source.cancel_appointment("AP-2001").status == "cancelled"
    assert source.book_slot(sam.id, reference="AP-3004", service="tasting", starts_at=at(4, 11),
                            minutes=30).status == "booked"
    with pytest.raises(NotFound):
        source.cancel_appointment("AP-9999")


# -- the business's API on a bad day ------------------------------------------------------------------------
def test_an_api_that_is_not_running_is_unavailable_and_the_message_names_the_url(shop):
    url = f"http://127.0.0.1:{free_port()}/shop-api"
    with RestAccountSource(url, business=BUSINESS, token=TOKEN, timeout_s=2) as rest:
        with pytest.raises(AccountsUnavailable) as caught:
            rest.order("CR-10234")
    message = str(caught.value)
    assert f"{url}/orders/CR-10234" in message and "check accounts.rest_url" in message and TOKEN not in message


def test_a_slow_api_is_given_up_on_after_the_timeout(api_over_store, shop):
    api, url = api_over_store
    api.state.delay_s = 1.0  # the answer would come, but long after the 0.2 s the source waits
    with RestAccountSource(url, business=BUSINESS, token=TOKEN, timeout_s=0.2) as rest:
        with pytest.raises(AccountsUnavailable, match=r"did not answer within 0\.2 s; check that it is running"):
            rest.customer(shop[0].id)


@pytest.mark.parametrize(("status", "body", "expected"), [
    (503, "the database is down", "failed (HTTP 503); check its logs"),
    (500, "Traceback ...", "failed (HTTP 500)"),
    (200, "<html>a login page</html>", "answered with something the contract does not allow"),
    (418, "I'm a teapot", "answered HTTP 418, which the contract"),
])
def test_failures_and_answers_off_the_contract_are_unavailable_not_crashes(api_over_store, shop, status, body,
                                                                          expected):
    api, url = api_over_store
    api.state.canned = (status, body)
    with RestAccountSource(url, business=BUSINESS, token=TOKEN) as rest:
        with pytest.raises(AccountsUnavailable, match=re.escape(expected)):
            rest.order("CR-10234")


def test_the_token_is_sent_as_a_bearer_and_never_shown(api_over_store, shop, caplog):
    _, url = api_over_store
    with caplog.at_level(logging.DEBUG):
        with RestAccountSource(url, business=BUSINESS, token=TOKEN) as rest:
            assert rest.order("CR-10234") is not None
            assert TOKEN not in repr(rest)
        with RestAccountSource(url, business=BUSINESS, token="wrong-token-0000") as wrong:
            with pytest.raises(AccountsUnavailable, match="HTTP 401.*check accounts.rest_token") as caught:
                wrong.order("CR-10234")
    assert "wrong-token-0000" not in str(caught.value)
    assert TOKEN not in caplog.text and "wrong-token-0000" not in caplog.text


def test_credentials_written_into_the_url_stay_out_of_messages(api_over_store, shop):
    _, url = api_over_store
    with RestAccountSource(url.replace("http://", "http://owner:hunter2@"), business=BUSINESS) as rest:
        with pytest.raises(AccountsUnavailable) as caught:
            rest.customer(1)  # sent as basic auth, not the bearer token the API wants: refused
        assert "hunter2" not in repr(rest)
    assert "hunter2" not in str(caught.value) and "owner" not in str(caught.value)


@pytest.mark.parametrize(("url", "expected"), [
    ("shop.example/api", "is not an http(s) URL"),
    ("https://shop.example/api?key=abc123", "has a query string; give a key as accounts.rest_token"),
])
def test_a_url_that_cannot_work_is_a_configuration_error(url, expected):
    with pytest.raises(ConfigError, match=re.escape(expected)) as caught:
        RestAccountSource(url, business=BUSINESS)
    assert "abc123" not in str(caught.value)


def test_an_order_moves_to_another_day_and_an_unknown_order_is_not_found(source, shop, accounts_store):
    from datetime import timezone

    new_day = datetime(2027, 1, 8, 12, 0, tzinfo=timezone.utc)
    assert source.set_order_expected("CR-10234", new_day).expected_at == new_day
    assert source.order("CR-10234").expected_at == new_day
    with pytest.raises(NotFound):
        source.set_order_expected("CR-99999", new_day)
