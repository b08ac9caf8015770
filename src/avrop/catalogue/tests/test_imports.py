import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from avrop.catalogue.errors import CatalogueError
from avrop.catalogue.models import CatalogueItem, CatalogueVersion, ImportFinding, InboundFile, StagedItem
from avrop.catalogue.selectors import search_items
from avrop.catalogue.services import imports
from avrop.catalogue.tests.factories import (
    HEADER,
    active_catalogue,
    approve,
    csv_bytes,
    gtin,
    office_rows,
    receive,
    row,
    setup_agreement,
)
from avrop.core.errors import DomainError, InvalidTransition
from avrop.edi.tests._standards import STANDARDS

pytestmark = pytest.mark.django_db
EXAMPLES = STANDARDS / "peppol-poacc" / "examples" / "bis"
Status = CatalogueVersion.Status


def test_first_import_is_staged_then_approved_and_found(make_member):
    coordinator, requisitioner, buyer, agreement = setup_agreement(make_member)
    version = receive(
        actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(office_rows(5))
    )
    assert version.status == Status.REVIEW, version.failure
    assert (version.added, version.changed, version.removed) == (5, 0, 0)
    assert not CatalogueItem.objects.exists()
    assert search_items(user=requisitioner, organisation=buyer, text="blyertspenna").items == []
    approve(coordinator, buyer, version)
    version.refresh_from_db()
    assert version.status == Status.ACTIVE and version.indexed_at
    assert CatalogueItem.objects.filter(is_active=True).count() == 5
    page = search_items(user=requisitioner, organisation=buyer, text="blyertspena")  # one typo
    assert [i.article_number for i in page.items] == ["ART-0002"]
    assert [
        i.article_number for i in search_items(user=requisitioner, organisation=buyer, text="kopier").items
    ] == ["ART-0001"]
    assert [
        i.article_number for i in search_items(user=requisitioner, organisation=buyer, text="ART-0004").items
    ] == ["ART-0004"]


def test_the_whole_routine_runs_from_the_task_queue(make_member, committed):
    coordinator, requisitioner, buyer, agreement = setup_agreement(make_member)
    data = csv_bytes(office_rows(3))
    version = committed(
        imports.price_list_receive,
        actor=coordinator,
        organisation=buyer,
        agreement_id=agreement.pk,
        source=io.BytesIO(data),
        filename="p.csv",
        channel="upload",
    )
    version.refresh_from_db()
    assert version.status == Status.REVIEW
    committed(imports.price_list_approve, actor=coordinator, organisation=buyer, version_id=version.pk)
    assert search_items(user=requisitioner, organisation=buyer, text="gem").total == 1


def test_reimport_writes_and_indexes_only_changes(make_member):
    coordinator, requisitioner, buyer, agreement = active_catalogue(make_member, 6)
    rows = office_rows(6)
    rows[0]["Pris"] = "100,00"  # from 11 to 100: far above the 3 % limit
    rows[1]["Benämning"] = "Blyertspenna 2B"
    rows[2]["Pris"] = "13,0"  # 13.00 written differently: unchanged
    del rows[5]
    rows.append(office_rows(1, start=7)[0])
    second = receive(actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(rows))
    assert (second.added, second.changed, second.removed, second.unchanged) == (1, 2, 1, 3)
    assert (second.over_limit, second.price_increases) == (1, 1)
    assert StagedItem.objects.filter(version=second).exclude(change="recognised").count() == 4
    recognised = StagedItem.objects.get(version=second, change="recognised")
    assert recognised.article_number == "ART-0003"
    changed = StagedItem.objects.get(version=second, article_number="ART-0001")
    assert changed.old_price_amount == Decimal("11") and changed.price_change_percent == Decimal("809.09")
    with pytest.raises(DomainError) as error:
        imports.price_list_approve(actor=coordinator, organisation=buyer, version_id=second.pk)
    assert error.value.code == CatalogueError.LIMIT_NOT_ACKNOWLEDGED
    approve(coordinator, buyer, second, acknowledge_over_limit=True)
    assert set(CatalogueItem.objects.filter(version=second).values_list("article_number", flat=True)) == {
        "ART-0001",
        "ART-0002",
        "ART-0006",
        "ART-0007",
    }
    assert set(CatalogueItem.objects.exclude(version=second).values_list("article_number", flat=True)) == {
        "ART-0003",
        "ART-0004",
        "ART-0005",
    }
    removed = CatalogueItem.objects.get(article_number="ART-0006")
    assert not removed.is_active and removed.removed_at
    assert CatalogueItem.objects.get(article_number="ART-0003").raw_hash == recognised.raw_hash
    assert search_items(user=requisitioner, organisation=buyer, text="sax").items == []
    assert [i.name for i in search_items(user=requisitioner, organisation=buyer, text="2B").items] == [
        "Blyertspenna 2B"
    ]
    third = receive(
        actor=coordinator,
        organisation=buyer,
        agreement=agreement,
        data=csv_bytes(list(reversed(office_rows(6)))),
    )
    assert third.added == 1 and StagedItem.objects.get(version=third, change="added").item_id == removed.pk
    approve(coordinator, buyer, third, acknowledge_over_limit=True)
    removed.refresh_from_db()
    assert removed.is_active and removed.removed_at is None


