"""The IMAP poller against a real IMAP server (pymap's in-memory backend) and a real SMTP server (aiosmtpd),
both on loopback: unread mail answered in thread and then marked read, nothing answered twice, a failed
send left unread for the next poll, and clear errors when the mailbox cannot be read."""

from __future__ import annotations

import threading
from email.message import EmailMessage

import pytest
from typer.testing import CliRunner

from agent.channels import (ImapPoller, MailboxRefused, MailboxUnavailable, PollResult, SmtpEmailSender,
                            email_conversation_id)
from agent.cli import app
from agent.config_email import EmailConfig
from agent.errors import ConfigError
from tests.mail_servers import IMAP_PASSWORD, IMAP_USER, SHOP_ADDRESS, free_port, smtp_env


def mail(text: str, message_id: str, *, subject: str = "Question", sender: str = "Jo Bloggs <jo@example.com>",
         **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = SHOP_ADDRESS
    message["Subject"] = subject
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message.as_bytes()


def imap_settings(agent, imap_server, **more) -> EmailConfig:
    """The agent's email settings with the loopback IMAP mailbox added."""
    values = {**agent.config.email.model_dump(exclude_unset=True), "imap_host": "127.0.0.1",
              "imap_port": imap_server.port, "imap_security": "none", "imap_username": IMAP_USER,
              "imap_password": IMAP_PASSWORD, **more}
    return EmailConfig(**values)


@pytest.fixture
def poller(email_agent, imap_server):
    sender = SmtpEmailSender(email_agent.config.email, attempts=2, backoff_s=(0.01, 0.02))
    return ImapPoller(email_agent, sender, config=imap_settings(email_agent, imap_server))


def customer_turns(agent, conversation_id: str) -> list[str]:
    return [t.text for t in agent.store.turns(conversation_id) if t.role == "customer"]


def test_unread_mail_is_answered_in_thread_and_marked_read_and_a_second_poll_answers_nothing(
        poller, imap_server, smtp_server):
    imap_server.deliver(mail("How much is delivery?", "<p1@mail.example.com>", subject="Delivery"))
    imap_server.deliver(mail("When are you open on Saturday?", "<p2@mail.example.com>", subject="Hours",
                             sender="Ada <ada@example.org>"))
    imap_server.deliver(mail("I am away until Monday.", "<p3@mail.example.com>", subject="Out of office",
                             Auto_Submitted="auto-replied"))
    assert imap_server.unseen() == 3

    assert poller.poll_once() == PollResult(answered=2, ignored=1, failed=0)
    delivery, hours = smtp_server.messages
    assert delivery["Subject"] == "Re: Delivery" and delivery["In-Reply-To"] == "<p1@mail.example.com>"
    assert delivery["References"] == "<p1@mail.example.com>" and "£4.50" in delivery.get_content()
    assert hours["To"].addresses[0].addr_spec == "ada@example.org" and "17:00" in hours.get_content()
    assert imap_server.unseen() == 0

    assert poller.poll_once() == PollResult()
    assert len(smtp_server.messages) == 2
    assert customer_turns(poller.agent, email_conversation_id(SHOP_ADDRESS, "<p1@mail.example.com>")) == [
        "How much is delivery?"]


def test_a_reply_in_the_thread_continues_its_conversation(poller, imap_server, smtp_server):
    imap_server.deliver(mail("How much is delivery?", "<p1@mail.example.com>", subject="Delivery"))
    poller.poll_once()
    ours = smtp_server.messages[0]["Message-ID"]
    imap_server.deliver(mail("Is it free on big orders?\n\nOn Tue, Crumb wrote:\n> Delivery costs £4.50.",
                             "<p2@mail.example.com>", subject="Re: Delivery", In_Reply_To=ours,
                             References=f"<p1@mail.example.com> {ours}"))
    assert poller.poll_once().answered == 1
    assert customer_turns(poller.agent, email_conversation_id(SHOP_ADDRESS, "<p1@mail.example.com>")) == [
        "How much is delivery?", "Is it free on big orders?"]


def test_a_failed_send_leaves_the_mail_unread_and_the_next_poll_sends_the_same_stored_reply(
        poller, imap_server, smtp_server):
    imap_server.deliver(mail("How much is delivery?", "<p1@mail.example.com>", subject="Delivery"))
    smtp_server.stop()
    assert poller.poll_once() == PollResult(failed=1)
    assert imap_server.unseen() == 1
    smtp_server.start()
    assert poller.poll_once() == PollResult(answered=1)
    assert imap_server.unseen() == 0
    conversation_id = email_conversation_id(SHOP_ADDRESS, "<p1@mail.example.com>")
    turns = poller.agent.store.turns(conversation_id)
    assert [t.role for t in turns] == ["customer", "assistant"]
    [reply] = smtp_server.messages
    assert reply.get_content().replace("\r\n", "\n").strip() == turns[1].text.strip()


def test_a_poll_is_bounded_and_says_how_many_are_left(email_agent, imap_server, smtp_server):
    for i in range(3):
        imap_server.deliver(mail("When are you open?", f"<b{i}@mail.example.com>"))
    sender = SmtpEmailSender(email_agent.config.email)
    poller = ImapPoller(email_agent, sender, config=imap_settings(email_agent, imap_server), max_per_poll=2)
    assert poller.poll_once() == PollResult(answered=2, left=1)
    assert poller.poll_once() == PollResult(answered=1)


def test_mail_that_cannot_be_answered_is_marked_read_and_not_tried_again(poller, imap_server, smtp_server):
    imap_server.deliver(b"Subject: no sender at all\r\nMessage-ID: <x1@x>\r\n\r\nhello\r\n")
    imap_server.deliver(mail("Our own copy", "<x2@crumb.example>", sender=f"Crumb & Co. <{SHOP_ADDRESS}>"))
    assert poller.poll_once() == PollResult(ignored=2)
    assert imap_server.unseen() == 0 and smtp_server.messages == []


def test_a_wrong_password_or_folder_is_a_configuration_error_that_says_what_to_fix(email_agent, imap_server):
    sender = SmtpEmailSender(email_agent.config.email)
    wrong = ImapPoller(email_agent, sender, config=imap_settings(email_agent, imap_server, imap_password="nope"))
    with pytest.raises(MailboxRefused, match="imap_password"):
        wrong.poll_once()
    folder = ImapPoller(email_agent, sender, config=imap_settings(email_agent, imap_server, imap_folder="Support"))
    with pytest.raises(MailboxRefused, match="imap_folder"):
        folder.poll_once()


def test_an_unreachable_server_is_a_retryable_error(email_agent, imap_server):
    config = imap_settings(email_agent, imap_server, imap_port=free_port())
    poller = ImapPoller(email_agent, SmtpEmailSender(email_agent.config.email), config=config, timeout_s=2)
    with pytest.raises(MailboxUnavailable, match="imap_host"):
        poller.poll_once()


def test_run_polls_until_stopped(poller, imap_server, smtp_server):
    imap_server.deliver(mail("How much is delivery?", "<p1@mail.example.com>"))
    stop = threading.Event()
    worker = threading.Thread(target=poller.run, args=(stop,), daemon=True)
    worker.start()
    for _ in range(100):
        if smtp_server.messages:
            break
        stop.wait(0.1)
    stop.set()
    worker.join(timeout=30)
    assert not worker.is_alive() and len(smtp_server.messages) == 1


def test_a_poller_needs_an_imap_mailbox(email_agent):
    with pytest.raises(ConfigError, match="imap_host"):
        ImapPoller(email_agent, SmtpEmailSender(email_agent.config.email))


# -- the command line --------------------------------------------------------------------------------------------------
def test_tactful_email_poll_once_answers_the_mailbox(shop_env, imap_server, smtp_server):
    env = {**shop_env, **smtp_env(smtp_server), "TACTFUL_EMAIL__IMAP_HOST": "127.0.0.1",
           "TACTFUL_EMAIL__IMAP_PORT": str(imap_server.port), "TACTFUL_EMAIL__IMAP_SECURITY": "none",
           "TACTFUL_EMAIL__IMAP_USERNAME": IMAP_USER, "TACTFUL_EMAIL__IMAP_PASSWORD": IMAP_PASSWORD,
           "TACTFUL_EMBEDDING__PROVIDER": "hash", "COLUMNS": "200"}
    imap_server.deliver(mail("How much is delivery?", "<c1@mail.example.com>"))
    result = CliRunner().invoke(app, ["email", "poll", "--once"], env=env)
    assert result.exit_code == 0, result.output
    assert "1 answered, 0 ignored, 0 failed" in result.output
    assert smtp_server.messages[0]["In-Reply-To"] == "<c1@mail.example.com>"
    test_send = CliRunner().invoke(app, ["email", "test-send", "ada@example.org"], env=env)
    assert test_send.exit_code == 0 and "Sent a test message" in test_send.output
    assert smtp_server.handler.received[-1]["rcpt_tos"] == ["ada@example.org"]


@pytest.mark.parametrize("env, error", [
    ({}, "email.address is not set"),
    ({"TACTFUL_EMAIL__ADDRESS": SHOP_ADDRESS, "TACTFUL_EMAIL__SMTP_HOST": "127.0.0.1"}, "IMAP is not configured"),
    ({"TACTFUL_EMAIL__ADDRESS": SHOP_ADDRESS}, "email.smtp_host is not set"),
])
def test_tactful_email_poll_refuses_a_configuration_without_a_mailbox(shop_env, env, error):
    result = CliRunner().invoke(app, ["email", "poll", "--once"], env={**shop_env, **env, "COLUMNS": "200"})
    assert result.exit_code == 2 and error in result.output


def test_tactful_email_test_send_refuses_what_is_not_an_address(shop_env, smtp_server):
    result = CliRunner().invoke(app, ["email", "test-send", "not an address"],
                                env={**shop_env, **smtp_env(smtp_server), "COLUMNS": "200"})
    assert result.exit_code == 2 and "not an email address" in result.output
