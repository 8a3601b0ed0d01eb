"""Reading an email as the agent should: the customer's new words in any charset, the thread it belongs to,
and machine-sent mail recognised so that it is never answered."""

from __future__ import annotations

import json
from email.message import EmailMessage

import pytest

from agent.channels import InboundEmail, email_conversation_id, parse_rfc822, parse_webhook_fields, reply_subject
from agent.channels.email_message import cut_to, html_to_text, strip_quoted
from agent.errors import BadInput

SHOP = "hello@crumb.example"


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("latin-1")


def mail(body: str = "How much is delivery?", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Jo Bloggs <jo@example.com>")
    message["To"] = SHOP
    message["Subject"] = headers.pop("Subject", "Delivery")
    message["Message-ID"] = headers.pop("Message_ID", "<m1@mail.example.com>")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


# -- bodies ------------------------------------------------------------------------------------------------------------
def test_a_multipart_alternative_email_is_read_from_its_plain_part_in_its_own_charset():
    raw = crlf("""From: =?utf-8?q?Jos=C3=A9_Garc=C3=ADa?= <jose@example.com>
To: hello@crumb.example
Subject: =?iso-8859-1?q?Caf=E9_cake?=
Message-ID: <abc@example.com>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary=XX

--XX
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Do you make a caf=E9 cake for 12?

On Mon, 3 Jun 2024 at 10:00, Crumb & Co. <hello@crumb.example> wrote:
> Thanks for your order.
--XX
Content-Type: text/html; charset=utf-8

<p>HTML version: not read</p>
--XX--
""")
    email = parse_rfc822(raw)
    assert email.sender == "jose@example.com" and email.display_name == "José García"
    assert email.subject == "Café cake"
    assert email.text == "Do you make a café cake for 12?"
    assert email.message_id == "<abc@example.com>" and email.auto_reply is None


def test_an_html_only_email_is_turned_into_text_without_styles_scripts_or_the_quoted_thread():
    raw = crlf("""From: jo@example.com
Subject: Opening
Message-ID: <h1@example.com>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<html><head><style>p {color: red}</style><script>alert(1)</script></head>
<body><p>Are you open on&nbsp;Sunday?</p><div>Thanks,<br/>Jo</div>
<div class="gmail_quote">On Mon, Crumb wrote:<blockquote>We are open daily.</blockquote></div></body></html>
""")
    email = parse_rfc822(raw)
    assert email.text == "Are you open on Sunday?\n\nThanks,\nJo"


def test_attachments_are_never_read_and_an_unknown_charset_still_decodes():
    raw = crlf("""From: jo@example.com
Subject: Order
Message-ID: <a1@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=MM

--MM
Content-Type: text/plain; charset=x-unknown-charset

Can I change my order?
--MM
Content-Type: text/plain; name=notes.txt
Content-Disposition: attachment; filename=notes.txt

SECRET ATTACHMENT TEXT
--MM
Content-Type: application/pdf; name=invoice.pdf
Content-Disposition: attachment; filename=invoice.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--MM--
""")
    email = parse_rfc822(raw)
    assert email.text == "Can I change my order?"


def test_a_question_asked_only_in_the_subject_line_is_read_and_an_empty_email_stays_empty():
    assert parse_rfc822(mail("", Subject="Do you deliver on Sundays?")).text == "Do you deliver on Sundays?"
    assert parse_rfc822(mail("", Subject="Re: your order")).text == ""
    assert parse_rfc822(mail("\n\n", Subject="")).text == ""


def test_an_email_without_a_sender_address_is_bad_input():
    with pytest.raises(BadInput, match="no sender address"):
        parse_rfc822(mail(From="not an address"))


def test_reply_to_is_where_the_answer_goes_and_the_name_comes_from_from():
    email = parse_rfc822(mail(Reply_To="orders@jo.example"))
    assert email.sender == "orders@jo.example" and email.display_name == "Jo Bloggs"


# -- quoted history and signatures -------------------------------------------------------------------------------------
@pytest.mark.parametrize("body", [
    "Yes please, Saturday.\n\nOn Tue, 4 Jun 2024 at 10:02, Crumb & Co. <hello@crumb.example> wrote:\n> When?\n",
    "Yes please, Saturday.\n\nOn Tue, 4 Jun 2024 at 10:02, Crumb & Co.\n<hello@crumb.example> wrote:\n> When?",
    "Yes please, Saturday.\n\n-- \nJo Bloggs\n07700 900123\n",
    "Yes please, Saturday.\n\nFrom: Crumb & Co. <hello@crumb.example>\nSent: Tuesday, June 4, 2024 10:02\n"
    "To: Jo\nSubject: Delivery\n\nWhen would you like it?",
    "Yes please, Saturday.\n\n-----Original Message-----\nFrom: Crumb\nWhen would you like it?",
    "> When would you like it?\nYes please, Saturday.\n\nSent from my iPhone",
])
def test_quoted_history_outlook_blocks_and_signatures_are_stripped(body):
    assert strip_quoted(body) == "Yes please, Saturday."


def test_cut_to_keeps_whole_sentences():
    text = "First sentence here. " * 30
    cut = cut_to(text, 100)
    assert len(cut) <= 100 and cut.endswith("here.")
    assert cut_to("short", 100) == "short"


def test_html_to_text_survives_broken_markup():
    assert html_to_text("<p>Hello <b>there</p><div><<>>") .startswith("Hello there")


# -- auto-replies ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("headers, reason", [
    ({"Auto_Submitted": "auto-replied"}, "Auto-Submitted"),
    ({"Precedence": "bulk"}, "Precedence"),
    ({"Precedence": "junk"}, "Precedence"),
    ({"X_Autoreply": "yes"}, "auto-reply header"),
    ({"List_Id": "<news.shop.example>"}, "mailing list"),
    ({"From": "MAILER-DAEMON@mx.example.com"}, "automatic sender"),
    ({"From": "Mail Delivery System <postmaster@mx.example.com>"}, "automatic sender"),
    ({"Return_Path": "<>"}, "bounce"),
])
def test_machine_sent_mail_is_recognised(headers, reason):
    email = parse_rfc822(mail(**headers))
    assert email.auto_reply is not None and reason in email.auto_reply