def test_a_row_written_differently_is_recognised_unparsed_after_approval(make_member):
    """Same content, another form (13,0 for 13.00): nothing changes, but the new form is remembered."""
    coordinator, _requisitioner, buyer, agreement = active_catalogue(make_member, 3)
    item = CatalogueItem.objects.get(article_number="ART-0002")
    old_raw, old_version = item.raw_hash, item.version_id
    rows = office_rows(3)
    assert rows[1]["Pris"] == "12.00"
    rows[1]["Pris"] = "12,0"
    second = receive(actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(rows))
    assert (second.added, second.changed, second.removed, second.unchanged) == (0, 0, 0, 3)
    staged = StagedItem.objects.get(version=second)
    assert (staged.change, staged.article_number) == ("recognised", "ART-0002")
    item.refresh_from_db()
    assert item.raw_hash == old_raw  # staging leaves the active catalogue alone
    approve(coordinator, buyer, second)
    item.refresh_from_db()
    assert item.raw_hash == staged.raw_hash != old_raw and item.version_id == old_version
    # Next week the same form is known: only the new row is staged.
    rows.append(office_rows(1, start=4)[0])
    third = receive(actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(rows))
    assert (third.added, third.unchanged) == (1, 3)
    assert list(StagedItem.objects.filter(version=third).values_list("change", flat=True)) == ["added"]


def test_the_same_file_twice_is_recognised(make_member):
    coordinator, _requisitioner, buyer, agreement = setup_agreement(make_member)
    data = csv_bytes(office_rows(2))
    receive(actor=coordinator, organisation=buyer, agreement=agreement, data=data)
    with pytest.raises(DomainError) as error:
        receive(actor=coordinator, organisation=buyer, agreement=agreement, data=data, filename="again.csv")
    assert error.value.code == CatalogueError.DUPLICATE_FILE
    assert "prislista.csv" in error.value.message
    assert InboundFile.objects.count() == 1
    stored = InboundFile.objects.get()
    assert len(stored.sha256) == 64 and stored.size == len(data)


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8", ";"), ("utf-8-sig", ","), ("cp1252", ";")])
def test_encodings_and_delimiters_are_detected(make_member, encoding, delimiter):
    coordinator, _r, buyer, agreement = setup_agreement(make_member)
    rows = [
        row("K-1", "Kaffe mellanrost", "69,50" if delimiter == ";" else "69.50", brand="Gevalia"),
        row("K-2", "Smör normalsaltat Skånemejerier", "59.00", category="Mejeri"),
    ]
    version = receive(
        actor=coordinator,
        organisation=buyer,
        agreement=agreement,
        data=csv_bytes(rows, delimiter=delimiter, encoding=encoding),
    )
    assert version.status == Status.REVIEW, version.failure
    names = set(StagedItem.objects.filter(version=version).values_list("name", flat=True))
    assert names == {"Kaffe mellanrost", "Smör normalsaltat Skånemejerier"}
    assert StagedItem.objects.get(version=version, article_number="K-1").price_amount == Decimal("69.5")


