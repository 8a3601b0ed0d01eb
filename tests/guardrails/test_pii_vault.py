"""The per-conversation vault numbers placeholders, restores the customer's own data, and the leak rail
stops personal data in a reply that is not this customer's."""

from __future__ import annotations

import json

from guardrails.pii import redact_pii
from guardrails.pii_vault import PiiLeakRail, PiiVault


def test_the_same_value_gets_the_same_numbered_placeholder_within_a_conversation():
    vault = PiiVault()
    first = vault.redact("Mail me at jo@example.com or Jo@Example.com, not sam@example.com")
    assert first.text == "Mail me at <EMAIL_ADDRESS_1> or <EMAIL_ADDRESS_1>, not <EMAIL_ADDRESS_2>"
    later = vault.redact("Did you get my email? It's sam@example.com. Phone 07700 900123")
    assert later.text == "Did you get my email? It's <EMAIL_ADDRESS_2>. Phone <PHONE_NUMBER_1>"
    assert len(vault) == 3


def test_restore_puts_the_customers_own_values_back():
    vault = PiiVault()
    vault.redact("I'm Priya, mail priya@example.com, I live at 14 Mill Lane")
    reply = "Thanks <PERSON_1>, we'll send the receipt to <EMAIL_ADDRESS_1> and deliver to <STREET_ADDRESS_1>."
    assert vault.restore(reply) == "Thanks Priya, we'll send the receipt to priya@example.com and deliver to 14 Mill Lane."
    assert vault.restore("unknown <EMAIL_ADDRESS_9> stays") == "unknown <EMAIL_ADDRESS_9> stays"


def test_the_vault_round_trips_through_json_and_keeps_numbering():
    vault = PiiVault()
    vault.redact("a@example.com and b@example.com")
    stored = json.loads(json.dumps(vault.to_dict()))
    again = PiiVault.from_dict(stored)
    assert again.restore("<EMAIL_ADDRESS_2>") == "b@example.com"
    assert again.redact("b@example.com, c@example.com").text == "<EMAIL_ADDRESS_2>, <EMAIL_ADDRESS_3>"


def test_plain_redaction_keeps_its_unnumbered_shape():
    assert redact_pii("Mail me at jo@example.com").text == "Mail me at <EMAIL_ADDRESS>"


def test_a_reply_with_the_customers_own_data_and_the_business_contacts_passes():
    vault = PiiVault()
    vault.redact("my email is jo@example.com")
    rail = PiiLeakRail(allowed=["hello@crumbandco.example", "+44 20 7946 0321"])
    verdict = rail.check("We'll confirm to jo@example.com; questions: hello@crumbandco.example or +44 20 7946 0321.",
                         vault)
    assert verdict.passed and verdict.action == "allow" and verdict.rail == "pii_leak"


def test_someone_elses_data_in_a_reply_is_repaired():
    vault = PiiVault()
    vault.redact("my email is jo@example.com")
    verdict = PiiLeakRail().check("Your order went to sam@example.com, card 4111 1111 1111 1111, sorry jo@example.com",
                                  vault)
    assert not verdict.passed
    assert (verdict.action, verdict.category) == ("repair", "pii_leak")
    assert verdict.repaired == "Your order went to <EMAIL_ADDRESS>, card <CREDIT_CARD>, sorry jo@example.com"
    assert {s.type for s in verdict.spans} == {"EMAIL_ADDRESS", "CREDIT_CARD"}


def test_without_a_vault_any_personal_data_is_a_leak():
    verdict = PiiLeakRail().check("Call Sarah Jones on 07700 900123")
    assert not verdict.passed and verdict.repaired == "Call <PERSON> on <PHONE_NUMBER>"


def test_a_reply_with_no_personal_data_passes_untouched():
    verdict = PiiLeakRail().check("Our sourdough is £4.50 and we open at 7:00 on Saturday 12 March.")
    assert verdict.passed and verdict.spans == ()
