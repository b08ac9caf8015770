"""Pages name things in words: the audit trail's actions and the 403 page's roles, each with its code kept
in a details line for support."""

import re

import pytest
from django.urls import reverse

from avrop.core.audit import audit
from avrop.organisations.roles import Role

pytestmark = pytest.mark.django_db


def test_audit_trail_shows_the_action_in_words_and_the_code_for_support(client, make_member):
    user, organisation = make_member(Role.AUDITOR)
    audit(actor=user, action="bank_account.change", obj=organisation, organisation=organisation)
    client.force_login(user)
    page = client.get(reverse("core:audit_log")).content.decode()
    row = re.search(
        r"<td>Bankkonto ändrades<br><span class=\"detail\"><code>bank_account.change</code>", page
    )
    assert row is not None, page[-3000:]


def test_the_forbidden_page_names_the_roles_in_swedish(client, make_member):
    user, _organisation = make_member(Role.REQUISITIONER)
    client.force_login(user)
    response = client.get(reverse("core:audit_log"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Sidan kräver någon av rollerna: Revisor, Systemförvaltare<br>" in page
    assert "<code>admin, auditor</code>" in page


def test_an_empty_choice_is_a_word_not_dashes():
    from django import forms

    class Choose(forms.Form):
        kind = forms.ChoiceField(choices=[("", "---------"), ("a", "A")], required=False)

    assert "---------" not in str(Choose()["kind"]) and "– Välj –" in str(Choose()["kind"])