def test_wrong_encoding_fails_naming_the_line(make_member):
    coordinator, _r, buyer, agreement = setup_agreement(make_member)
    data = csv_bytes(office_rows(3)) + b"ART-9;;Kaffe \x81\x8d;;;;;EA;1;25;;\n"
    version = receive(actor=coordinator, organisation=buyer, agreement=agreement, data=data)
    assert version.status == Status.FAILED
    assert "prislista.csv, rad 5" in version.failure and "UTF-8" in version.failure


def test_bad_rows_are_reported_by_row_and_column_and_not_imported(make_member):
    coordinator, _requisitioner, buyer, agreement = active_catalogue(make_member, 3)
    rows = office_rows(3)
    rows[0]["Pris"] = ""  # an existing item with a broken row is kept, not removed
    rows += [
        row("N-1", "Negativt pris", "-5"),
        row("N-2", "Fel GTIN", gtin=gtin(9)[:-1] + "0" if gtin(9)[-1] != "0" else gtin(9)[:-1] + "1"),
        row("N-3", "Okänd enhet", unit="STYCK"),
        row("N-4", "", "3"),
        row("ART-0002", "Dubblett"),
        row("N-5", "Bra rad", "7"),
    ]
    data = csv_bytes(rows) + b"N-6;bara tre;falt\n"
    version = receive(actor=coordinator, organisation=buyer, agreement=agreement, data=data)
    assert version.status == Status.REVIEW
    assert (version.added, version.removed, version.error_rows) == (1, 0, 7)
    found = {(f.line, f.column, f.code) for f in ImportFinding.objects.filter(version=version)}
    assert found == {
        (2, "Pris", "missing_price"),
        (5, "Pris", "negative_price"),
        (6, "GTIN", "invalid_gtin"),
        (7, "Enhet", "unknown_unit"),
        (8, "Benämning", "missing_name"),
        (9, "Artikelnummer", "duplicate_article"),
        (11, "", "broken_row"),
    }
    unit = ImportFinding.objects.get(version=version, code="unknown_unit")
    assert "STYCK" in unit.message and unit.article_number == "N-3"


@pytest.mark.parametrize(("data", "code"), [(b"", "empty"), (";".join(HEADER).encode() + b"\n", "no_rows")])
def test_empty_files_fail_and_leave_the_catalogue_alone(make_member, data, code):
    coordinator, requisitioner, buyer, agreement = active_catalogue(make_member, 2)
    version = receive(actor=coordinator, organisation=buyer, agreement=agreement, data=data)
    assert version.status == Status.FAILED and version.failure.startswith("prislista.csv, rad")
    assert ImportFinding.objects.get(version=version).code == code
    assert CatalogueItem.objects.filter(is_active=True).count() == 2
    with pytest.raises(InvalidTransition):
        imports.price_list_approve(actor=coordinator, organisation=buyer, version_id=version.pk)


def test_missing_required_column_fails(make_member):
    coordinator, _r, buyer, agreement = setup_agreement(make_member)
    header = [h for h in HEADER if h != "Pris"]
    version = receive(
        actor=coordinator,
        organisation=buyer,
        agreement=agreement,
        data=csv_bytes(office_rows(2), header=header),
    )
    assert version.status == Status.FAILED and "Pris" in version.failure


def test_files_above_the_size_limit_are_refused_before_reading(make_member, settings):
    coordinator, _r, buyer, agreement = setup_agreement(make_member)
    settings.CATALOGUE_MAX_FILE_BYTES = 1000
    with pytest.raises(DomainError) as error:
        imports.price_list_receive(
            actor=coordinator,
            organisation=buyer,
            agreement_id=agreement.pk,
            source=io.BytesIO(b""),
            filename="huge.csv",
            channel="upload",
            size=2**30,
        )
    assert error.value.code == CatalogueError.FILE_TOO_LARGE
    with pytest.raises(DomainError):  # size not told: counted while streaming
        imports.price_list_receive(
            actor=coordinator,
            organisation=buyer,
            agreement_id=agreement.pk,
            source=io.BytesIO(b"x" * 5000),
            filename="huge.csv",
            channel="upload",
        )
    assert not InboundFile.objects.exists()
    assert not list(imports.archive_dir().glob("*/*"))


