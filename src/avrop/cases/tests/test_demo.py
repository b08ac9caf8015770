"""The master-data demo (suppliers, agreements, cases): what it promises, and a second run adds nothing."""

import io

import pytest

from avrop.agreements.models import AgreementDocument, FollowUpMeeting
from avrop.cases.checklists import CaseType
from avrop.cases.models import Case
from avrop.core.demo import DEMO_PASSWORD
from avrop.organisations.models import User
from avrop.suppliers.models import BankAccount, PortalInvitation
from avrop.web.demo import load_all

pytestmark = pytest.mark.django_db


def _counts():
    return [
        m.objects.count() for m in (Case, FollowUpMeeting, AgreementDocument, BankAccount, PortalInvitation)
    ]


def test_master_data_demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load_all(io.StringIO())
    first = _counts()
    load_all(io.StringIO())
    assert _counts() == first

    assert set(Case.objects.values_list("case_type", flat=True)) == set(CaseType.values)
    assert set(Case.objects.values_list("status", flat=True)) == {
        "open",
        "in_progress",
        "waiting",
        "resolved",
        "closed",
    }
    assert Case.objects.filter(steps__done_at__isnull=False).exists()
    assert Case.objects.filter(steps__done_at__isnull=True, status="in_progress").exists()

    shared = FollowUpMeeting.objects.filter(agreement__reference="SRA-2025-MFP")
    assert shared.count() >= 3 and all(m.minutes for m in shared)
    assert AgreementDocument.objects.filter(agreement__reference="SRA-2025-MFP", kind="contract").exists()
    for document in AgreementDocument.objects.all():
        with document.file.open("rb") as stored:
            assert stored.read(5) == b"%PDF-"

    assert BankAccount.objects.filter(status="unverified").count() == 1
    assert BankAccount.objects.filter(status="verified").count() >= 9
    assert set(PortalInvitation.objects.values_list("status", flat=True)) == {"pending", "accepted"}
    assert User.objects.get(username="staples").check_password(DEMO_PASSWORD)