def test_auto_submitted_no_is_a_person():
    assert parse_rfc822(mail(Auto_Submitted="no")).auto_reply is None


def test_a_delivery_report_is_not_answered():
    raw = crlf("""From: someone@example.com
Subject: Delivery Status Notification (Failure)
Message-ID: <dsn@example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary=RR

--RR
Content-Type: text/plain

Your message could not be delivered.
--RR--
""")
    assert parse_rfc822(raw).auto_reply == "a delivery or read report"


# -- threads -----------------------------------------------------------------------------------------------------------
def test_the_thread_root_is_the_first_reference_else_the_parent_else_the_message_itself():
    first = parse_rfc822(mail())
    assert first.thread_root == "<m1@mail.example.com>"
    parent_only = parse_rfc822(mail(Message_ID="<m2@x>", In_Reply_To="<r1@crumb.example>"))
    assert parent_only.thread_root == "<r1@crumb.example>"
    full = parse_rfc822(mail(Message_ID="<m3@x>", In_Reply_To="<r2@crumb.example>",
                             References="<m1@mail.example.com> <r1@crumb.example> <m2@x> <r2@crumb.example>"))
    assert full.thread_root == "<m1@mail.example.com>"
    assert full.reply_references() == ("<m1@mail.example.com>", "<r1@crumb.example>", "<m2@x>",
                                       "<r2@crumb.example>", "<m3@x>")


def test_one_thread_is_one_conversation_per_business_and_the_id_carries_no_address():
    one = email_conversation_id(SHOP, "<m1@mail.example.com>")
    assert one == email_conversation_id("Hello@Crumb.example ", "m1@mail.example.com")
    assert one != email_conversation_id("orders@crumb.example", "<m1@mail.example.com>")
    assert one != email_conversation_id(SHOP, "<m2@mail.example.com>")
    assert one.startswith("email-") and "crumb" not in one and "mail.example" not in one


def test_a_long_references_chain_keeps_its_root_and_the_latest_messages():
    refs = " ".join(f"<r{i}@x>" for i in range(50))
    email = parse_rfc822(mail(Message_ID="<last@x>", References=refs))
    chain = email.reply_references()
    assert len(chain) == 20 and chain[0] == "<r0@x>" and chain[-1] == "<last@x>"


