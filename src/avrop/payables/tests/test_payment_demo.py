"""The demo gives a new user a payment proposal waiting for its second approval, and vouchers to export."""

from __future__ import annotations

import io

from avrop.payables.models import JournalEntry, PaymentProposal


def test_demo_has_a_proposal_waiting_for_a_second_approval(
    db, settings, tmp_path, django_capture_on_commit_callbacks
):
    from avrop.organisations.models import User
    from avrop.payables.payments import services
    from avrop.web.demo import load_all

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PAYABLES_PEPPOL_DIR = str(tmp_path / "peppol")
    with django_capture_on_commit_callbacks(execute=True):
        load_all(io.StringIO())
    proposal = PaymentProposal.objects.get(organisation__name="Österlens kommun")
    assert proposal.status == PaymentProposal.Status.PROPOSED
    assert "MS-87900" in set(proposal.lines.values_list("invoice__number", flat=True))
    assert list(proposal.approvals.values_list("user__username", flat=True)) == ["ap_clerk"]
    assert JournalEntry.objects.filter(invoice__number="MS-87900").exists()

    with django_capture_on_commit_callbacks(execute=True):
        load_all(io.StringIO())
    assert PaymentProposal.objects.count() == 1
    # The administrator's approval completes it and the file passes the schema.
    services.proposal_approve(actor=User.objects.get(username="admin"), proposal_id=proposal.pk)
    payment_file = services.proposal_release(
        actor=User.objects.get(username="admin"), proposal_id=proposal.pk
    )
    assert payment_file.transaction_count == proposal.lines.count()
