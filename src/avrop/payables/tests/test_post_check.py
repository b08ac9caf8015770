"""Post-check: the month's sample by rule and at random, a second person's check, findings followed up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from avrop.core.errors import DomainError, NotAllowed, NotFound
from avrop.core.models import AuditEvent
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from avrop.payables.models import PostCheckSample, PostCheckSettings, SupplierInvoice
from avrop.payables.postcheck.services import post_check_close, post_check_draw, post_check_record
from avrop.payables.tests.payments_fixtures import approved

pytestmark = pytest.mark.django_db
THIS_MONTH = timezone.localdate().replace(day=1)


def _checker(world, role=Role.AP_CLERK):
    user = UserFactory.create()
    MembershipFactory.create(user=user, organisation=world.buyer, role=role)
    return user


def test_the_sample_takes_the_rules_and_a_repeatable_random_share(world, receive):
    invoices = [approved(world, receive, f"PC-{n}", seed=300 + n) for n in range(12)]
    # A round and large amount on one of them (the level lowered so the sample shows it).
    PostCheckSettings.objects.create(
        organisation=world.buyer, large_amount=Decimal("999999"), random_percent=10
    )
    SupplierInvoice.objects.filter(pk=invoices[5].pk).update(payable_amount=Decimal("5000.00"))
    drawn = post_check_draw(actor=world.clerk, organisation=world.buyer, period=THIS_MONTH)
    samples = {s.invoice_id: s.reasons for s in PostCheckSample.objects.all()}
    assert samples[invoices[0].pk] == ["new_supplier"]  # the supplier's first attested invoice
    assert "round_amount" in samples[invoices[5].pk]
    random_ones = [pk for pk, why in samples.items() if why == ["random"]]
    assert len(random_ones) == 1  # 10 % of the ten left, rounded up
    assert drawn == len(samples) == 3
    # Drawing again adds nothing, and the random part is not drawn twice.
    assert post_check_draw(actor=world.clerk, organisation=world.buyer, period=THIS_MONTH) == 0
    assert AuditEvent.objects.filter(action="post_check.draw").count() == 2
    # Drawn again from scratch, the same invoice comes up: the draw is seeded by organisation and month.
    PostCheckSample.objects.all().delete()
    post_check_draw(actor=world.clerk, organisation=world.buyer, period=THIS_MONTH)
    assert [
        pk for pk, why in PostCheckSample.objects.values_list("invoice_id", "reasons") if why == ["random"]
    ] == (random_ones)


def test_a_bank_account_changed_before_attest_is_drawn(world, receive):
    from avrop.payables.tests.payments_fixtures import verified_account

    verified_account(world)
    invoice = approved(world, receive, "BANK-1", seed=401)
    post_check_draw(actor=world.clerk, organisation=world.buyer, period=THIS_MONTH)
    assert "bank_account" in PostCheckSample.objects.get(invoice=invoice).reasons


def test_nobody_checks_an_invoice_they_handled_and_findings_are_closed_by_someone_else(world, receive):
    invoice = approved(world, receive, "SOD-1", seed=501)
    post_check_draw(actor=world.clerk, organisation=world.buyer, period=THIS_MONTH)
    sample = PostCheckSample.objects.get(invoice=invoice)
    with pytest.raises(NotAllowed):  # the clerk sent it for attest
        post_check_record(actor=world.clerk, sample_id=sample.pk, passed=True)
    checker = _checker(world)
    with pytest.raises(DomainError):
        post_check_record(actor=checker, sample_id=sample.pk, passed=False, finding="  ")
    post_check_record(
        actor=checker, sample_id=sample.pk, passed=False, finding="Fakturan saknar ordernummer."
    )
    with pytest.raises(NotAllowed):
        post_check_close(actor=checker, sample_id=sample.pk, follow_up="Klart")
    post_check_close(actor=world.admin, sample_id=sample.pk, follow_up="Leverantören påmind om referenser.")
    sample.refresh_from_db()
    assert (sample.status, sample.checked_by, sample.closed_by) == ("closed", checker, world.admin)
    assert AuditEvent.objects.filter(action__in=["post_check.record", "post_check.close"]).count() == 2


def test_roles_and_other_organisations(world, receive, client):
    invoice = approved(world, receive, "ROLE-1", seed=601)
    post_check_draw(actor=world.clerk, organisation=world.buyer, period=THIS_MONTH)
    sample = PostCheckSample.objects.get(invoice=invoice)
    auditor = _checker(world, Role.AUDITOR)
    with pytest.raises(NotAllowed):
        post_check_record(actor=auditor, sample_id=sample.pk, passed=True)
    stranger = UserFactory.create()
    MembershipFactory.create(user=stranger, organisation=OrganisationFactory.create(), role=Role.AP_CLERK)
    with pytest.raises(NotFound):
        post_check_record(actor=stranger, sample_id=sample.pk, passed=True)
    client.force_login(auditor)
    page = client.get(f"/payables/post-check/?period={THIS_MONTH:%Y-%m}")
    assert page.status_code == 200 and "ROLE-1" in page.content.decode()
    assert client.post(f"/payables/post-check/{sample.pk}/", {"action": "passed"}).status_code in {403, 404}
    client.force_login(stranger)
    assert client.post(f"/payables/post-check/{sample.pk}/", {"action": "passed"}).status_code == 404
    sample.refresh_from_db()
    assert sample.status == "open"


def test_the_page_records_a_check_in_few_queries(world, receive, client, django_assert_max_num_queries):
    for n in range(4):
        approved(world, receive, f"Q-{n}", seed=700 + n)
    PostCheckSettings.objects.create(organisation=world.buyer, random_percent=100)
    client.force_login(world.clerk)
    response = client.post("/payables/post-check/draw/", {"period": f"{THIS_MONTH:%Y-%m}"})
    assert response.status_code == 302
    assert PostCheckSample.objects.count() == 4
    with django_assert_max_num_queries(14):
        page = client.get(f"/payables/post-check/?period={THIS_MONTH:%Y-%m}")
    assert page.status_code == 200
    checker = _checker(world)
    client.force_login(checker)
    sample = PostCheckSample.objects.first()
    assert client.post(f"/payables/post-check/{sample.pk}/", {"action": "passed"}).status_code == 302
    sample.refresh_from_db()
    assert sample.status == "passed"


def test_a_month_not_begun_cannot_be_sampled(world):
    later = (THIS_MONTH + dt.timedelta(days=40)).replace(day=1)
    with pytest.raises(DomainError):
        post_check_draw(actor=world.clerk, organisation=world.buyer, period=later)
