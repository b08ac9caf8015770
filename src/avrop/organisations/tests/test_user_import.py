"""Bulk import of users: a file with bad rows imports nothing unless the valid rows are explicitly chosen."""

import io

import pytest

from avrop.core.errors import DomainError, NotAllowed
from avrop.organisations import services
from avrop.organisations.importing.tabular import decode_text, read_table
from avrop.organisations.importing.users import ALIASES, REQUIRED
from avrop.organisations.models import ImportJob, Membership, User
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

MIXED = (
    "Användarnamn;Förnamn;Efternamn;E-post;Roll;Avdelning;Telefon\r\n"
    "sara.lind;Sara;Lind;sara@kommun.example;beställare;SOL;0414-1\r\n"
    "per.ek;Per;Ek;per@kommun.example;Attestant;;\r\n"
    "åsa.öst;Åsa;Öst;inte-en-adress;beställare;SOL;\r\n"
    "olle;Olle;;olle@kommun.example;trollkarl;Finns inte;\r\n"
    "sara.lind;Sara;Lind;sara2@kommun.example;varumottagare;;\r\n"
)


def _import(tenant, content, capture, filename="personal.csv", **kwargs):
    with capture(execute=True):
        job = services.import_job_create(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            kind=ImportJob.Kind.USERS,
            filename=filename,
            content=content,
            **kwargs,
        )
    job.refresh_from_db()
    return job


@pytest.fixture
def kitchen(tenant):
    return DepartmentFactory(organisation=tenant.organisation, name="Solgårdens kök", code="SOL")


def test_mixed_file_imports_nothing_and_reports_every_bad_row(
    tenant, kitchen, django_capture_on_commit_callbacks
):
    job = _import(tenant, MIXED.encode("cp1252"), django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.REJECTED
    problems = {(e["row"], e["column"]) for e in job.report}
    assert problems == {(4, "email"), (5, "last_name"), (5, "role"), (5, "department"), (6, "username")}
    assert job.summary == {"valid_rows": 2}
    assert not User.objects.filter(username__in=["sara.lind", "per.ek"]).exists()
    duplicate = next(e for e in job.report if e["row"] == 6)
    assert "2" in duplicate["message"]  # names the row it duplicates


def test_choosing_the_valid_rows_imports_them(tenant, kitchen, django_capture_on_commit_callbacks):
    job = _import(tenant, MIXED.encode("cp1252"), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.import_job_import_valid_rows(actor=tenant.coordinator, job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.summary == {"users_created": 2, "roles_granted": 2, "rows_skipped": 3}
    sara = User.objects.get(username="sara.lind")
    assert (sara.first_name, sara.phone, sara.has_usable_password()) == ("Sara", "0414-1", False)
    membership = sara.memberships.get()
    assert (membership.role, membership.department) == (Role.REQUISITIONER, kitchen)
    assert User.objects.get(username="per.ek").memberships.get().role == Role.APPROVER
    # A finished job cannot be re-queued.
    with pytest.raises(DomainError):
        services.import_job_import_valid_rows(actor=tenant.coordinator, job_id=job.pk)


def test_clean_utf8_bom_comma_file_imports_at_once(tenant, kitchen, django_capture_on_commit_callbacks):
    content = (
        "\ufeffusername,first_name,last_name,email,role,department\n"
        "kim,Kim,Åberg,kim@kommun.example,requisitioner,Solgårdens kök\n"
    ).encode()
    job = _import(tenant, content, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE, job.report
    assert User.objects.get(username="kim").last_name == "Åberg"


def test_xlsx_file(tenant, kitchen, django_capture_on_commit_callbacks):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Användarnamn", "Förnamn", "Efternamn", "E-post", "Roll", "Avdelning"])
    book.active.append(["lo", "Lo", "Holm", "lo@kommun.example", "varumottagare", kitchen.gln])
    buffer = io.BytesIO()
    book.save(buffer)
    job = _import(tenant, buffer.getvalue(), django_capture_on_commit_callbacks, filename="personal.xlsx")
    assert job.status == ImportJob.Status.DONE, job.report
    assert User.objects.get(username="lo").memberships.get().department == kitchen


def test_existing_users(tenant, other_tenant, django_capture_on_commit_callbacks):
    member = tenant.person(Role.REQUISITIONER, username="anna")
    UserFactory(username="stranger")
    other_tenant.person(Role.REQUISITIONER, username="foreign")
    content = (
        b"username;first_name;last_name;email;role\n"
        b"ANNA;Anna;Berg;anna@kommun.example;approver\n"
        b"anna2;Anna;Berg;anna@kommun.example;requisitioner\n"
        b"stranger;S;S;s@x.example;requisitioner\n"
    )
    job = _import(tenant, content, django_capture_on_commit_callbacks)
    assert [(e["row"], e["column"]) for e in job.report] == [(4, "username")]
    content = b"username;first_name;last_name;email;role\nanna;Anna;Berg;a@x.example;requisitioner\n"
    job = _import(tenant, content, django_capture_on_commit_callbacks)
    assert (
        job.report[0]["column"] == "role"
        and "already has" in job.report[0]["message"]
        or "redan" in job.report[0]["message"]
    )
    job = _import(
        tenant,
        b"username;first_name;last_name;email;role\nanna;A;B;a@x.example;approver\n",
        django_capture_on_commit_callbacks,
    )
    assert job.status == ImportJob.Status.DONE
    assert set(Membership.objects.filter(user=member, is_active=True).values_list("role", flat=True)) == {
        Role.REQUISITIONER,
        Role.APPROVER,
    }


def test_missing_columns_fail_with_a_message(tenant, django_capture_on_commit_callbacks):
    job = _import(tenant, b"namn;epost\nx;y\n", django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.FAILED
    assert "username" in job.failure


def test_only_master_data_roles_import(tenant):
    requisitioner = tenant.person(Role.REQUISITIONER)
    with pytest.raises(NotAllowed):
        services.import_job_create(
            actor=requisitioner,
            organisation=tenant.organisation,
            kind=ImportJob.Kind.USERS,
            filename="x.csv",
            content=b"x",
        )


def test_empty_and_oversized_files(tenant, settings):
    with pytest.raises(DomainError) as empty:
        services.import_job_create(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            kind=ImportJob.Kind.USERS,
            filename="x.csv",
            content=b"",
        )
    assert empty.value.field == "file"
    settings.AVROP_MAX_UPLOAD_BYTES = 10
    with pytest.raises(DomainError) as large:
        services.import_job_create(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            kind=ImportJob.Kind.USERS,
            filename="x.csv",
            content=b"x" * 11,
        )
    assert large.value.code == "import_too_large"


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        ("åäö".encode(), "utf-8"),
        (b"\xef\xbb\xbf" + "åäö".encode(), "utf-8-sig"),
        ("åäö".encode("cp1252"), "cp1252"),
    ],
)
def test_encoding_detection(raw, encoding):
    assert decode_text(raw) == ("åäö", encoding)


def test_delimiter_detection_and_blank_lines():
    table = read_table(
        "x.csv",
        b"\nusername,first_name,last_name,email,role\n\na,b,c,d@e.se,requisitioner\n",
        ALIASES,
        REQUIRED,
    )
    assert table.delimiter == "," and table.rows == [
        (
            4,
            {
                "username": "a",
                "first_name": "b",
                "last_name": "c",
                "email": "d@e.se",
                "role": "requisitioner",
            },
        )
    ]
