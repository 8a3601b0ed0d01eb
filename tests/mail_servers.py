"""Real mail servers on loopback for the email tests: aiosmtpd (SMTP) in a thread and pymap (IMAP, its
in-memory ``dict`` backend) in a subprocess. Fixtures in tests/conftest.py start them per test."""

from __future__ import annotations

SMTP_USER, SMTP_PASSWORD = "shop-smtp", "smtp-secret"
IMAP_USER, IMAP_PASSWORD = "shop-imap", "imap-secret"
SHOP_ADDRESS = "hello@crumb.example"


def free_port() -> int:
    """A loopback port nobody listens on now (the servers below need a number before they start)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class KeepMessages:
    """An aiosmtpd handler that keeps every message it accepts, parsed, with its envelope and login."""

    def __init__(self) -> None:
        self.received: list[dict] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        from email import message_from_bytes, policy

        self.received.append({"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos),
                              "message": message_from_bytes(envelope.original_content, policy=policy.default),
                              "authenticated": bool(session.authenticated)})
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on 127.0.0.1; ``stop()`` and ``start()`` take it down and bring it back on the same port.
    AUTH is offered without TLS (loopback only) and accepts SMTP_USER / SMTP_PASSWORD."""

    def __init__(self) -> None:
        self.handler = KeepMessages()
        self.port = free_port()
        self.controller = None

    @property
    def messages(self) -> list:
        return [r["message"] for r in self.handler.received]

    def start(self) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        def check(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
            return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535 itself

        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, authenticator=check,
                                     auth_require_tls=False)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def smtp_env(server: SmtpServer, **more: str) -> dict[str, str]:
    """The TACTFUL_EMAIL__* settings of a shop that sends through ``server`` (no TLS: loopback only)."""
    return {"TACTFUL_EMAIL__ADDRESS": SHOP_ADDRESS, "TACTFUL_EMAIL__FROM_NAME": "Crumb & Co.",
            "TACTFUL_EMAIL__SMTP_HOST": "127.0.0.1", "TACTFUL_EMAIL__SMTP_PORT": str(server.port),
            "TACTFUL_EMAIL__SMTP_SECURITY": "none", **more}


class ImapServer:
    """pymap's in-memory ``dict`` backend as a subprocess on 127.0.0.1, one mailbox user IMAP_USER."""

    def __init__(self) -> None:
        import subprocess
        import sys
        import time

        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from pymap.main import main; main()", "--no-tls", "--host", "127.0.0.1",
             "--port", str(self.port), "dict", "--demo-user", IMAP_USER, "--demo-password", IMAP_PASSWORD],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while True:
            try:
                self.connect().logout()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"pymap did not start: {self.process.stderr.read().decode()[-2000:]}")
                time.sleep(0.1)

    def connect(self):
        import imaplib

        return imaplib.IMAP4("127.0.0.1", self.port, timeout=10)

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        """Put a message in the mailbox, unread, as a mail server would (IMAP APPEND)."""
        connection = self.connect()
        connection.login(IMAP_USER, IMAP_PASSWORD)
        status, _ = connection.append(folder, None, None, raw)
        connection.logout()
        assert status == "OK"

    def unseen(self, folder: str = "INBOX") -> int:
        connection = self.connect()
        connection.login(IMAP_USER, IMAP_PASSWORD)
        connection.select(folder)
        _, data = connection.uid("SEARCH", None, "UNSEEN")
        connection.logout()
        return len(data[0].split()) if data and data[0] else 0

    def stop(self) -> None:
        import subprocess

        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process.stderr.close()
