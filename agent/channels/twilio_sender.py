"""Starting an SMS or WhatsApp conversation through Twilio's REST API (replies come back through the
``/channels/twilio/messages`` webhook, into the same conversation).

    TwilioSender(account_sid, auth_token, from_number).send("+447700900123", "Your order is ready.")
    TwilioSender(...).send("whatsapp:+447700900123", "...")   # from ``whatsapp_from``

One POST to ``{api_url}/2010-04-01/Accounts/{sid}/Messages.json`` per message piece (Twilio takes 1,600
characters at most), basic auth with the account SID and auth token, connection failures and 5xx retried
with bounded backoff. Numbers and text are never logged. ``e164`` turns a number as a shop writes it
("07700 900123") into the form Twilio uses and sends back in ``From``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Protocol

import httpx
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from agent.channels.twilio import split_message
from agent.errors import ServiceUnavailable

log = logging.getLogger("tactful.channels.twilio")


class SmsSendFailed(ServiceUnavailable):
    """Twilio did not take the message (down, refused the credentials or the number)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class SmsSender(Protocol):
    def send(self, to: str, text: str) -> list[str]:
        """Send ``text`` to ``to`` ("+44..." or "whatsapp:+44..."); the ids of the messages sent."""


def e164(number: str | None, default_country_code: str) -> str | None:
    """"07700 900123" -> "+447700900123" (with the business's country code); "+1 415..." kept; None if no number."""
    if not number:
        return None
    digits = re.sub(r"[^\d+]", "", number)
    if digits.startswith("+"):
        digits = "+" + digits[1:].replace("+", "")
    elif digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = f"+{default_country_code.lstrip('+')}{digits[1:]}"
    else:
        digits = "+" + digits
    return digits if 8 <= len(digits) <= 16 else None


class TwilioSender:
    def __init__(self, account_sid: str, auth_token: str, from_number: str, *, whatsapp_from: str | None = None,
                 api_url: str = "https://api.twilio.com", timeout_s: float = 10.0, attempts: int = 3,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.account_sid = account_sid
        self.from_number = from_number
        self.whatsapp_from = whatsapp_from
        self.attempts = attempts
        self._client = httpx.Client(base_url=api_url.rstrip("/"), auth=(account_sid, auth_token), timeout=timeout_s,
                                    transport=transport)

    def __repr__(self) -> str:  # the token never in logs or tracebacks
        return f"TwilioSender(account_sid={self.account_sid!r})"

    def send(self, to: str, text: str) -> list[str]:
        whatsapp = to.startswith("whatsapp:")
        sender = f"whatsapp:{self.whatsapp_from}" if whatsapp and self.whatsapp_from else self.from_number
        if whatsapp and not self.whatsapp_from:
            raise SmsSendFailed("no WhatsApp sender is set up: set channels.twilio_whatsapp_from", permanent=True)
        return [self._post({"To": to, "From": sender, "Body": piece}) for piece in split_message(text)]

    def close(self) -> None:
        self._client.close()

    def _post(self, form: dict[str, str]) -> str:
        path = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        try:
            for attempt in Retrying(retry=retry_if_exception(_transient), stop=stop_after_attempt(self.attempts),
                                    wait=wait_exponential(multiplier=0.2, max=2.0), reraise=True):
                with attempt:
                    response = self._client.post(path, data=form)
                    if response.status_code >= 500:
                        raise _ServerError(response.status_code)
        except (httpx.HTTPError, _ServerError) as exc:
            raise SmsSendFailed(f"Twilio did not answer ({type(exc).__name__}); the message was not sent. "
                                "Check the connection to Twilio and try again.") from exc
        if response.status_code not in (200, 201):
            detail = _message(response)
            raise SmsSendFailed(f"Twilio refused the message ({response.status_code}: {detail}); check "
                                "channels.twilio_account_sid, the auth token and the numbers.", permanent=True)
        sid = str(response.json().get("sid", ""))
        log.info("twilio message sent (%s)", sid)
        return sid


class _ServerError(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"status {status}")


def _transient(exc: BaseException) -> bool:
    return isinstance(exc, (_ServerError, httpx.TransportError))


def _message(response: httpx.Response) -> str:
    try:
        return str(response.json().get("message", ""))[:200]
    except ValueError:
        return response.text[:200]


@dataclass
class RecordingSmsSender:
    """A test double beside ``TwilioSender``: keeps what it would have sent (split as Twilio would take it)."""

    sent: list[tuple[str, str]] = field(default_factory=list)

    def send(self, to: str, text: str) -> list[str]:
        pieces = split_message(text)
        self.sent.extend((to, piece) for piece in pieces)
        return [f"SM{len(self.sent) - len(pieces) + n:032d}" for n in range(len(pieces))]


__all__ = ["RecordingSmsSender", "SmsSendFailed", "SmsSender", "TwilioSender", "e164"]
