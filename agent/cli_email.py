"""``tactful email ...``: answer a mailbox by polling it over IMAP, and check the SMTP settings with a test message."""

from __future__ import annotations

import threading
from email.utils import parseaddr
from pathlib import Path
from typing import Optional

import typer

from agent.cli import ConfigOption, _config, _run, out
from agent.config import TactfulConfig
from agent.errors import BadInput, ConfigError

email_app = typer.Typer(help="Email: poll a mailbox and answer it, test the SMTP settings.", no_args_is_help=True)


def _email_settings(cfg: TactfulConfig, *, imap: bool) -> None:
    """Refuse early, saying what to set, when the email section cannot do what was asked."""
    email = cfg.email
    if email.address is None:
        raise ConfigError("email.address is not set: set it to the business's own address in tactful.yaml "
                          "(email: address: hello@example.com) or TACTFUL_EMAIL__ADDRESS.")
    if email.smtp_host is None:
        raise ConfigError("email.smtp_host is not set: replies go out through SMTP; set email.smtp_host "
                          "(and smtp_username / smtp_password if it needs a login).")
    if imap and email.imap_host is None:
        raise ConfigError("IMAP is not configured: set email.imap_host, imap_username and imap_password "
                          "(TACTFUL_EMAIL__IMAP_PASSWORD keeps the password out of the file).")


@email_app.command("poll")
def poll(once: bool = typer.Option(False, "--once", help="Read the mailbox once and exit (for cron)."),
         config: Optional[Path] = ConfigOption) -> None:
    """Answer the mailbox's unread mail in thread, every email.poll_interval_s seconds (Ctrl-C stops)."""
    from agent.assembly import build_agent
    from agent.channels import ImapPoller, SmtpEmailSender

    def body() -> None:
        cfg = _config(config)
        _email_settings(cfg, imap=True)
        agent = build_agent(config=cfg)
        try:
            poller = ImapPoller(agent, SmtpEmailSender(cfg.email, default_from_name=cfg.business.name))
            if once:
                result = poller.poll_once()
                out.print(f"{result.answered} answered, {result.ignored} ignored, {result.failed} failed"
                          + (f", {result.left} left for the next poll" if result.left else ""))
                if result.failed:
                    raise typer.Exit(1)
                return
            out.print(f"Polling {cfg.email.imap_folder} every {cfg.email.poll_interval_s:g} s; Ctrl-C stops.")
            stop = threading.Event()
            try:
                poller.run(stop)
            except KeyboardInterrupt:
                stop.set()
        finally:
            agent.close()

    _run(body)


@email_app.command("test-send")
def test_send(to: str = typer.Argument(..., help="The address to send the test message to."),
              config: Optional[Path] = ConfigOption) -> None:
    """Send a short test message, to check the SMTP settings (host, port, security, login)."""
    from agent.channels import SmtpEmailSender

    def body() -> None:
        cfg = _config(config)
        _email_settings(cfg, imap=False)
        address = parseaddr(to)[1]
        if "@" not in address or address != to.strip():
            raise BadInput(f"{to!r} is not an email address; write it like jo@example.com.")
        sender = SmtpEmailSender(cfg.email, default_from_name=cfg.business.name)
        message_id = sender.send(address, f"Tactful test message from {cfg.business.name}",
                                 "This is a test message from Tactful: the SMTP settings work.\n")
        out.print(f"Sent a test message to {address} (Message-Id {message_id}).", highlight=False)

    _run(body)
