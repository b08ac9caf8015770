"""Chart of accounts: SIE 4 reading, CSV/XLSX import, set-based upserts, shared charts and coding checks."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from avrop.core.errors import DomainError, NotFound
from avrop.organisations import selectors, services
from avrop.organisations.importing.sie import parse_sie, split_fields
from avrop.organisations.models import Account, Dimension, DimensionObject, ImportJob
from avrop.organisations.roles import Role
from avrop.organisations.selectors.chart import coding_check, cost_centre_list, dimension_object_list
from avrop.organisations.tests.factories import ChartFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

SIE = """#FLAGGA 0
#PROGRAM "Ekonomisystemet" 4.1
#FORMAT PC8
#GEN 20260101
#SIETYP 4
#FNAMN "Österlens kommun"
#KONTO 4010 "Inköp material och varor"
#KONTO 5410 "Livsmedel"
#KTYP 5410 K
#KONTO 6110 "Kontorsmaterial \\"A4\\" och pärmar"
#KONTO\t6411 Förbrukningsmaterial
#DIM 1 "Ansvar"
#UNDERDIM 21 "Delansvar" 1
#DIM 20 "Verksamhet"
#OBJEKT 1 "1200" "Solgårdens kök"
#OBJEKT 1 1300 "Österportskolan"
#OBJEKT 6 "P-100" "Ny förskola Kivik"
#OBJEKT 20 "410" "Äldreomsorg"
#OBJEKT 21 "1200-1" "Kök, kall"
#VER A 1 20260105 "Ignoreras"
{
#TRANS 5410 {1 "1200"} 100.00
}
"""


def sie_bytes(text: str = SIE, encoding: str = "cp437") -> bytes:
    return text.replace("\n", "\r\n").encode(encoding)


def test_split_fields_handles_quotes_escapes_and_lists():
    assert split_fields('#KONTO 6110 "Kontor \\"A4\\" och pärmar"') == [
        "#KONTO",
        "6110",
        'Kontor "A4" och pärmar',
    ]
    assert split_fields('#TRANS 5410 {1 "1200" 6 "P 1"} 100.00') == [
        "#TRANS",
        "5410",
        '{1 "1200" 6 "P 1"}',
        "100.00",
    ]
    assert split_fields("#KONTO\t4010\t Material") == ["#KONTO", "4010", "Material"]


def test_parse_pc8_file():
    parsed = parse_sie(sie_bytes())
    assert parsed.encoding == "cp437" and parsed.company == "Österlens kommun"
    assert parsed.errors == []
    assert parsed.accounts["6110"].name == 'Kontorsmaterial "A4" och pärmar'
    assert parsed.accounts["6411"].name == "Förbrukningsmaterial"
    assert parsed.accounts["5410"].kind == "K"
    assert parsed.dimensions[21].parent == 1
    assert parsed.objects[(1, "1300")].name == "Österportskolan"
    assert parsed.objects[(6, "P-100")].name == "Ny förskola Kivik"  # dimension 6 is reserved: no #DIM needed


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_parse_files_in_other_encodings(encoding):
    parsed = parse_sie(sie_bytes(encoding=encoding))
    assert parsed.objects[(20, "410")].name == "Äldreomsorg"


def test_parse_reports_every_bad_line():
    bad = (
        SIE + '#KONTO 54X0 "Fel"\n#KONTO 5410 "Dubblett"\n#OBJEKT 7 "" "Tom"\n#OBJEKT 33 "1" "Odeklarerad"\n'
        "#KTYP 9999 K\n#KTYP 4010 X\n#KONTO 7000\n"
    )
    parsed = parse_sie(sie_bytes(bad))
    found = {(e.row, e.column) for e in parsed.errors}
    lines = bad.splitlines()

    def line(prefix):
        return next(i for i, text in enumerate(lines, start=1) if text.startswith(prefix))

    assert (line("#KONTO 54X0"), "kontonr") in found
    assert (line('#KONTO 5410 "Dubblett"'), "kontonr") in found
    assert (line("#OBJEKT 7"), "objektnr") in found
    assert (line("#OBJEKT 33"), "dimensionsnr") in found
    assert (line("#KTYP 9999"), "#KTYP") in found
    assert (line("#KTYP 4010 X"), "#KTYP") in found
    assert (line("#KONTO 7000"), "#KONTO") in found


def test_sie_import_job_creates_then_updates_set_based(tenant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            kind=ImportJob.Kind.CHART_SIE,
            filename="kommun.se",
            content=sie_bytes(),
        )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.failure or job.report
    assert job.summary["accounts_created"] == 2  # 5410 and 6110 existed already
    assert job.summary["accounts_updated"] == 1  # 6110 got the file's name
    assert Account.objects.get(chart=tenant.chart, number="5410").kind == "K"
    activity = Dimension.objects.get(chart=tenant.chart, number=20)
    assert (activity.code, activity.kind) == ("activity", Dimension.Kind.ACTIVITY)
    assert Dimension.objects.get(chart=tenant.chart, number=21).parent.number == 1
    assert (
        DimensionObject.objects.get(dimension__chart=tenant.chart, code="P-100").dimension.code == "project"
    )
    assert job.sha256 and job.size == len(sie_bytes())

    # A second run of the same file changes nothing, in a handful of statements.
    with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
        again = services.import_job_create(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            kind=ImportJob.Kind.CHART_SIE,
            filename="kommun.se",
            content=sie_bytes(),
        )
    again.refresh_from_db()
    assert again.summary == {
        "accounts_created": 0,
        "accounts_updated": 0,
        "dimensions_created": 0,
        "objects_created": 0,
        "objects_updated": 0,
    }
    assert len(ctx.captured_queries) < 40


def test_sie_keeps_validity_dates_set_by_hand(tenant, django_capture_on_commit_callbacks):
    tenant.food.valid_to = dt.date(2030, 12, 31)
    tenant.food.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.import_job_create(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            kind=ImportJob.Kind.CHART_SIE,
            filename="k.se",
            content=sie_bytes(),
        )
    tenant.food.refresh_from_db()
    assert tenant.food.valid_to == dt.date(2030, 12, 31)


def test_sie_with_bad_lines_imports_nothing_unless_chosen(tenant, django_capture_on_commit_callbacks):
    content = sie_bytes(SIE + '#KONTO 54X0 "Fel"\n#KONTO 7010 "Löner"\n')
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            kind=ImportJob.Kind.CHART_SIE,
            filename="k.se",
            content=content,
        )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REJECTED and job.error_count == 1
    assert job.report[0]["column"] == "kontonr" and job.report[0]["value"] == "54X0"
    assert not Account.objects.filter(chart=tenant.chart, number="7010").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.import_job_import_valid_rows(actor=tenant.coordinator, job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Account.objects.filter(chart=tenant.chart, number="7010").exists()


def test_table_import_csv_semicolon_windows_1252(tenant, django_capture_on_commit_callbacks):
    csv = (
        "Typ;Kod;Namn;Giltig från;Giltig till\r\n"
        "konto;4020;Inköp förbrukning;2026-01-01;\r\n"
        "kostnadsställe;1500;Hemtjänst Östra;;\r\n"
        "projekt;P-200;Förskola Brantevik;2026-02-01;2026-01-01\r\n"
        "okänd;1;X;;\r\n"
        "konto;40A0;Fel;;\r\n"
    ).encode("cp1252")
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            kind=ImportJob.Kind.CHART_TABLE,
            filename="konton.csv",
            content=csv,
        )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REJECTED
    assert {(e["row"], e["column"]) for e in job.report} == {(4, "valid_to"), (5, "type"), (6, "code")}
    assert not Account.objects.filter(number="4020").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.import_job_import_valid_rows(actor=tenant.coordinator, job_id=job.pk)
    assert Account.objects.get(chart=tenant.chart, number="4020").valid_from == dt.date(2026, 1, 1)
    assert DimensionObject.objects.get(dimension=tenant.cost_centre, code="1500").name == "Hemtjänst Östra"


def test_table_import_xlsx(tenant, django_capture_on_commit_callbacks):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["type", "code", "name", "valid_from"])
    sheet.append(["account", 4030, "Inköp livsmedel", dt.date(2026, 1, 1)])
    sheet.append(["cost_centre", 1600, "Kulturskolan", None])
    buffer = io.BytesIO()
    book.save(buffer)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            kind=ImportJob.Kind.CHART_TABLE,
            filename="konton.xlsx",
            content=buffer.getvalue(),
        )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.report or job.failure
    assert Account.objects.get(chart=tenant.chart, number="4030").valid_from == dt.date(2026, 1, 1)
    assert DimensionObject.objects.filter(dimension=tenant.cost_centre, code="1600").exists()


def test_unreadable_file_fails_with_a_message(tenant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            kind=ImportJob.Kind.CHART_TABLE,
            filename="x.xlsx",
            content=b"not zip",
        )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.failure
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            kind=ImportJob.Kind.CHART_TABLE,
            filename="x.csv",
            content=b"foo;bar\n1;2\n",
        )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "type" in job.failure


def test_large_file_runs_as_a_task(tenant, settings, django_capture_on_commit_callbacks):
    lines = "".join(f'#KONTO {4000 + i} "Konto {i}"\n' for i in range(3000))
    content = sie_bytes(lines)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            kind=ImportJob.Kind.CHART_SIE,
            filename="big.se",
            content=content,
            inline=False,
        )
    job.refresh_from_db()  # the test queue runs tasks at once
    assert (
        job.status == ImportJob.Status.DONE and job.summary["accounts_created"] == 2998
    )  # 5410 and 6110 existed
    assert job.progress_percent == 100


def test_import_job_run_is_idempotent(tenant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            kind=ImportJob.Kind.CHART_SIE,
            filename="k.se",
            content=sie_bytes(),
        )
    finished = services.import_job_run(job_id=job.pk)
    assert finished.status == ImportJob.Status.DONE


def test_shared_chart_objects_are_per_organisation(django_capture_on_commit_callbacks, make_member):
    centre_admin, centre = make_member(Role.COORDINATOR)
    shared = services.chart_create(
        actor=centre_admin, organisation=centre, name="Statens gemensamma", is_shared=True
    )
    services.dimension_create(actor=centre_admin, organisation=centre, number=1, name="Kostnadsställe")
    services.account_save(actor=centre_admin, organisation=centre, number="5410", name="Livsmedel")
    agencies = []
    for _ in range(2):
        coordinator, agency = make_member(Role.COORDINATOR)
        agency.served_by = centre
        agency.save()
        services.chart_use(actor=coordinator, organisation=agency, chart_id=shared.pk)
        agencies.append((coordinator, agency))
    (first_user, first), (second_user, second) = agencies
    services.dimension_object_save(
        actor=first_user,
        organisation=first,
        dimension="cost_centre",
        code="100",
        name="Första myndighetens kansli",
    )
    assert [o.code for o in cost_centre_list(user=first_user, organisation=first)] == ["100"]
    assert list(cost_centre_list(user=second_user, organisation=second)) == []
    # The same code may exist for another organisation on the same chart.
    services.dimension_object_save(
        actor=second_user,
        organisation=second,
        dimension="cost_centre",
        code="100",
        name="Andra myndighetens kansli",
    )
    assert coding_check(user=second_user, organisation=second, coding="account=5410;cost_centre=100").ok
    # Accounts of a shared chart are kept by the owner only.
    with pytest.raises(DomainError) as not_yours:
        services.account_save(actor=first_user, organisation=first, number="5420", name="Dryck")
    assert not_yours.value.code == "chart_not_yours"
    csv = b"type;code;name\naccount;5420;Dryck\ncost_centre;200;Lager\n"
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(
            actor=first_user,
            organisation=first,
            kind=ImportJob.Kind.CHART_TABLE,
            filename="x.csv",
            content=csv,
        )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REJECTED and job.report[0]["column"] == "type"


def test_chart_of_an_unrelated_organisation_cannot_be_used(tenant, other_tenant):
    private = ChartFactory(owner=other_tenant.organisation, is_shared=True)  # shared, but not served by it
    with pytest.raises(DomainError) as refused:
        services.chart_use(actor=tenant.coordinator, organisation=tenant.organisation, chart_id=private.pk)
    assert refused.value.code == "chart_not_yours"
    with pytest.raises(NotFound):
        selectors.chart.chart_get(user=tenant.coordinator, organisation=other_tenant.organisation)


def test_organisation_without_chart_gets_a_clear_message(make_member):
    user, organisation = make_member(Role.COORDINATOR)
    with pytest.raises(DomainError) as none:
        coding_check(user=user, organisation=organisation, coding={"account": "5410"})
    assert none.value.code == "no_chart"


# --- Coding check ----------------------------------------------------------------------------------------


def test_coding_is_valid(tenant):
    check = coding_check(
        user=tenant.coordinator,
        organisation=tenant.organisation,
        coding={"account": "5410", "cost_centre": "1200"},
    )
    assert check.ok and check.account == tenant.food and check.objects["cost_centre"] == tenant.kitchen
    assert coding_check(
        user=tenant.coordinator, organisation=tenant.organisation, coding="konto=5410; 1=1300"
    ).ok


def test_coding_problems_name_the_key(tenant):
    tenant.school.valid_to = timezone.localdate() - dt.timedelta(days=1)
    tenant.school.save()
    check = coding_check(
        user=tenant.coordinator,
        organisation=tenant.organisation,
        coding={"account": "5410", "cost_centre": "1300", "project": "P-9", "colour": "red"},
    )
    assert {p.key for p in check.problems} == {"cost_centre", "project", "colour"}
    missing = coding_check(
        user=tenant.coordinator, organisation=tenant.organisation, coding={"account": "6110"}
    )
    assert [p.key for p in missing.problems] == ["cost_centre"]
    # Balance accounts do not need a cost centre (required only for 3000–8999).
    services.account_save(
        actor=tenant.coordinator, organisation=tenant.organisation, number="1930", name="Bank"
    )
    assert coding_check(
        user=tenant.coordinator, organisation=tenant.organisation, coding={"account": "1930"}
    ).ok
    with pytest.raises(DomainError) as invalid:
        missing.raise_if_invalid()
    assert (invalid.value.code, invalid.value.field) == ("coding_invalid", "cost_centre")


def test_coding_respects_account_validity_and_text_syntax(tenant):
    tenant.food.valid_from = timezone.localdate() + dt.timedelta(days=10)
    tenant.food.save()
    check = coding_check(
        user=tenant.coordinator,
        organisation=tenant.organisation,
        coding={"account": "5410", "cost_centre": "1200"},
    )
    assert [p.key for p in check.problems] == ["account"]
    later = timezone.localdate() + dt.timedelta(days=10)
    assert coding_check(
        user=tenant.coordinator,
        organisation=tenant.organisation,
        coding={"account": "5410", "cost_centre": "1200"},
        on=later,
    ).ok
    with pytest.raises(DomainError):
        coding_check(user=tenant.coordinator, organisation=tenant.organisation, coding="account 5410")


def test_coding_check_query_count_is_fixed(tenant):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            coding_check(
                user=tenant.coordinator,
                organisation=tenant.organisation,
                coding={"account": "5410", "cost_centre": "1200", "project": "P1"},
            )
        return len(ctx.captured_queries)

    few = count()
    for i in range(20):
        services.dimension_object_save(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            dimension="project",
            code=f"P{i}",
            name="Projekt",
        )
    assert count() == few


def test_object_saves_check_dates_and_dimension(tenant):
    with pytest.raises(DomainError) as order:
        services.dimension_object_save(
            actor=tenant.coordinator,
            organisation=tenant.organisation,
            dimension="cost_centre",
            code="1",
            name="X",
            valid_from=dt.date(2026, 2, 1),
            valid_to=dt.date(2026, 1, 1),
        )
    assert order.value.code == "dates_out_of_order"
    with pytest.raises(DomainError) as unknown:
        services.dimension_object_save(
            actor=tenant.coordinator, organisation=tenant.organisation, dimension="colour", code="1", name="X"
        )
    assert unknown.value.field == "dimension"
    assert [
        o.code
        for o in dimension_object_list(
            user=tenant.coordinator, organisation=tenant.organisation, dimension="1"
        )
    ] == ["1200", "1300"]


def test_chart_of_another_organisation_is_invisible(tenant, other_tenant):
    assert list(selectors.chart.account_list(user=tenant.coordinator, organisation=tenant.organisation)) == [
        tenant.food,
        tenant.office,
    ]
    with pytest.raises(NotFound):
        selectors.chart.account_list(user=tenant.coordinator, organisation=other_tenant.organisation)
    with pytest.raises(NotFound):
        selectors.chart.cost_centre_get(
            user=tenant.coordinator, organisation=tenant.organisation, code="nope"
        )
    assert OrganisationFactory().chart is None
