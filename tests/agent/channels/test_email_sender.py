"""Sending email through a real SMTP server on loopback: replies in thread, from the business, in UTF-8;
a login when one is configured; bounded retries and a typed, address-free error when it fails. And the
email settings: inconsistent ones fail at start-up with the fix."""

from __future__ import annotations

import logging
import time

import pytest

from agent.channels import EmailSendFailed, RecordingEmailSender, SmtpEmailSender
from agent.config import load_config
from agent.config_email import EmailConfig
from agent.errors import ConfigError
from tests.mail_servers import SHOP_ADDRESS, SMTP_PASSWORD, SMTP_USER, free_port


def settings(server, **more) -> EmailConfig:
    return EmailConfig(address=SHOP_ADDRESS, from_name="Crumb & Co.", smtp_host="127.0.0.1", smtp_port=server.port,
                       smtp_security="none", **more)


def test_a_reply_goes_out_in_thread_from_the_business_in_utf8(smtp_server):
    sender = SmtpEmailSender(settings(smtp_server))
    message_id = sender.send("José García <jose@example.com>", "Re: Café cake",
                             "Yes, we bake a café cake — £24.",
                             in_reply_to="<m2@mail.example.com>",
                             references=("<m1@mail.example.com>", "<m2@mail.example.com>"))
    [received] = smtp_server.handler.received
    message = received["message"]
    assert received["mail_from"] == SHOP_ADDRESS and received["rcpt_tos"] == ["jose@example.com"]
    assert message["From"] == '"Crumb & Co." <hello@crumb.example>'
    assert message["To"].addresses[0].display_name == "José García"
    assert message["Subject"] == "Re: Café cake"
    assert message["In-Reply-To"] == "<m2@mail.example.com>"
    assert message["References"] == "<m1@mail.example.com> <m2@mail.example.com>"
    assert message["Message-ID"] == message_id and message_id.endswith("@crumb.example>")
    assert message["Auto-Submitted"] == "auto-replied"
    assert message.get_content_type() == "text/plain" and message.get_content_charset() == "utf-8"
    assert message.get_content().strip() == "Yes, we bake a café cake — £24."
    assert not received["authenticated"]


def test_a_new_message_carries_the_message_id_it_was_given_and_no_thread_headers(smtp_server):
    sender = SmtpEmailSender(settings(smtp_server))
    assert sender.send("jo@example.com", "Your order", "Confirmed.", message_id="<order-7@crumb.example>") == \
        "<order-7@crumb.example>"
    [message] = smtp_server.messages
    assert message["Message-ID"] == "<order-7@crumb.example>"
    assert message["In-Reply-To"] is None and message["References"] is None
    assert message["Auto-Submitted"] == "auto-generated"


def test_a_subject_with_line_breaks_cannot_inject_headers(smtp_server):
    SmtpEmailSender(settings(smtp_server)).send("jo@example.com", "Hi\r\nBcc: victim@example.org", "Hello")
    [received] = smtp_server.handler.received
    assert received["rcpt_tos"] == ["jo@example.com"]
    assert received["message"]["Bcc"] is None and received["message"]["Subject"] == "Hi Bcc: victim@example.org"


def test_it_logs_in_when_a_username_is_set(smtp_server):
    sender = SmtpEmailSender(settings(smtp_server, smtp_username=SMTP_USER, smtp_password=SMTP_PASSWORD))
    sender.send("jo@example.com", "Hello", "Hello")
    assert smtp_server.handler.received[0]["authenticated"]


def test_a_wrong_password_fails_at_once_and_says_what_to_check(smtp_server):
    sender = SmtpEmailSender(settings(smtp_server, smtp_username=SMTP_USER, smtp_password="wrong"), attempts=3,
                             backoff_s=(0.01, 0.01))
    with pytest.raises(EmailSendFailed) as failure:
        sender.send("jo@example.com", "Hello", "Hello")
    assert failure.value.attempts == 1 and not failure.value.permanent
    assert "smtp_password" in str(failure.value) and "wrong" not in str(failure.value)
    assert smtp_server.messages == []


def test_a_server_that_is_down_is_tried_a_few_times_then_a_typed_error_without_the_address(caplog):
    caplog.set_level(logging.DEBUG)
    down = EmailConfig(address=SHOP_ADDRESS, smtp_host="127.0.0.1", smtp_port=free_port(), smtp_security="none",
                       smtp_timeout_s=2)
    started = time.monotonic()
    with pytest.raises(EmailSendFailed) as failure:
        SmtpEmailSender(down, attempts=3, backoff_s=(0.01, 0.02)).send("jo@example.com", "Hello", "Secret words")
    assert failure.value.attempts == 3 and not failure.value.permanent
    assert "smtp_host" in str(failure.value) and "jo@example.com" not in str(failure.value)
    assert time.monotonic() - started < 10
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "trying again" in logged and "jo@example.com" not in logged and "Secret words" not in logged


