import pytest
from django.utils import translation

from avrop.cases import services
from avrop.cases.checklists import CHECKLISTS, CaseType
from avrop.cases.models import Case
from avrop.cases.selectors import case_get, case_list
from avrop.cases.workflows import TRANSITIONS, Status
from avrop.core.errors import DomainError, InvalidTransition, NotAllowed, NotFound
from avrop.core.models import AuditEvent, OutboxMessage
from avrop.organisations.models import Organisation
from avrop.organisations.roles import Role
from avrop.organisations.tests.factories import DepartmentFactory, OrganisationFactory
from avrop.suppliers.tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def people(make_member):
    coordinator, organisation = make_member(Role.COORDINATOR)
    requisitioner, _ = make_member(Role.REQUISITIONER, organisation=organisation)
    colleague, _ = make_member(Role.REQUISITIONER, organisation=organisation)
    return coordinator, requisitioner, colleague, organisation


def _open(people, case_type=CaseType.CANNOT_SEND_ORDER, **kwargs):
    _coordinator, requisitioner, _colleague, organisation = people
    return services.case_open(
        actor=kwargs.pop("actor", requisitioner),
        organisation=organisation,
        case_type=case_type,
        subject="Kan inte skicka",
        **kwargs,
    )


def test_checklists_follow_the_seed():
    assert [len(CHECKLISTS[t]) for t in CaseType.values] == [5, 3, 3, 5, 0]


@pytest.mark.parametrize("case_type", CaseType.values)
def test_opening_copies_the_checklist_of_the_type(people, case_type):
    case = _open(people, case_type)
    assert [s.text for s in case.steps.order_by("position")] == list(CHECKLISTS[case_type])
    assert case.status == Status.OPEN and case.requester == people[1] == case.opened_by
    assert AuditEvent.objects.filter(action="case.open", object_id=str(case.pk)).exists()


def test_links_to_supplier_and_department_must_be_the_organisations(people):
    coordinator, _requisitioner, colleague, organisation = people
    supplier = SupplierFactory(buyer=organisation)
    department = DepartmentFactory(organisation=organisation)
    case = _open(people, supplier=supplier, department=department, order_reference="PO-123")
    assert (case.supplier, case.department, case.order_reference) == (supplier, department, "PO-123")
    with pytest.raises(DomainError) as exc:
        _open(people, supplier=SupplierFactory())
    assert exc.value.field == "supplier"
    with pytest.raises(DomainError) as exc:
        _open(people, department=DepartmentFactory())
    assert exc.value.field == "department"
    with pytest.raises(DomainError) as exc:
        _open(people, case_type="made_up")
    assert exc.value.field == "case_type"


def test_only_a_coordinator_opens_for_someone_else(people, make_member):
    coordinator, requisitioner, colleague, organisation = people
    case = _open(people, actor=coordinator, requester=requisitioner)
    assert case.requester == requisitioner and case.opened_by == coordinator
    with pytest.raises(NotAllowed):
        _open(people, actor=colleague, requester=requisitioner)
    stranger, _ = make_member(Role.REQUISITIONER)
    with pytest.raises(DomainError) as exc:
        _open(people, actor=coordinator, requester=stranger)
    assert exc.value.field == "requester"


def test_suppliers_do_not_open_cases(make_member):
    user, supplier = make_member(
        Role.SUPPLIER_USER, organisation=OrganisationFactory(kind=Organisation.Kind.SUPPLIER)
    )
    with pytest.raises(NotAllowed):
        services.case_open(actor=user, organisation=supplier, case_type="other", subject="x")


