import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from avrop.cases import services
from avrop.cases.models import Case
from avrop.organisations.models import Organisation
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import DepartmentFactory, OrganisationFactory
from avrop.suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_member):
    coordinator, organisation = make_member(Role.COORDINATOR)
    requisitioner, _ = make_member(Role.REQUISITIONER, organisation=organisation)
    return coordinator, requisitioner, organisation


def test_requisitioner_opens_a_case_and_the_coordinator_works_it(client, people):
    coordinator, requisitioner, organisation = people
    supplier = SupplierFactory(buyer=organisation)
    department = DepartmentFactory(organisation=organisation)
    client.force_login(requisitioner)
    html = client.get(reverse("cases:new")).content.decode()
    assert 'name="requester"' not in html
    response = client.post(
        reverse("cases:new"),
        {
            "case_type": "no_order_response",
            "subject": "Inget ordersvar",
            "supplier": supplier.pk,
            "department": department.pk,
            "order_reference": "PO-1",
        },
    )
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    html = client.get(case_url := reverse("cases:detail", args=[case.pk])).content.decode()
    assert "PO-1" in html and f'action="/cases/{case.pk}/steps/1/"' not in html

    client.force_login(coordinator)
    assert "Inget ordersvar" in client.get(reverse("cases:list")).content.decode()
    assert "Inget ordersvar" in client.get("/").content.decode()
    client.post(reverse("cases:action", args=[case.pk, "start"]))
    html = client.get(case_url).content.decode()
    assert f'hx-post="/cases/{case.pk}/steps/1/"' in html
    # HTMX tick: only the checklist comes back.
    response = client.post(reverse("cases:step", args=[case.pk, 1]), {"done": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="checklist"' in response.content.decode()
    assert "<html" not in response.content.decode()
    response = client.post(reverse("cases:step", args=[case.pk, 2]), {"done": "1"})
    assert response.status_code == 302
    assert case.steps.filter(done_at__isnull=False).count() == 2

    response = client.post(reverse("cases:action", args=[case.pk, "resolve"]), {"resolve-resolution": ""})
    assert response.status_code == 400
    assert 'aria-describedby="id_resolve-resolution_error"' in response.content.decode()
    client.post(reverse("cases:action", args=[case.pk, "wait"]), {"wait-reason": "Väntar på IT"})
    client.post(reverse("cases:action", args=[case.pk, "resume"]))
    client.post(reverse("cases:action", args=[case.pk, "resolve"]), {"resolve-resolution": "IT startade om."})
    case.refresh_from_db()
    assert case.status == "resolved"

    client.force_login(requisitioner)
    client.post(reverse("cases:action", args=[case.pk, "message"]), {"message-body": "Tack!"})
    client.post(reverse("cases:action", args=[case.pk, "close"]))
    case.refresh_from_db()
    assert case.status == "closed" and case.messages.count() == 2
    assert client.post(reverse("cases:action", args=[case.pk, "start"])).status_code == 403
    assert client.post(reverse("cases:action", args=[case.pk, "dance"])).status_code == 404
    response = client.post(reverse("cases:action", args=[case.pk, "resolve"]), {"resolve-resolution": "x"})
    assert response.status_code == 403


def test_coordinator_opens_a_case_for_a_caller(client, people):
    coordinator, requisitioner, _organisation = people
    client.force_login(coordinator)
    assert 'name="requester"' in client.get(reverse("cases:new")).content.decode()
    client.post(
        reverse("cases:new"),
        {"case_type": "cannot_find_items", "subject": "Hittar inte handskar", "requester": requisitioner.pk},
    )
    case = Case.objects.get()
    assert case.requester == requisitioner and case.opened_by == coordinator and case.steps.count() == 5


def test_invalid_transition_is_409(client, people):
    coordinator, requisitioner, organisation = people
    case = services.case_open(actor=requisitioner, organisation=organisation, case_type="other", subject="x")
    client.force_login(coordinator)
    response = client.post(reverse("cases:action", args=[case.pk, "resume"]))
    assert response.status_code == 409
    page = response.content.decode()
    # Plain words with the state's name, never the code or the internal state keys.
    assert "invalid_transition" not in page and "'new'" not in page
    assert "Det går inte just nu" in page or "cannot be done now" in page


def test_cases_of_others_are_404(client, people, two_tenants, make_member):
    coordinator, requisitioner, organisation = people
    case = services.case_open(actor=requisitioner, organisation=organisation, case_type="other", subject="x")
    colleague, _ = make_member(Role.GOODS_RECEIVER, organisation=organisation)
    (outsider, _org), _ = two_tenants
    for user in (colleague, outsider):
        client.force_login(user)
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
        assert (
            client.post(reverse("cases:action", args=[case.pk, "message"]), {"message-body": "x"}).status_code
            == 404
        )
        assert client.post(reverse("cases:step", args=[case.pk, 1]), {"done": "1"}).status_code == 404
        assert f"#{case.pk} " not in client.get(reverse("cases:list") + "?status=all").content.decode()


def test_supplier_users_have_no_case_pages(client, make_member):
    user, _supplier = make_member(
        Role.SUPPLIER_USER, organisation=OrganisationFactory(kind=Organisation.Kind.SUPPLIER)
    )
    client.force_login(user)
    assert client.get(reverse("cases:list")).status_code == 404
    assert client.get(reverse("cases:new")).status_code == 404
    assert "/cases/" not in client.get("/").content.decode()


def test_case_list_query_count_does_not_grow(client, people):
    coordinator, requisitioner, organisation = people
    supplier = SupplierFactory(buyer=organisation)
    department = DepartmentFactory(organisation=organisation)
    client.force_login(coordinator)

    def add():
        case = services.case_open(
            actor=requisitioner,
            organisation=organisation,
            case_type="cannot_send_order",
            subject="x",
            supplier=supplier,
            department=department,
        )
        services.case_start(actor=coordinator, case_id=case.pk)
        services.case_step_set(actor=coordinator, case_id=case.pk, position=1, done=True)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    add()
    urls = [reverse("cases:list"), reverse("cases:list") + "?status=all", "/"]
    for url in urls:
        count(url)
    few = [count(url) for url in urls]
    for _ in range(12):
        add()
    assert [count(url) for url in urls] == few
