"""Customer accounts read and changed through the business's own HTTP API (``accounts.source: rest``).

The contract the business's API implements (JSON over HTTP; times ISO 8601, UTC when they carry no offset):

    GET  /customers/{id}                        a customer, or 404
    GET  /orders/{number}                       an order, or 404
    GET  /customers/{id}/orders?limit=5         that customer's latest orders, newest first (a JSON array)
    GET  /appointments/{reference}              an appointment, or 404
    GET  /customers/{id}/appointments?after=T   their booked appointments from T on, soonest first (array)
    GET  /appointments?from=T1&to=T2            booked appointments that may overlap [T1, T2): at least every
                                                one starting from a day before T1 until T2 (array)
    POST /orders/{number}/status                {"status", "note"} -> the order; 404 unknown
    POST /orders/{number}/expected              {"expected_at"} -> the order (moved to that day); 404 unknown
    POST /appointments                          {"customer_id", "reference", "service", "starts_at", "minutes",
                                                "capacity"} -> the appointment; 409 the slot is taken
    POST /appointments/{reference}/move         {"starts_at", "minutes", "capacity"} -> the appointment;
                                                409 the slot is taken; 404 unknown
    POST /appointments/{reference}/cancel       -> the appointment (status "cancelled"); 404 unknown

Records take the shapes of the JSON import (agent/accounts/importer.py) plus numeric ids: a customer
``{"id": 17, "external_id": "C1001", "name", "email", "phone", "postcode", "language", "vip", "preferences",
"preferred_channel", "opted_out"}``; an order ``{"id", "customer_id", "number", "status", "items": [{"name",
"quantity", "price"}], "total", "currency", "fulfilment", "placed_at", "expected_at", "tracking_url", "note"}``;
an appointment ``{"id", "customer_id", "reference", "service", "starts_at", "minutes", "status"}``. ``capacity``
is how many bookings may overlap as Tactful is configured; the business's system may apply its own.

With a token, every request carries ``Authorization: Bearer <token>``. A 404 is "no such record" (None for a
read, NotFound for a change); connection failures, timeouts, 5xx and answers outside the contract raise
AccountsUnavailable, naming the URL (never the token or credentials) so the operator can check the API.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, TypeVar
from urllib.parse import quote

import httpx

from agent.accounts.records import Appointment, CustomerProfile, Order, OrderLine
from agent.errors import AccountsUnavailable, ConfigError, NotFound
from agent.store.account_records import SlotTaken

if TYPE_CHECKING:
    from pydantic import SecretStr

T = TypeVar("T")


class RestAccountSource:
    """An ``AccountSource`` over the business's own API; one HTTP client, closed with ``close()``."""

    def __init__(self, base_url: str, *, business: str, token: "str | SecretStr | None" = None, timeout_s: float = 5.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        try:
            url = httpx.URL(base_url)
        except httpx.InvalidURL:
            raise ConfigError("accounts.rest_url is not a URL; write it like https://shop.example/api") from None
        if url.scheme not in ("http", "https") or not url.host:
            raise ConfigError(f"accounts.rest_url {_shown(url)!r} is not an http(s) URL like https://shop.example/api")
        if url.query:
            raise ConfigError(f"accounts.rest_url {_shown(url)!r} has a query string; give a key as "
                              "accounts.rest_token instead (a URL ends up in logs)")
        auth = (url.username, url.password) if url.username else None  # kept out of the URL, so out of logs
        self.base_url = url.copy_with(username=None, password=None)
        self.business = business
        secret = token.get_secret_value() if hasattr(token, "get_secret_value") else token
        headers = {"Accept": "application/json", **({"Authorization": f"Bearer {secret}"} if secret else {})}
        self._client = httpx.Client(base_url=str(self.base_url).rstrip("/"), headers=headers, auth=auth,
                                    timeout=httpx.Timeout(timeout_s), transport=transport, follow_redirects=False)

    def __repr__(self) -> str:
        return f"RestAccountSource({_shown(self.base_url)!r}, business={self.business!r})"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "RestAccountSource":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reads: 404 means there is no such record ------------------------------------------------------
    def customer(self, customer_id: int) -> CustomerProfile | None:
        return self._read(f"/customers/{int(customer_id)}", self._profile)

    def order(self, number: str) -> Order | None:
        return self._read(f"/orders/{_part(number)}", self._order)

    def orders_of(self, customer_id: int, *, limit: int = 5) -> list[Order]:
        return self._read(f"/customers/{int(customer_id)}/orders", self._orders, limit=limit) or []

    def appointment(self, reference: str) -> Appointment | None:
        return self._read(f"/appointments/{_part(reference)}", self._appointment)

    def appointments_of(self, customer_id: int, *, after: datetime | None = None) -> list[Appointment]:
        params = {"after": _iso(after)} if after is not None else {}
        return self._read(f"/customers/{int(customer_id)}/appointments", self._appointments, **params) or []

    def booked_between(self, start: datetime, end: datetime) -> list[Appointment]:
        return self._read("/appointments", self._appointments, **{"from": _iso(start), "to": _iso(end)}) or []

    # -- changes: 404 raises NotFound, 409 SlotTaken ------------------------------------------------------
    def set_order_status(self, number: str, status: str, *, note: str | None = None) -> Order:
        return self._change(f"/orders/{_part(number)}/status", {"status": status, "note": note}, self._order,
                            f"there is no order {number}", None)

    def set_order_expected(self, number: str, expected_at: datetime) -> Order:
        return self._change(f"/orders/{_part(number)}/expected", {"expected_at": _iso(expected_at)}, self._order,
                            f"there is no order {number}", None)

    def book_slot(self, customer_id: int, *, reference: str, service: str, starts_at: datetime, minutes: int,
                  capacity: int = 1, moving: str | None = None) -> Appointment:
        taken = f"{starts_at:%A %d %B at %H:%M} has just been taken"
        if moving is not None:
            return self._change(f"/appointments/{_part(moving)}/move",
                                {"starts_at": _iso(starts_at), "minutes": minutes, "capacity": capacity},
                                self._appointment, f"there is no appointment {moving}", taken)
        body = {"customer_id": customer_id, "reference": reference, "service": service, "starts_at": _iso(starts_at),
                "minutes": minutes, "capacity": capacity}
        return self._change("/appointments", body, self._appointment, f"there is no customer {customer_id}", taken)

    def cancel_appointment(self, reference: str) -> Appointment:
        return self._change(f"/appointments/{_part(reference)}/cancel", {}, self._appointment,
                            f"there is no appointment {reference}", None)

    # -- HTTP ----------------------------------------------------------------------------------------------
    def _read(self, path: str, parse: Callable[[Any], T], **params: Any) -> T | None:
        response = self._send("GET", path, params=params)
        return None if response.status_code == 404 else self._parsed(response, parse)

    def _change(self, path: str, body: dict[str, Any], parse: Callable[[Any], T], missing: str,
                taken: str | None) -> T:
        response = self._send("POST", path, json=body)
        if response.status_code == 404:
            raise NotFound(f"{missing} in the business's system")
        if response.status_code == 409 and taken is not None:
            raise SlotTaken(taken)
        return self._parsed(response, parse)

    def _send(self, method: str, path: str, **options: Any) -> httpx.Response:
        url = _shown(self.base_url).rstrip("/") + path
        try:
            response = self._client.request(method, path, **options)
        except httpx.TimeoutException:
            raise AccountsUnavailable(f"the business's customer API at {url} did not answer within "
                                      f"{self._client.timeout.read:g} s; check that it is running and not overloaded "
                                      "(or raise accounts.rest_timeout_s)") from None
        except httpx.HTTPError as exc:
            raise AccountsUnavailable(f"cannot reach the business's customer API at {url} ({type(exc).__name__}); "
                                      "check accounts.rest_url and that the API is running") from None
        if response.status_code in (401, 403):
            raise AccountsUnavailable(f"the business's customer API at {url} refused Tactful (HTTP "
                                      f"{response.status_code}); check accounts.rest_token")
        if response.status_code >= 500:
            raise AccountsUnavailable(f"the business's customer API at {url} failed (HTTP {response.status_code}); "
                                      "check its logs, then try again")
        if response.status_code not in (200, 201, 404, 409):
            raise AccountsUnavailable(f"the business's customer API at {url} answered HTTP {response.status_code}, "
                                      "which the contract in agent/accounts/rest_source.py does not define")
        return response

    @staticmethod
    def _parsed(response: httpx.Response, parse: Callable[[Any], T]) -> T:
        try:
            return parse(response.json())
        except (ValueError, KeyError, TypeError) as exc:
            raise AccountsUnavailable(
                f"the business's customer API at {_shown(response.request.url)} answered with something the "
                f"contract does not allow ({type(exc).__name__}: {exc}); see agent/accounts/rest_source.py") from None

    # -- records -------------------------------------------------------------------------------------------
    def _profile(self, data: dict[str, Any]) -> CustomerProfile:
        return CustomerProfile(
            id=int(data["id"]), business=self.business, external_id=str(data.get("external_id") or data["id"]),
            name=data.get("name"), email=data.get("email"), phone=data.get("phone"), postcode=data.get("postcode"),
            language=data.get("language"), vip=bool(data.get("vip", False)),
            preferences=dict(data.get("preferences") or {}), preferred_channel=data.get("preferred_channel"),
            opted_out=bool(data.get("opted_out", False)))

    def _order(self, data: dict[str, Any]) -> Order:
        lines = tuple(OrderLine(str(i["name"]), int(i.get("quantity") or 1),
                                float(i["price"]) if i.get("price") is not None else None)
                      for i in data.get("items") or [])
        return Order(id=int(data["id"]), business=self.business, number=str(data["number"]),
                     customer_id=int(data["customer_id"]), status=str(data["status"]), items=lines,
                     total=float(data["total"]) if data.get("total") is not None else None,
                     currency=str(data.get("currency") or "GBP"), fulfilment=str(data.get("fulfilment") or "delivery"),
                     placed_at=_when(data["placed_at"]), expected_at=_when(data.get("expected_at")),
                     tracking_url=data.get("tracking_url"), note=str(data.get("note") or ""))

    def _orders(self, data: list[Any]) -> list[Order]:
        return [self._order(item) for item in _array(data)]

    def _appointment(self, data: dict[str, Any]) -> Appointment:
        return Appointment(id=int(data["id"]), business=self.business, reference=str(data["reference"]),
                           customer_id=int(data["customer_id"]), service=str(data["service"]),
                           starts_at=_when(data["starts_at"]), minutes=int(data.get("minutes") or 30),
                           status=str(data.get("status") or "booked"))

    def _appointments(self, data: list[Any]) -> list[Appointment]:
        return [self._appointment(item) for item in _array(data)]


def _array(data: Any) -> list[Any]:
    if not isinstance(data, list):
        raise TypeError(f"expected a JSON array, got {type(data).__name__}")
    return data


def _when(value: Any) -> Any:
    if value is None:
        return None
    parsed = datetime.fromisoformat(str(value))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def _iso(value: datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc).isoformat()


def _part(value: str) -> str:
    """One path segment: an order number like "CR/10234" must not turn into two."""
    return quote(str(value), safe="")


def _shown(url: httpx.URL) -> str:
    """The URL as it may appear in a message or a log: no user, password or query string."""
    return str(url.copy_with(username=None, password=None, query=None))