@pytest.mark.parametrize("message_id", ["<short@example.com>", "<" + "x" * 200 + "@example.com>",
                                        "<ünï@example.com>"])
def test_the_agent_message_key_is_at_most_80_printable_characters_and_stable(message_id):
    email = InboundEmail(sender="jo@example.com", display_name="", subject="", text="hi", message_id=message_id)
    key = email.message_key
    assert 0 < len(key) <= 80 and key.isprintable() and key.isascii()
    assert key == InboundEmail(sender="x@y.z", display_name="", subject="", text="", message_id=message_id).message_key


def test_a_message_without_a_message_id_still_gets_a_stable_one():
    raw = mail()
    without = raw.replace(b"Message-ID: <m1@mail.example.com>\n", b"")
    assert parse_rfc822(without).message_id == parse_rfc822(without).message_id != "<m1@mail.example.com>"


@pytest.mark.parametrize("subject, expected", [
    ("Delivery", "Re: Delivery"), ("Re: Delivery", "Re: Delivery"), ("RE: Delivery", "RE: Delivery"),
    ("AW: Lieferung", "AW: Lieferung"), ("", "Re: your message"), ("Two\r\n lines", "Re: Two lines"),
])
def test_reply_subjects_are_not_doubled(subject, expected):
    assert reply_subject(subject) == expected


# -- the provider's webhook fields -------------------------------------------------------------------------------------
def webhook(**fields: str) -> dict[str, str]:
    base = {"sender": "jo@example.com", "from": "Jo Bloggs <jo@example.com>", "subject": "Re: Delivery",
            "body-plain": "Is it free?\n\nOn Tue, Crumb wrote:\n> Delivery is £4.50.", "stripped-text": "Is it free?",
            "Message-Id": "<m2@mail.example.com>", "In-Reply-To": "<r1@crumb.example>",
            "References": "<m1@mail.example.com> <r1@crumb.example>", "timestamp": "1700000000",
            "token": "t" * 50, "signature": "0" * 64}
    return {**base, **fields}


def test_webhook_fields_prefer_the_providers_stripped_text_and_carry_the_thread():
    email = parse_webhook_fields(webhook())
    assert email.text == "Is it free?" and email.sender == "jo@example.com" and email.display_name == "Jo Bloggs"
    assert email.message_id == "<m2@mail.example.com>" and email.thread_root == "<m1@mail.example.com>"


def test_webhook_fields_without_stripped_text_are_stripped_here_and_html_is_the_last_resort():
    assert parse_webhook_fields(webhook(**{"stripped-text": ""})).text == "Is it free?"
    html_only = webhook(**{"stripped-text": "", "body-plain": "", "body-html": "<p>Is it <b>free</b>?</p>"})
    assert parse_webhook_fields(html_only).text == "Is it free?"


def test_webhook_headers_in_message_headers_are_read_for_auto_replies_and_reply_to():
    headers = json.dumps([["Auto-Submitted", "auto-replied"], ["Reply-To", "orders@jo.example"]])
    email = parse_webhook_fields(webhook(**{"message-headers": headers}))
    assert email.auto_reply == "Auto-Submitted" and email.sender == "orders@jo.example"
    assert parse_webhook_fields(webhook(**{"message-headers": "not json"})).auto_reply is None


def test_webhook_fields_fall_back_to_the_envelope_sender_and_refuse_no_sender():
    assert parse_webhook_fields(webhook(**{"from": ""})).sender == "jo@example.com"
    with pytest.raises(BadInput):
        parse_webhook_fields(webhook(**{"from": "", "sender": ""}))


def test_a_message_id_field_without_angle_brackets_is_read_as_one():
    email = parse_webhook_fields(webhook(**{"Message-Id": "m9@mail.example.com", "In-Reply-To": "",
                                            "References": ""}))
    assert email.message_id == "<m9@mail.example.com>" and email.thread_root == "<m9@mail.example.com>"


def test_the_raw_mime_field_is_parsed_as_the_whole_message():
    email = parse_webhook_fields(webhook(**{"body-mime": mail("From the raw message.").decode()}))
    assert email.text == "From the raw message." and email.message_id == "<m1@mail.example.com>"
