"""The email channel's settings: where mail comes in (a provider's inbound webhook or an IMAP mailbox)
and how replies and confirmations go out (SMTP). A section of ``tactful.yaml`` (``email:``)."""

from __future__ import annotations

import ipaddress
from email.utils import parseaddr
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

#: Where the security settings refuse to send a password unencrypted, except to this machine.
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


class EmailConfig(BaseModel):
    """Email in and out; switched off while ``address`` is empty."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    address: str | None = Field(None, description="The business's own address: replies and confirmations come "
                                "from it. Empty: the email channel is off.")
    from_name: str | None = Field(None, description="The name shown beside the address on outgoing mail; "
                                  "empty: the business name.")

    smtp_host: str | None = Field(None, description="The SMTP server replies are sent through (e.g. "
                                  "smtp.example.com); empty: no replies can be sent.")
    smtp_port: int = Field(587, ge=1, le=65535, description="The SMTP server's port: 587 for starttls; when "
                           "smtp_security is ssl and no port is given, 465.")
    smtp_security: Literal["starttls", "ssl", "none"] = Field(
        "starttls", description="starttls: plain connection upgraded to TLS (port 587); ssl: TLS from the start "
        "(port 465); none: no encryption, only for a relay on this machine.")
    smtp_username: str | None = Field(None, description="SMTP login; empty: send without logging in (a relay).")
    smtp_password: SecretStr | None = Field(None, description="SMTP password or app password "
                                            "(TACTFUL_EMAIL__SMTP_PASSWORD keeps it out of the file).")
    smtp_timeout_s: float = Field(20.0, gt=0, le=300, description="Seconds one SMTP connection or command may take.")

    imap_host: str | None = Field(None, description="The IMAP server of the mailbox to poll (tactful email poll); "
                                  "empty: mail comes in through the webhook only.")
    imap_port: int = Field(993, ge=1, le=65535, description="The IMAP server's port: 993 for ssl; when "
                           "imap_security is starttls or none and no port is given, 143.")
    imap_security: Literal["ssl", "starttls", "none"] = Field(
        "ssl", description="ssl: TLS from the start (port 993); starttls: plain connection upgraded to TLS "
        "(port 143); none: no encryption, only for a server on this machine.")
    imap_username: str | None = Field(None, description="The mailbox login.")
    imap_password: SecretStr | None = Field(None, description="The mailbox password or app password "
                                            "(TACTFUL_EMAIL__IMAP_PASSWORD keeps it out of the file).")
    imap_folder: str = Field("INBOX", min_length=1, description="The folder whose unread messages are answered.")
    poll_interval_s: float = Field(60.0, ge=5, le=86_400, description="Seconds between two looks at the mailbox.")

    inbound_signing_key: SecretStr | None = Field(
        None, description="The provider's webhook signing key (Mailgun: HTTP webhook signing key); when set, "
        "POST /channels/email/inbound accepts inbound mail signed with it. Empty: that route does not exist.")
    max_email_chars: int = Field(
        4000, ge=200, le=100_000, description="Longest customer text (after quoted history and signatures are "
        "removed) the assistant reads; a longer email is cut at a paragraph or sentence break.")

    @field_validator("address")
    @classmethod
    def _address_is_an_address(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        name, address = parseaddr(value.strip())
        local, _, domain = address.rpartition("@")
        if name or not local or "." not in domain or address != value.strip():
            raise ValueError(f"{value!r} is not a plain email address; write it like hello@example.com "
                             "(the display name goes in email.from_name)")
        return address

    @field_validator("smtp_host", "imap_host", "smtp_username", "imap_username", "from_name")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @model_validator(mode="after")
    def _consistent(self) -> "EmailConfig":
        if self.smtp_security == "ssl" and "smtp_port" not in self.model_fields_set:
            self.smtp_port = 465
        if self.imap_security != "ssl" and "imap_port" not in self.model_fields_set:
            self.imap_port = 143
        if self.address is None:
            configured = [key for key in ("smtp_host", "imap_host", "inbound_signing_key")
                          if getattr(self, key) is not None]
            if configured:
                raise ValueError(f"{', '.join(configured)} set but address is empty: set email.address to the "
                                 "business's own address (replies come from it), or remove those keys")
        if bool(self.smtp_username) != bool(_secret(self.smtp_password)):
            raise ValueError("smtp_username and smtp_password go together: set both to log in, or neither for a "
                             "relay that needs no login")
        if self.imap_host is not None and not (self.imap_username and _secret(self.imap_password)):
            raise ValueError("imap_host needs imap_username and imap_password: set the mailbox login "
                             "(TACTFUL_EMAIL__IMAP_PASSWORD keeps the password out of the file)")
        for inbound in ("imap_host", "inbound_signing_key"):
            if getattr(self, inbound) is not None and self.smtp_host is None:
                raise ValueError(f"{inbound} is set but smtp_host is empty: answers go out through SMTP; "
                                 "set email.smtp_host")
        if self.smtp_security == "none" and self.smtp_username and not _is_loopback(self.smtp_host):
            raise ValueError("smtp_security none would send the SMTP password unencrypted to another machine: "
                             "use starttls or ssl, or leave smtp_username empty for a relay")
        if self.imap_security == "none" and self.imap_host is not None and not _is_loopback(self.imap_host):
            raise ValueError("imap_security none would send the mailbox password unencrypted to another machine: "
                             "use ssl or starttls")
        if self.inbound_signing_key is not None and not _secret(self.inbound_signing_key):
            raise ValueError("inbound_signing_key is empty: set the provider's webhook signing key, or remove it "
                             "to switch the inbound route off")
        return self

    @property
    def enabled(self) -> bool:
        return self.address is not None

    @property
    def domain(self) -> str:
        """The business's mail domain: outgoing Message-Ids are made on it."""
        return (self.address or "").rpartition("@")[2].lower()


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return True
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
