"""The IMAP poller, for a small shop without an inbound-mail provider: every ``poll_interval_s`` it reads the
mailbox's unread messages and answers each in thread through the same ``answer_email`` as the webhook.

A message is flagged \\Seen only once its reply has gone out (or it needs none: an auto-reply, our own
mail), so a failure leaves it unread for the next poll, where the agent gives the same stored reply
(the Message-Id is the agent's message id). Run one poller per mailbox: two would both answer a message
that arrives between them. Addresses and message text are never logged.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
import threading
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.channels.email_inbound import answer_email
from agent.channels.email_message import parse_rfc822
from agent.channels.email_sender import EmailSender, EmailSendFailed
from agent.errors import BadInput, ConfigError, ServiceUnavailable

if TYPE_CHECKING:
    from agent.agent import Agent
    from agent.config_email import EmailConfig

log = logging.getLogger("tactful.channels.email")

#: Unread messages answered in one poll at most; the rest wait for the next one, which then comes at once.
MAX_PER_POLL = 20


class MailboxUnavailable(ServiceUnavailable):
    """The IMAP server cannot be reached, timed out or dropped the connection; the next poll tries again."""


class MailboxRefused(ConfigError):
    """The IMAP server refused the login or the folder: the settings need fixing (the message says which)."""


@dataclass(frozen=True)
class PollResult:
    """One poll's counts. ``answered`` includes messages passed on to a person who has the conversation;
    ``left`` unread messages were not looked at (over ``max_per_poll``)."""

    answered: int = 0
    ignored: int = 0
    failed: int = 0
    left: int = 0


class ImapPoller:
    """Answers a mailbox's unread mail; ``config`` defaults to the agent's ``email`` settings."""

    def __init__(self, agent: "Agent", sender: EmailSender, *, config: "EmailConfig | None" = None,
                 max_per_poll: int = MAX_PER_POLL, timeout_s: float = 30.0) -> None:
        self.agent = agent
        self.sender = sender
        self.config = config or agent.config.email
        if self.config.imap_host is None or self.config.address is None:
            raise ConfigError("IMAP polling needs email.address and email.imap_host (with imap_username and "
                              "imap_password); set them in tactful.yaml (email:) or TACTFUL_EMAIL__* variables.")
        self.max_per_poll = max(1, max_per_poll)
        self.timeout_s = timeout_s

    def poll_once(self) -> PollResult:
        """Answer the unread messages (up to ``max_per_poll``); MailboxUnavailable or MailboxRefused when the
        mailbox cannot be read at all."""
        connection = self._open()
        counts = {"answered": 0, "ignored": 0, "failed": 0}
        try:
            uids = self._unseen(connection)
            for uid in uids[:self.max_per_poll]:
                counts[self._answer(connection, uid)] += 1
        except (imaplib.IMAP4.error, OSError) as exc:  # abort (a dropped connection) is an IMAP4.error
            raise MailboxUnavailable(f"the IMAP server {self.config.imap_host} failed mid-poll "
                                     f"({type(exc).__name__}); the next poll tries again.") from exc
        finally:
            with suppress(imaplib.IMAP4.error, OSError):
                connection.logout()
        result = PollResult(**counts, left=max(0, len(uids) - self.max_per_poll))
        log.info("mailbox polled: %d answered, %d ignored, %d failed, %d left", result.answered, result.ignored,
                 result.failed, result.left)
        return result

    def run(self, stop: threading.Event) -> None:
        """Poll until ``stop`` is set; an unreachable server is logged and tried again, a refused login raises."""
        while not stop.is_set():
            try:
                result = self.poll_once()
            except ServiceUnavailable as exc:
                log.warning("mailbox poll failed: %s", exc)
                result = PollResult()
            if not result.left:
                stop.wait(self.config.poll_interval_s)

    # -- IMAP --------------------------------------------------------------------------------------------------------
    def _open(self) -> imaplib.IMAP4:
        c = self.config
        host = c.imap_host or ""
        try:
            if c.imap_security == "ssl":
                connection: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    host, c.imap_port, ssl_context=ssl.create_default_context(), timeout=self.timeout_s)
            else:
                connection = imaplib.IMAP4(host, c.imap_port, timeout=self.timeout_s)
                if c.imap_security == "starttls":
                    connection.starttls(ssl_context=ssl.create_default_context())
        except (imaplib.IMAP4.error, OSError) as exc:
            raise MailboxUnavailable(f"cannot reach the IMAP server {host}:{c.imap_port} ({type(exc).__name__}); "
                                     "check email.imap_host, imap_port, imap_security and the network.") from exc
        try:
            connection.login(c.imap_username or "", c.imap_password.get_secret_value() if c.imap_password else "")
            status, _ = connection.select(_quoted(c.imap_folder))
        except imaplib.IMAP4.abort as exc:
            raise MailboxUnavailable(f"the IMAP server {host} dropped the connection while logging in.") from exc
        except (imaplib.IMAP4.error, OSError) as exc:
            with suppress(imaplib.IMAP4.error, OSError):
                connection.logout()
            raise MailboxRefused(f"the IMAP server {host} refused the login; check email.imap_username and "
                                 "email.imap_password (many providers want an app password).") from exc
        if status != "OK":
            with suppress(imaplib.IMAP4.error, OSError):
                connection.logout()
            raise MailboxRefused(f"the IMAP server {host} has no folder {c.imap_folder!r}; check email.imap_folder.")
        return connection

    def _unseen(self, connection: imaplib.IMAP4) -> list[bytes]:
        status, data = connection.uid("SEARCH", None, "UNSEEN")
        if status != "OK" or not data or not data[0]:
            return []
        return sorted(data[0].split(), key=int)  # oldest first

    def _answer(self, connection: imaplib.IMAP4, uid: bytes) -> str:
        """Answer one message and say how it went: "answered", "ignored" or "failed"."""
        status, data = connection.uid("FETCH", uid, "(BODY.PEEK[])")  # PEEK: fetching does not mark it read
        raw = next((item[1] for item in data or () if isinstance(item, tuple) and len(item) > 1), None)
        if status != "OK" or not isinstance(raw, bytes):
            log.warning("mailbox message %s could not be fetched", uid.decode())
            return "failed"
        try:
            email = parse_rfc822(raw)
        except BadInput as exc:
            log.info("mailbox message %s ignored: %s", uid.decode(), exc)
            self._mark_seen(connection, uid)
            return "ignored"
        try:
            answer = answer_email(email, self.agent, self.sender)
        except EmailSendFailed as exc:
            log.error("mailbox message %s: reply not sent: %s", uid.decode(), exc)
            if exc.permanent:  # refused for good: trying it on every poll would change nothing
                self._mark_seen(connection, uid)
            return "failed"
        except ServiceUnavailable as exc:
            log.error("mailbox message %s not answered, left for the next poll: %s", uid.decode(), exc)
            return "failed"
        except Exception as exc:  # noqa: BLE001 (one bad message must not stop the others)
            log.error("mailbox message %s not answered (%s), left for the next poll", uid.decode(), type(exc).__name__)
            return "failed"
        self._mark_seen(connection, uid)
        return "ignored" if answer.status == "ignored" else "answered"

    @staticmethod
    def _mark_seen(connection: imaplib.IMAP4, uid: bytes) -> None:
        connection.uid("STORE", uid, "+FLAGS", "(\\Seen)")


def _quoted(folder: str) -> str:
    """A folder name as an IMAP quoted string ("Customer mail" has a space imaplib would not quote)."""
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
