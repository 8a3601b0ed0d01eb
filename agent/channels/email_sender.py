"""Sending email: replies in thread and confirmations, through SMTP or a recording test double.

    sender.send(to, subject, text, in_reply_to="<id>", references=("<root>", "<id>")) -> "<our-id@shop.example>"

Every message is plain UTF-8 text from ``from_name <address>``, with a Message-Id on the business's
domain and ``Auto-Submitted`` set (RFC 3834), so other robots (out-of-office replies) do not answer it.
Connection failures are retried a few times (tenacity); what still fails is an ``EmailSendFailed``
whose message never carries an address or the text.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from typing import TYPE_CHECKING, Protocol, Sequence

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from agent.errors import ConfigError, ServiceUnavailable

if TYPE_CHECKING:
    from agent.config_email import EmailConfig

log = logging.getLogger("tactful.channels.email")

#: SMTP reply codes that mean "try again later" (RFC 5321 4yz).
_TRANSIENT_CODES = range(400, 500)


class EmailSendFailed(ServiceUnavailable):
    """The email did not go out. ``permanent``: the server refused this message for good (the recipient or the
    content), so trying the same message again is pointless; otherwise a later try may succeed."""

    def __init__(self, message: str, *, attempts: int = 1, permanent: bool = False) -> None:
        super().__init__(message, attempts=attempts)
        self.permanent = permanent


class EmailSender(Protocol):
    """Delivers one plain-text email and returns the Message-Id it carried."""

    def send(self, to: str, subject: str, text: str, *, in_reply_to: str | None = None,
             references: Sequence[str] = (), message_id: str | None = None) -> str: ...


def compose_email(from_address: str, from_name: str, to: str, subject: str, text: str, *,
                  in_reply_to: str | None = None, references: Sequence[str] = (),
                  message_id: str | None = None) -> EmailMessage:
    """The message as it goes out; header values are put on one line (no header injection from a subject)."""
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = formataddr((_one_line(from_name), from_address)) if from_name else from_address
    message["To"] = _one_line(to)
    message["Subject"] = _one_line(subject)[:250]
    message["Date"] = format_datetime(datetime.now(timezone.utc))
    message["Message-ID"] = message_id or make_msgid(domain=from_address.rpartition("@")[2] or None)
    if in_reply_to:
        message["In-Reply-To"] = _one_line(in_reply_to)
    if references:
        message["References"] = " ".join(_one_line(r) for r in references)
    message["Auto-Submitted"] = "auto-replied" if in_reply_to else "auto-generated"
    message.set_content(text, charset="utf-8")
    return message


class SmtpEmailSender:
    """Sends through the configured SMTP server (``email.smtp_*``): starttls, ssl or none, logging in when a
    username is set. A new connection for each message: replies are rare enough, and nothing goes stale."""

    def __init__(self, config: "EmailConfig", *, default_from_name: str = "", attempts: int = 3,
                 backoff_s: tuple[float, float] = (0.5, 4.0)) -> None:
        if config.address is None or config.smtp_host is None:
            raise ConfigError("email.address and email.smtp_host must be set to send email; set them in "
                              "tactful.yaml (email:) or TACTFUL_EMAIL__ADDRESS / TACTFUL_EMAIL__SMTP_HOST.")
        self.config = config
        self.address = config.address
        self.from_name = config.from_name or default_from_name
        self.attempts = max(1, attempts)
        self.backoff_s = backoff_s

    def send(self, to: str, subject: str, text: str, *, in_reply_to: str | None = None,
             references: Sequence[str] = (), message_id: str | None = None) -> str:
        message = compose_email(self.address, self.from_name, to, subject, text, in_reply_to=in_reply_to,
                                references=references, message_id=message_id)
        recipient = parseaddr(to)[1] or to
        initial, longest = self.backoff_s
        retrying = Retrying(stop=stop_after_attempt(self.attempts),
                            wait=wait_exponential(multiplier=initial, min=initial, max=longest),
                            retry=retry_if_exception(_transient), before_sleep=_log_retry, reraise=True)
        attempts = 0
        try:
            for attempt in retrying:
                with attempt:
                    attempts = attempt.retry_state.attempt_number
                    self._deliver(message, recipient)
        except (OSError, smtplib.SMTPException) as exc:
            raise _failure(exc, attempts, self.config.smtp_host or "") from exc
        log.info("email %s sent (attempt %d)", message["Message-ID"], attempts)
        return str(message["Message-ID"])

    def _deliver(self, message: EmailMessage, recipient: str) -> None:
        c = self.config
        host, timeout, helo = c.smtp_host or "", c.smtp_timeout_s, c.domain or "localhost"
        context = ssl.create_default_context()
        if c.smtp_security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, c.smtp_port, local_hostname=helo, timeout=timeout,
                                                  context=context)
        else:
            smtp = smtplib.SMTP(host, c.smtp_port, local_hostname=helo, timeout=timeout)
        with smtp:
            if c.smtp_security == "starttls":
                smtp.starttls(context=context)
            if c.smtp_username and c.smtp_password is not None:
                smtp.login(c.smtp_username, c.smtp_password.get_secret_value())
            smtp.send_message(message, from_addr=self.address, to_addrs=[recipient])


@dataclass(frozen=True)
class SentEmail:
    """One email a ``RecordingEmailSender`` would have sent, headers as they would have gone out."""

    to: str
    subject: str
    text: str
    message_id: str
    in_reply_to: str | None
    references: tuple[str, ...]
    message: EmailMessage


@dataclass
class RecordingEmailSender:
    """A test double beside ``SmtpEmailSender``: composes each message the same way and keeps it."""

    address: str = "shop@example.com"
    from_name: str = ""
    sent: list[SentEmail] = field(default_factory=list)

    def send(self, to: str, subject: str, text: str, *, in_reply_to: str | None = None,
             references: Sequence[str] = (), message_id: str | None = None) -> str:
        message = compose_email(self.address, self.from_name, to, subject, text, in_reply_to=in_reply_to,
                                references=references, message_id=message_id)
        self.sent.append(SentEmail(to=str(message["To"]), subject=str(message["Subject"]), text=text,
                                   message_id=str(message["Message-ID"]), in_reply_to=in_reply_to,
                                   references=tuple(references), message=message))
        return str(message["Message-ID"])


def _one_line(value: str) -> str:
    return " ".join(str(value).split())


def _transient(exc: BaseException) -> bool:
    """Worth another try: no connection, a timeout, a dropped connection, or a 4xx "try later" answer."""
    if isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code in _TRANSIENT_CODES for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code in _TRANSIENT_CODES
    return isinstance(exc, OSError) and not isinstance(exc, (smtplib.SMTPException, ssl.SSLCertVerificationError))


def _failure(exc: BaseException, attempts: int, host: str) -> EmailSendFailed:
    """The typed error, its message saying the cause and the fix, and never an address or the text."""
    kind = type(exc).__name__
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return EmailSendFailed(f"the SMTP server {host} refused the login ({exc.smtp_code}); check "
                               "email.smtp_username and email.smtp_password.", attempts=attempts)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        return EmailSendFailed(f"the SMTP server {host} refused the recipient ({codes}).", attempts=attempts,
                               permanent=not _transient(exc))
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return EmailSendFailed(f"the SMTP server {host} refused the sender ({exc.smtp_code}); check that "
                               "email.address may send through it.", attempts=attempts)
    if isinstance(exc, smtplib.SMTPDataError):
        return EmailSendFailed(f"the SMTP server {host} refused the message ({exc.smtp_code}).", attempts=attempts,
                               permanent=not _transient(exc))
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return EmailSendFailed(f"the SMTP server {host} does not support what email.smtp_security asks "
                               f"({exc}); check smtp_security and smtp_port.", attempts=attempts)
    if isinstance(exc, ssl.SSLError):
        return EmailSendFailed(f"no TLS connection to the SMTP server {host} ({kind}); check email.smtp_security "
                               "(ssl on 465, starttls on 587) and the server's certificate.", attempts=attempts)
    return EmailSendFailed(f"could not send through the SMTP server {host} after {attempts} attempt(s) ({kind}); "
                           "check email.smtp_host, smtp_port and the network.", attempts=attempts)


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome is not None else None
    log.warning("smtp attempt %d failed (%s); trying again", state.attempt_number, type(exc).__name__)
