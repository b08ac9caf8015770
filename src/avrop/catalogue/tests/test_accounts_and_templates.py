import io

import pytest

from avrop.catalogue.exports import csv_bytes as export_csv
from avrop.catalogue.exports import safe_cell, xlsx_bytes
from avrop.catalogue.models import CatalogueItem, StagedItem, Template
from avrop.catalogue.selectors import default_account_for, template_lines, template_list, unmapped_items
from avrop.catalogue.services import accounts, templates
from avrop.catalogue.tests.factories import (
    active_catalogue,
    approve,
    csv_bytes,
    office_rows,
    receive,
    row,
    setup_agreement,
)
from avrop.core.errors import NotAllowed, NotFound
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import DepartmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_rules_map_at_import_and_new_rules_map_waiting_and_active_items(make_member):
    coordinator, requisitioner, buyer, agreement = setup_agreement(make_member)
    accounts.account_rule_create(
        actor=coordinator, organisation=buyer, kind="unspsc", value="4412", account_code="6110"
    )
    rows = [
        row("A-1", "Gem", unspsc="44122104"),
        row("A-2", "Kaffe", unspsc="50201706", category="Livsmedel"),
        row("A-3", "Handtvål", unspsc="53131608", category="Hygien"),
    ]
    version = receive(actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(rows))
    assert version.unmapped == 2
    accounts.account_rule_create(
        actor=coordinator, organisation=buyer, kind="category", value="livsmedel", account_code="5410"
    )
    version.refresh_from_db()
    assert version.unmapped == 1
    staged = StagedItem.objects.get(version=version, article_number="A-3")
    accounts.staged_item_map(actor=coordinator, organisation=buyer, staged_id=staged.pk, account_code="5460")
    approve(coordinator, buyer, version)
    assert {i.article_number: default_account_for(i) for i in CatalogueItem.objects.all()} == {
        "A-1": "6110",
        "A-2": "5410",
        "A-3": "5460",
    }
    assert not unmapped_items(user=coordinator, organisation=buyer).exists()


def test_hand_mapping_survives_later_price_lists(make_member):
    coordinator, requisitioner, buyer, agreement = active_catalogue(make_member, 2)
    item = CatalogueItem.objects.get(article_number="ART-0001")
    assert list(unmapped_items(user=coordinator, organisation=buyer)) != []
    accounts.item_map(actor=coordinator, organisation=buyer, item_id=item.pk, account_code="6410")
    accounts.account_rule_create(
        actor=coordinator,
        organisation=buyer,
        kind="supplier",
        supplier=agreement.supplier,
        account_code="6110",
    )
    rows = office_rows(2)
    rows[0]["Pris"] = "11,20"
    approve(
        coordinator,
        buyer,
        receive(actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(rows)),
    )
    item.refresh_from_db()
    assert (item.account_code, item.account_source) == ("6410", "manual")
    assert CatalogueItem.objects.get(article_number="ART-0002").account_code == "6110"
    with pytest.raises(NotAllowed):
        accounts.item_map(actor=requisitioner, organisation=buyer, item_id=item.pk, account_code="1")


def test_templates_are_personal_or_shared_and_show_items_that_left(make_member):
    coordinator, requisitioner, buyer, agreement = active_catalogue(make_member, 3)
    colleague, _ = make_member(Role.REQUISITIONER, organisation=buyer)
    items = list(CatalogueItem.objects.order_by("article_number"))
    mine = templates.template_create(actor=requisitioner, organisation=buyer, name="Mitt")
    templates.template_add_items(
        actor=requisitioner,
        organisation=buyer,
        template_id=mine.pk,
        items=[(items[0].pk, "2"), (items[2].pk, 5)],
    )
    with pytest.raises(NotAllowed):
        templates.template_create(
            actor=requisitioner, organisation=buyer, name="Alla", sharing=Template.Sharing.REQUISITIONERS
        )
    shared = templates.template_create(
        actor=coordinator,
        organisation=buyer,
        name="Kontorsmaterial – vanliga",
        sharing=Template.Sharing.REQUISITIONERS,
    )
    assert set(template_list(user=colleague, organisation=buyer)) == {shared}
    assert set(template_list(user=requisitioner, organisation=buyer)) == {mine, shared}
    with pytest.raises(NotFound):
        templates.template_add_items(
            actor=colleague, organisation=buyer, template_id=mine.pk, items=[(items[1].pk, 1)]
        )
    department = DepartmentFactory(organisation=buyer)
    MembershipFactory(user=colleague, organisation=buyer, department=department, role=Role.APPROVER)
    team = templates.template_create(
        actor=requisitioner,
        organisation=buyer,
        name="Avdelningen",
        sharing=Template.Sharing.DEPARTMENT,
        department=department,
    )
    assert team in template_list(user=colleague, organisation=buyer)
    # The next price list drops ART-0003: the template says so.
    approve(
        coordinator,
        buyer,
        receive(actor=coordinator, organisation=buyer, agreement=agreement, data=csv_bytes(office_rows(2))),
    )
    lines = template_lines(template=mine, organisation=buyer)
    assert [(line.item.article_number, line.available) for line in lines] == [
        ("ART-0001", True),
        ("ART-0003", False),
    ]