def test_rejection_keeps_the_active_catalogue(make_member):
    coordinator, requisitioner, buyer, agreement = active_catalogue(make_member, 3)
    before = list(CatalogueItem.objects.values_list("pk", "price_amount", "is_active"))
    rows = office_rows(2, price=Decimal("50"))
    version = receive(actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(rows))
    with pytest.raises(DomainError):
        imports.price_list_reject(actor=coordinator, organisation=buyer, version_id=version.pk, reason=" ")
    imports.price_list_reject(
        actor=coordinator, organisation=buyer, version_id=version.pk, reason="För dyrt."
    )
    assert list(CatalogueItem.objects.values_list("pk", "price_amount", "is_active")) == before
    assert not StagedItem.objects.filter(version=version).exists()
    with pytest.raises(InvalidTransition):
        imports.price_list_approve(actor=coordinator, organisation=buyer, version_id=version.pk)


def test_review_goes_stale_when_another_version_became_active(make_member):
    coordinator, _r, buyer, agreement = active_catalogue(make_member, 2)
    first = receive(
        actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(office_rows(3))
    )
    second = receive(
        actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(office_rows(4))
    )
    approve(coordinator, buyer, second)
    with pytest.raises(DomainError) as error:
        imports.price_list_approve(actor=coordinator, organisation=buyer, version_id=first.pk)
    assert error.value.code == CatalogueError.STALE_REVIEW
    first = imports.price_list_restage(actor=coordinator, organisation=buyer, version_id=first.pk)
    assert (first.added, first.removed, first.unchanged) == (0, 1, 3)
    approve(coordinator, buyer, first)
    assert CatalogueItem.objects.filter(is_active=True).count() == 3


def test_staged_rows_lost_in_a_crash_are_compared_again(make_member):
    """PostgreSQL empties the unlogged staging table after a crash: approval must not activate a price list
    whose differences are gone, and comparing again from the stored file brings them back."""
    coordinator, _r, buyer, agreement = active_catalogue(make_member, 2)
    before = list(CatalogueItem.objects.values_list("pk", "price_amount", "is_active"))
    version = receive(
        actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(office_rows(4))
    )
    assert version.added == 2
    StagedItem.objects.all().delete()  # what crash recovery does to an unlogged table
    with pytest.raises(DomainError) as error:
        imports.price_list_approve(actor=coordinator, organisation=buyer, version_id=version.pk)
    assert error.value.code == CatalogueError.STAGED_ROWS_LOST
    assert list(CatalogueItem.objects.values_list("pk", "price_amount", "is_active")) == before
    version = imports.price_list_restage(actor=coordinator, organisation=buyer, version_id=version.pk)
    assert StagedItem.objects.filter(version=version, change="added").count() == 2
    approve(coordinator, buyer, version)
    assert CatalogueItem.objects.filter(is_active=True).count() == 4


def _approved_for_next_week(make_member):
    """Two active items and a price list of three approved to start in a week: (version, start date)."""
    coordinator, _r, buyer, agreement = active_catalogue(make_member, 2)
    start = timezone.localdate() + dt.timedelta(days=7)
    version = receive(
        actor=coordinator,
        organisation=buyer,
        agreement=agreement,
        data=csv_bytes(office_rows(3)),
        valid_from=start,
    )
    version = imports.price_list_approve(actor=coordinator, organisation=buyer, version_id=version.pk)
    return version, start


def test_a_later_price_list_whose_staged_rows_were_lost_goes_back_to_review(make_member):
    version, start = _approved_for_next_week(make_member)
    StagedItem.objects.all().delete()
    assert imports.price_lists_activate_due(today=start) == 0
    version.refresh_from_db()
    assert version.status == Status.REVIEW
    assert CatalogueItem.objects.filter(is_active=True).count() == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="unlogged tables exist only on PostgreSQL; SQLite has no write-ahead log to skip",
)
def test_staged_rows_skip_the_write_ahead_log_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = %s", [StagedItem._meta.db_table])
        assert cursor.fetchone() == ("u",)