def test_the_whole_life_of_a_case(people, django_capture_on_commit_callbacks, mailoutbox):
    coordinator, requisitioner, _colleague, _organisation = people
    case = _open(people)
    services.case_start(actor=coordinator, case_id=case.pk)
    services.case_step_set(actor=coordinator, case_id=case.pk, position=1, done=True)
    services.case_wait(actor=coordinator, case_id=case.pk, reason="Väntar på svar från beställaren")
    services.case_message_add(actor=requisitioner, case_id=case.pk, body="Jag har två flikar!")
    services.case_resume(actor=coordinator, case_id=case.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_resolve(actor=coordinator, case_id=case.pk, resolution="Attesterade båda flikarna.")
    services.case_close(actor=requisitioner, case_id=case.pk)
    services.case_reopen(actor=requisitioner, case_id=case.pk, reason="Händer igen")
    case.refresh_from_db()
    assert case.status == Status.OPEN and case.reopened_count == 1 and case.assignee == coordinator
    assert case.resolved_at is None and case.closed_at is None
    assert [m.body for m in case.messages.order_by("pk")] == [
        "Väntar på svar från beställaren",
        "Jag har två flikar!",
        "Händer igen",
    ]
    step = case.steps.get(position=1)
    assert step.done_by == coordinator and step.done_at is not None
    assert OutboxMessage.objects.get().recipient == requisitioner.email
    assert "Attesterade båda flikarna." in mailoutbox[0].body
    actions = list(
        AuditEvent.objects.filter(object_type="cases.case").order_by("pk").values_list("action", flat=True)
    )
    assert actions == [
        "case.open",
        "case.start",
        "case.step_done",
        "case.wait",
        "case.message",
        "case.resume",
        "case.resolve",
        "case.close",
        "case.reopen",
    ]


def test_invalid_transitions_name_the_rule(people):
    coordinator, requisitioner, _colleague, _organisation = people
    case = _open(people)
    with pytest.raises(InvalidTransition) as exc:
        services.case_wait(actor=coordinator, case_id=case.pk, reason="x")
    assert "'open'" in exc.value.detail and "'waiting'" in exc.value.detail  # the rule, for developers
    assert "“Open”" in exc.value.message or "”Öppen”" in exc.value.message  # the state, for people
    with pytest.raises(InvalidTransition):
        services.case_close(actor=coordinator, case_id=case.pk)
    with pytest.raises(InvalidTransition):
        services.case_reopen(actor=requisitioner, case_id=case.pk, reason="x")
    services.case_resolve(actor=coordinator, case_id=case.pk, resolution="Snabbt svar")
    with pytest.raises(InvalidTransition):
        services.case_start(actor=coordinator, case_id=case.pk)
    services.case_close(actor=coordinator, case_id=case.pk)
    with pytest.raises(InvalidTransition):
        services.case_resolve(actor=coordinator, case_id=case.pk, resolution="x")
    with pytest.raises(DomainError):
        services.case_message_add(actor=requisitioner, case_id=case.pk, body="hallå?")


def test_every_declared_transition_has_a_service(people):
    """Walk each (from, to) edge of TRANSITIONS through the services."""
    coordinator, requisitioner, _colleague, _organisation = people
    move = {
        Status.IN_PROGRESS: lambda c: (
            services.case_resume if c.status == Status.WAITING else services.case_start
        )(actor=coordinator, case_id=c.pk),
        Status.WAITING: lambda c: services.case_wait(actor=coordinator, case_id=c.pk, reason="r"),
        Status.RESOLVED: lambda c: services.case_resolve(actor=coordinator, case_id=c.pk, resolution="r"),
        Status.CLOSED: lambda c: services.case_close(actor=coordinator, case_id=c.pk),
        Status.OPEN: lambda c: services.case_reopen(actor=requisitioner, case_id=c.pk, reason="r"),
    }
    path_to = {
        Status.OPEN: [],
        Status.IN_PROGRESS: [Status.IN_PROGRESS],
        Status.WAITING: [Status.IN_PROGRESS, Status.WAITING],
        Status.RESOLVED: [Status.RESOLVED],
        Status.CLOSED: [Status.RESOLVED, Status.CLOSED],
    }
    for source, targets in TRANSITIONS.items():
        for target in targets:
            case = _open(people)
            for step in path_to[source]:
                move[step](Case.objects.get(pk=case.pk))
            move[target](Case.objects.get(pk=case.pk))
            assert Case.objects.get(pk=case.pk).status == target, (source, target)


def test_guards(people):
    coordinator, requisitioner, colleague, _organisation = people
    case = _open(people)
    for forbidden in (
        lambda: services.case_start(actor=requisitioner, case_id=case.pk),
        lambda: services.case_step_set(actor=requisitioner, case_id=case.pk, position=1, done=True),
        lambda: services.case_message_add(actor=colleague, case_id=case.pk, body="nyfiken"),
    ):
        with pytest.raises(NotAllowed):
            forbidden()
    with pytest.raises(DomainError) as exc:
        services.case_step_set(actor=coordinator, case_id=case.pk, position=9, done=True)
    assert exc.value.field == "position"
    for call, field in [
        (lambda: services.case_resolve(actor=coordinator, case_id=case.pk, resolution=" "), "resolution"),
        (lambda: services.case_message_add(actor=requisitioner, case_id=case.pk, body=""), "body"),
    ]:
        with pytest.raises(DomainError) as exc:
            call()
        assert exc.value.field == field
    services.case_resolve(actor=coordinator, case_id=case.pk, resolution="klart")
    with pytest.raises(DomainError, match="reopen"):
        services.case_step_set(actor=coordinator, case_id=case.pk, position=1, done=True)


def test_untick_clears_who_and_when(people):
    coordinator, *_rest = people
    case = _open(people)
    services.case_step_set(actor=coordinator, case_id=case.pk, position=2, done=True)
    services.case_step_set(actor=coordinator, case_id=case.pk, position=2, done=True)  # no second event
    services.case_step_set(actor=coordinator, case_id=case.pk, position=2, done=False)
    step = case.steps.get(position=2)
    assert step.done_by is None and step.done_at is None
    assert AuditEvent.objects.filter(action="case.step_done").count() == 1


def test_scoping(people, two_tenants):
    coordinator, requisitioner, colleague, organisation = people
    mine = _open(people)
    assert list(case_list(user=colleague, organisation=organisation)) == []
    assert [c.pk for c in case_list(user=coordinator, organisation=organisation)] == [mine.pk]
    with pytest.raises(NotFound):
        case_get(user=colleague, organisation=organisation, case_id=mine.pk)
    (user_a, org_a), _ = two_tenants
    assert list(case_list(user=user_a, organisation=org_a)) == []
    with pytest.raises(NotFound):
        case_get(user=user_a, organisation=org_a, case_id=mine.pk)
    with pytest.raises(NotFound):
        services.case_start(actor=user_a, case_id=mine.pk)
