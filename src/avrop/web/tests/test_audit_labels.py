"""Audit-trail actions in words, the code kept for support."""

from django.utils import translation

from avrop.web.audit_labels import audit_action_label


def test_audit_actions_in_words_and_unknown_ones_as_their_code():
    with translation.override("sv"):
        assert audit_action_label("bank_account.change") == "Bankkonto ändrades"
        assert audit_action_label("receivables.invoice.send") == "Kundfaktura skickades"
        assert audit_action_label("purchase_order.response") == "Order besvarades av leverantören"
        assert audit_action_label("spaceship.launch") == "spaceship.launch"
    with translation.override("en"):
        assert audit_action_label("bank_account.change") == "Bank account changed"