def test_a_price_list_starting_later_is_activated_on_its_date(make_member):
    version, start = _approved_for_next_week(make_member)
    assert version.status == Status.APPROVED
    assert CatalogueItem.objects.filter(is_active=True).count() == 2
    assert imports.price_lists_activate_due(today=start - dt.timedelta(days=1)) == 0
    assert imports.price_lists_activate_due(today=start) == 1
    version.refresh_from_db()
    assert version.status == Status.ACTIVE
    assert CatalogueItem.objects.filter(is_active=True).count() == 3


def test_only_coordinators_of_the_owner_decide(make_member, two_tenants):
    coordinator, requisitioner, buyer, agreement = setup_agreement(make_member)
    version = receive(
        actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(office_rows(1))
    )
    from avrop.core.errors import NotAllowed, NotFound

    with pytest.raises(NotAllowed):
        imports.price_list_approve(actor=requisitioner, organisation=buyer, version_id=version.pk)
    (other, other_org), _ = two_tenants
    with pytest.raises(NotFound):
        imports.price_list_approve(actor=other, organisation=other_org, version_id=version.pk)
    with pytest.raises(NotFound):
        receive(actor=other, organisation=other_org, agreement=agreement, data=csv_bytes(office_rows(2)))


def test_xlsx_price_list(make_member):
    from openpyxl import Workbook

    coordinator, _r, buyer, agreement = setup_agreement(make_member)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Prislista"
    sheet.append(["Art.nr", "EAN", "Namn", "Enhet", "Nettopris", "Moms", "Sökord"])
    sheet.append([12345, int(gtin(1)), "Kopieringspapper A4", "XPK", 42.5, 25, "papper"])
    sheet.append(["B-2", None, "Pärm A4 blå", "EA", 34, 25, None])
    out = io.BytesIO()
    workbook.save(out)
    version = receive(
        actor=coordinator, organisation=buyer, agreement=agreement, data=out.getvalue(), filename="lista.xlsx"
    )
    assert version.format == "xlsx" and version.status == Status.REVIEW, version.failure
    staged = {s.article_number: s for s in StagedItem.objects.filter(version=version)}
    assert set(staged) == {"12345", "B-2"}
    assert staged["12345"].gtin == gtin(1) and staged["12345"].price_amount == Decimal("42.5")


def test_a_damaged_spreadsheet_fails_in_the_callers_language_and_keeps_the_catalogue(make_member):
    """The sheet is read in a thread; its error reaches the version in the language of the import."""
    from django.utils import translation

    coordinator, _r, buyer, agreement = active_catalogue(make_member, 2)
    data = b"PK\x03\x04" + b"not really a zip archive" * 40  # looks like XLSX, cannot be opened
    with translation.override("en"):
        version = receive(
            actor=coordinator, organisation=buyer, agreement=agreement, data=data, filename="trasig.xlsx"
        )
    assert version.format == "xlsx" and version.status == Status.FAILED
    assert "The spreadsheet cannot be read" in version.failure and "trasig.xlsx" in version.failure
    assert ImportFinding.objects.get(version=version).code == "unreadable"
    assert CatalogueItem.objects.filter(is_active=True).count() == 2
    with translation.override("sv"):
        version = receive(
            actor=coordinator,
            organisation=buyer,
            agreement=agreement,
            data=data + b"!",
            filename="trasig.xlsx",
        )
    assert version.status == Status.FAILED and "Kalkylbladet" in version.failure, version.failure