def test_a_sender_without_an_smtp_host_is_a_configuration_error():
    with pytest.raises(ConfigError, match="smtp_host"):
        SmtpEmailSender(EmailConfig(address=SHOP_ADDRESS))


def test_the_recording_double_composes_the_same_message_and_keeps_it():
    sender = RecordingEmailSender(address=SHOP_ADDRESS, from_name="Crumb & Co.")
    message_id = sender.send("jo@example.com", "Re: Delivery", "£4.50", in_reply_to="<m1@x>", references=("<m1@x>",))
    [sent] = sender.sent
    assert sent.message_id == message_id and message_id.endswith("@crumb.example>")
    assert sent.message["From"] == '"Crumb & Co." <hello@crumb.example>' and sent.message["In-Reply-To"] == "<m1@x>"
    assert sent.references == ("<m1@x>",) and sent.text == "£4.50"


# -- settings ----------------------------------------------------------------------------------------------------------
def test_the_email_section_is_off_by_default_and_secrets_never_show():
    config = load_config(environ={
        "TACTFUL_EMAIL__ADDRESS": SHOP_ADDRESS, "TACTFUL_EMAIL__SMTP_HOST": "smtp.example.com",
        "TACTFUL_EMAIL__SMTP_USERNAME": "shop", "TACTFUL_EMAIL__SMTP_PASSWORD": "hunter2",
        "TACTFUL_EMAIL__INBOUND_SIGNING_KEY": "key-123"})
    assert load_config(environ={}).email.enabled is False
    assert config.email.enabled and config.email.domain == "crumb.example"
    assert config.email.smtp_port == 587 and config.email.smtp_security == "starttls"
    assert "hunter2" not in repr(config) and "key-123" not in repr(config) and "hunter2" not in str(config.email)


def test_ssl_picks_its_usual_port_unless_one_is_given():
    assert EmailConfig(address=SHOP_ADDRESS, smtp_host="s", smtp_security="ssl").smtp_port == 465
    assert EmailConfig(address=SHOP_ADDRESS, smtp_host="s", smtp_security="ssl", smtp_port=2465).smtp_port == 2465
    assert EmailConfig(address=SHOP_ADDRESS, smtp_host="s", imap_host="i", imap_username="u", imap_password="p",
                       imap_security="starttls").imap_port == 143


@pytest.mark.parametrize("env, fix", [
    ({"SMTP_HOST": "smtp.example.com"}, "set email.address"),
    ({"INBOUND_SIGNING_KEY": "k"}, "set email.address"),
    ({"ADDRESS": "Crumb <hello@crumb.example>"}, "email.from_name"),
    ({"ADDRESS": "not-an-address"}, "hello@example.com"),
    ({"ADDRESS": SHOP_ADDRESS, "SMTP_HOST": "s", "SMTP_USERNAME": "shop"}, "set both"),
    ({"ADDRESS": SHOP_ADDRESS, "SMTP_HOST": "s", "IMAP_HOST": "imap.example.com"}, "imap_username and imap_password"),
    ({"ADDRESS": SHOP_ADDRESS, "IMAP_HOST": "i", "IMAP_USERNAME": "u", "IMAP_PASSWORD": "p"}, "set email.smtp_host"),
    ({"ADDRESS": SHOP_ADDRESS, "INBOUND_SIGNING_KEY": "k"}, "set email.smtp_host"),
    ({"ADDRESS": SHOP_ADDRESS, "SMTP_HOST": "smtp.example.com", "SMTP_SECURITY": "none", "SMTP_USERNAME": "u",
      "SMTP_PASSWORD": "p"}, "use starttls or ssl"),
    ({"ADDRESS": SHOP_ADDRESS, "SMTP_HOST": "s", "IMAP_HOST": "imap.example.com", "IMAP_SECURITY": "none",
      "IMAP_USERNAME": "u", "IMAP_PASSWORD": "p"}, "use ssl or starttls"),
    ({"ADDRESS": SHOP_ADDRESS, "SMTP_HOST": "s", "INBOUND_SIGNING_KEY": ""}, "signing key"),
    ({"ADDRESS": SHOP_ADDRESS, "SMTP_SECURITY": "tls"}, "smtp_security"),
])
def test_inconsistent_email_settings_fail_at_start_up_with_the_fix(env, fix):
    with pytest.raises(ConfigError) as failure:
        load_config(environ={f"TACTFUL_EMAIL__{k}": v for k, v in env.items()})
    assert fix in str(failure.value)
    assert "TACTFUL_EMAIL__" in str(failure.value) or "email" in str(failure.value)


def test_unencrypted_settings_are_fine_for_a_server_on_this_machine():
    config = EmailConfig(address=SHOP_ADDRESS, smtp_host="127.0.0.1", smtp_security="none", smtp_username="u",
                         smtp_password="p", imap_host="localhost", imap_security="none", imap_username="u",
                         imap_password="p")
    assert config.imap_port == 143 and config.smtp_port == 587