def test_template_from_a_spreadsheet(make_member):
    coordinator, requisitioner, buyer, agreement = active_catalogue(make_member, 3)
    data = b"Artikelnummer;Antal\nART-0001;4\nART-0002;1\nFINNS-INTE;3\n"
    rows = templates.template_import_rows(stream=io.BytesIO(data), filename="mall.csv")
    template, problems = templates.template_create_from_rows(
        actor=requisitioner, organisation=buyer, name="Från fil", rows=rows
    )
    assert [(line.item.article_number, line.quantity) for line in template.lines.order_by("position")] == [
        ("ART-0001", 4),
        ("ART-0002", 1),
    ]
    assert len(problems) == 1 and "FINNS-INTE" in problems[0] and "4" in problems[0]


def test_other_tenants_templates_are_not_found(make_member, two_tenants):
    coordinator, requisitioner, buyer, agreement = active_catalogue(make_member, 1)
    template = templates.template_create(
        actor=coordinator, organisation=buyer, name="Delad", sharing=Template.Sharing.ORGANISATION
    )
    (other, other_org), _ = two_tenants
    assert template not in template_list(user=other, organisation=other_org)
    with pytest.raises(NotFound):
        templates.template_delete(actor=other, organisation=other_org, template_id=template.pk)


def test_exports_neutralise_formulas():
    assert safe_cell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert safe_cell("+46 70") == "'+46 70" and safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell(5) == 5
    data = export_csv(["Namn"], [['=HYPERLINK("http://x")'], ["Gem"]]).decode("utf-8-sig")
    assert "'=HYPERLINK" in data
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx_bytes(["Namn"], [["-2+3"], ["Gem"]]))).active
    assert sheet["A2"].value == "'-2+3" and sheet["A2"].data_type == "s"


def test_price_list_template_download_documents_every_column():
    from openpyxl import load_workbook

    from avrop.catalogue.exports import price_list_template
    from avrop.catalogue.imports.fields import FIELDS

    workbook = load_workbook(io.BytesIO(price_list_template()))
    assert [c.value for c in workbook["Prislista"][1]] == [f.header for f in FIELDS]
    documented = [r[0].value for r in workbook["Instruktioner"].iter_rows(min_row=2, max_row=len(FIELDS) + 1)]
    assert documented == [f.header for f in FIELDS]


def test_accounts_must_be_in_the_chart_when_there_is_one(make_member):
    from avrop.core.errors import DomainError
    from avrop.organisations.models import Account, Chart

    coordinator, requisitioner, buyer, agreement = setup_agreement(make_member)
    chart = Chart.objects.create(owner=buyer, name="Kommun-Bas")
    Account.objects.create(chart=chart, number="6110", name="Kontorsmaterial")
    buyer.chart = chart
    buyer.save()
    with pytest.raises(DomainError, match="9999"):
        accounts.account_rule_create(
            actor=coordinator, organisation=buyer, kind="unspsc", value="44", account_code="9999"
        )
    rule = accounts.account_rule_create(
        actor=coordinator, organisation=buyer, kind="unspsc", value="44", account_code="6110"
    )
    assert rule.account_code == "6110"


def test_search_over_the_api_is_scoped(client, make_member, two_tenants):
    from avrop.core.tokens import api_token_create

    coordinator, requisitioner, buyer, agreement = active_catalogue(make_member, 3)
    _token, key = api_token_create(actor=requisitioner, user=requisitioner, organisation=buyer, name="t")
    response = client.get("/api/catalogue/search", {"q": "gem"}, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200 and [i["article_number"] for i in response.json()["items"]] == [
        "ART-0003"
    ]
    item_id = response.json()["items"][0]["id"]
    (other, other_org), _ = two_tenants
    _token, other_key = api_token_create(actor=other, user=other, organisation=other_org, name="t")
    assert (
        client.get("/api/catalogue/search", {"q": "gem"}, HTTP_AUTHORIZATION=f"Bearer {other_key}").json()[
            "items"
        ]
        == []
    )
    assert (
        client.get(f"/api/catalogue/items/{item_id}", HTTP_AUTHORIZATION=f"Bearer {other_key}").status_code
        == 404
    )