def test_xlsx_reimport_writes_only_what_changed(make_member):
    """A row exactly as last approved is recognised before its cells are read; every other row is checked."""
    from openpyxl import Workbook

    from avrop.catalogue.tests.factories import approve

    def workbook_bytes(rows):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "Prislista"
        sheet.append(["Art.nr", "Namn", "Enhet", "Nettopris", "Moms"])
        for r in rows:
            sheet.append(r)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()

    coordinator, _r, buyer, agreement = setup_agreement(make_member)

    def receive_rows(rows, name):
        data = workbook_bytes(rows)
        return receive(actor=coordinator, organisation=buyer, agreement=agreement, data=data, filename=name)

    first = [[1000 + n, f"Artikel {n}", "EA", 10 + n, 25] for n in range(6)]
    approve(coordinator, buyer, receive_rows(first, "a.xlsx"))
    second = [list(r) for r in first[1:]]  # 1000 removed
    second[0][3] = 99.5  # 1001 changed price
    second.append([2000, "Ny artikel", "EA", 5, 25])  # added
    second.append(list(first[2]))  # 1002 again, unchanged bytes: a duplicate
    version = receive_rows(second, "b.xlsx")
    assert version.status == Status.REVIEW, version.failure
    changes = dict(StagedItem.objects.filter(version=version).values_list("article_number", "change"))
    assert changes == {"1000": "removed", "1001": "changed", "2000": "added"}
    assert list(version.findings.values_list("code", "line")) == [("duplicate_article", 8)]


def test_a_spreadsheet_written_as_excel_writes_it_reads_the_same_and_is_recognised(make_member):
    """Excel keeps strings in a shared-strings table in UTF-8 (xlsxwriter writes it so); openpyxl writes
    them inline. The same price list from either reads the same, and a re-import of the other one's file
    is recognised row by row as unchanged."""
    import xlsxwriter
    from openpyxl import Workbook

    from avrop.catalogue.tests.factories import approve

    header = ["Art.nr", "EAN", "Namn", "Enhet", "Nettopris", "Moms", "Sökord"]
    rows = [
        [12345, gtin(1), "Kopieringspapper A4 – 80 g", "XPK", 42.5, 25, "papper, kontor"],
        ["B-2", "", "Pärm A4 blå", "EA", 34, 25, ""],
        ["Ö-3", gtin(2), "Smörpapper åäö", "EA", 0.75, 12, "kök"],
    ]
    out = io.BytesIO()
    excel = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = excel.add_worksheet("Prislista")
    for number, cells in enumerate([header, *rows]):
        sheet.write_row(number, 0, cells)
    excel.close()
    assert b"xl/sharedStrings.xml" in out.getvalue()
    coordinator, _r, buyer, agreement = setup_agreement(make_member)
    version = receive(
        actor=coordinator, organisation=buyer, agreement=agreement, data=out.getvalue(), filename="excel.xlsx"
    )
    assert version.status == Status.REVIEW, version.failure
    staged = {s.article_number: s for s in StagedItem.objects.filter(version=version)}
    assert set(staged) == {"12345", "B-2", "Ö-3"}
    assert staged["12345"].name == "Kopieringspapper A4 – 80 g" and staged["12345"].gtin == gtin(1)
    assert staged["Ö-3"].price_amount == Decimal("0.75") and staged["Ö-3"].vat_rate == Decimal("12")
    approve(coordinator, buyer, version)

    book = Workbook(write_only=True)
    page = book.create_sheet("Prislista")
    for cells in [header, *rows]:
        page.append(cells)
    inline = io.BytesIO()
    book.save(inline)
    assert b"xl/sharedStrings.xml" not in inline.getvalue()
    again = receive(
        actor=coordinator,
        organisation=buyer,
        agreement=agreement,
        data=inline.getvalue(),
        filename="inline.xlsx",
    )
    assert again.status == Status.REVIEW, again.failure
    assert (again.unchanged, again.added, again.changed, again.removed) == (3, 0, 0, 0)
    assert not StagedItem.objects.filter(version=again).exclude(change="recognised").exists()


def test_saved_column_mapping_is_used(make_member):
    coordinator, _r, buyer, agreement = setup_agreement(make_member)
    imports.column_mapping_save(
        actor=coordinator,
        organisation=buyer,
        supplier=agreement.supplier,
        columns={"article_number": "Vårt nummer", "price": "Kostnad"},
    )
    header = ["Vårt nummer", "Benämning", "Enhet", "Kostnad"]
    data = csv_bytes(
        [{"Vårt nummer": "X1", "Benämning": "Gem", "Enhet": "EA", "Kostnad": "9"}], header=header
    )
    version = receive(actor=coordinator, organisation=buyer, agreement=agreement, data=data)
    assert version.status == Status.REVIEW, version.failure
    assert StagedItem.objects.get(version=version).article_number == "X1"


def test_peppol_catalogue_is_validated_staged_and_answered(make_member):
    from avrop.edi import validation
    from avrop.edi.documents import parse

    coordinator, _r, buyer, agreement = setup_agreement(make_member, reference="CRT1387")
    # The official example's GTINs have wrong check digits, which the quality gate would refuse.
    data = (EXAMPLES / "Catalogue_Example.xml").read_bytes()
    data = data.replace(b"1234567890114", gtin(1).encode()).replace(b"1234567890124", gtin(2).encode())
    version = receive(
        actor=coordinator, organisation=buyer, agreement=agreement, data=data, filename="t19.xml"
    )
    assert version.format == "peppol" and version.status == Status.REVIEW, version.failure
    assert version.valid_from == dt.date(2018, 9, 1) and version.document_id == "1387"
    staged = {s.article_number: s for s in StagedItem.objects.filter(version=version)}
    assert set(staged) == {"MNTR011", "MNTR012"}
    first = staged["MNTR011"]
    assert (first.unit, first.price_amount, first.currency, first.category_code) == (
        "LBR",
        Decimal("10"),
        "EUR",
        "20101601",
    )
    assert first.eco_labels == "SVANEN" and first.image_urls == ["http://www.supplier.com/image1.png"]
    version = imports.price_list_approve(actor=coordinator, organisation=buyer, version_id=version.pk)
    response = bytes(version.response_xml)
    assert validation.validate(response).valid
    document = parse(response)
    assert document.response_code == "AP"
    assert document.document_response.document_reference.id.value == "1387"


def test_invalid_peppol_catalogue_is_rejected_with_the_rule_findings(make_member):
    from avrop.edi.documents import parse

    coordinator, requisitioner, buyer, agreement = active_catalogue(make_member, 2)
    data = (
        (EXAMPLES / "Catalogue_Example.xml")
        .read_bytes()
        .replace(b"<cbc:IssueDate>2016-08-01</cbc:IssueDate>", b"")
    )
    version = receive(
        actor=coordinator, organisation=buyer, agreement=agreement, data=data, filename="t19.xml"
    )
    assert version.status == Status.FAILED
    assert "valideringen" in version.failure and "IssueDate" in version.failure
    assert ImportFinding.objects.filter(version=version, severity="error").count() >= 1
    response = parse(bytes(version.response_xml))
    assert response.response_code == "RE"
    assert "IssueDate" in response.notes[0]
    assert CatalogueItem.objects.filter(is_active=True).count() == 2


def test_files_in_the_suppliers_folder_are_picked_up(make_member, settings):
    coordinator, _r, buyer, agreement = setup_agreement(make_member)
    folder = Path(settings.CATALOGUE_INBOUND_DIR) / agreement.supplier.org_number.replace("-", "")
    folder.mkdir(parents=True)
    (folder / "vecka-47.csv").write_bytes(csv_bytes(office_rows(2)))
    (folder / "still-uploading.csv.part").write_bytes(b"x")
    received = imports.inbound_folder_scan(min_age=0)
    assert len(received) == 1 and received[0].inbound_file.channel == "folder"
    assert [p.name for p in folder.iterdir() if p.is_file()] == ["still-uploading.csv.part"]
    assert len(list((folder / "processed").iterdir())) == 1
    (folder / "vecka-47-igen.csv").write_bytes(csv_bytes(office_rows(2)))
    assert imports.inbound_folder_scan(min_age=0) == []
    notes = list((folder / "rejected").glob("*.error.txt"))
    assert len(notes) == 1 and "redan emot" in notes[0].read_text()


def test_gtin_check_agrees_with_stdnum():
    import random

    from stdnum import ean

    from avrop.catalogue.imports.rows import gtin_check_ok

    rng = random.Random(1)
    for length in (8, 12, 13, 14):
        for _ in range(300):
            digits = "".join(rng.choice("0123456789") for _ in range(length))
            assert gtin_check_ok(digits) == ean.is_valid(digits), digits
