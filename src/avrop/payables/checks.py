"""Business checks and routing of one invoice header, against a ``Directory`` loaded in bulk per batch.

The directory answers every lookup intake needs (our buyers, their departments and people, suppliers,
registered bank accounts, earlier invoices) from a handful of queries per batch, so checking 50 invoices
costs the same number of queries as checking one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from avrop.payables import conf
from avrop.payables.extract import InvoiceHeader
from avrop.payables.models import SupplierInvoice
from avrop.payables.rules import finding

CENT = Decimal("0.01")
TOLERANCE = Decimal("0.02")
_SEPARATORS = re.compile(r"[\s\-.]")
_REFERENCE_SPLIT = re.compile(r"[\s/,;:]+|(?<=\w)-(?=\w)")
PLAUSIBLE_CURRENCIES = frozenset({"SEK", "EUR", "NOK", "DKK", "USD", "GBP", "CHF"})
Status = SupplierInvoice.Status


def _compact(value: str) -> str:
    return _SEPARATORS.sub("", value or "").upper()


def party_keys(
    *,
    endpoint: str = "",
    legal_id: str = "",
    legal_scheme: str = "",
    vat_id: str = "",
    identifiers: list[str] | None = None,
) -> list[str]:
    """Lookup keys of a party: ``ORG:<digits>``, ``GLN:<13 digits>``, ``VAT:<id>``, ``EP:<scheme:value>``."""
    keys: list[str] = []

    def scheme_value(text: str) -> None:
        scheme, sep, value = text.partition(":")
        if not sep:
            return
        value = _compact(value)
        keys.append(f"EP:{scheme}:{value}")
        if scheme == "0007":
            keys.append(f"ORG:{value}")
        elif scheme == "0088":
            keys.append(f"GLN:{value}")
        elif scheme == "9955":
            keys.append(f"VAT:{value}")

    if endpoint:
        scheme_value(endpoint)
    for identifier in identifiers or []:
        scheme_value(identifier)
    if legal_id:
        compact = _compact(legal_id)
        if legal_scheme in {"", "0007"} and compact.isdigit():
            keys.append(f"ORG:{compact}")
        elif legal_scheme == "0088":
            keys.append(f"GLN:{compact}")
    if vat_id:
        keys.append(f"VAT:{_compact(vat_id)}")
    return keys


def organisation_keys(org: Any) -> list[str]:
    keys = []
    if org.peppol_id:
        keys.extend(party_keys(endpoint=org.peppol_id))
    if org.org_number:
        keys.append(f"ORG:{_compact(org.org_number)}")
    if org.gln:
        keys.append(f"GLN:{_compact(org.gln)}")
    if org.vat_number:
        keys.append(f"VAT:{_compact(org.vat_number)}")
    return keys


def buyer_keys(header: InvoiceHeader) -> list[str]:
    """The lookup keys of the invoice's buyer (see ``party_keys``)."""
    buyer = header.buyer
    return party_keys(
        endpoint=buyer.endpoint,
        legal_id=buyer.legal_id,
        legal_scheme=buyer.legal_scheme,
        vat_id=buyer.vat_id,
        identifiers=buyer.identifiers,
    )


def own_keys(organisation: Any) -> set[str]:
    """Every key that names ``organisation``: its own identifiers and its departments' GLNs."""
    keys = set(organisation_keys(organisation))
    glns = organisation.departments.exclude(gln="").values_list("gln", flat=True)
    keys.update(f"GLN:{_compact(gln)}" for gln in glns)
    return keys


def addressed_elsewhere(header: InvoiceHeader, organisation: Any) -> bool:
    """True when the invoice names its buyer by identifiers (Peppol endpoint, org.no, GLN, VAT) and none of
    them is ``organisation``'s. Only ``organisation``'s own identifiers are read, so the answer says nothing
    about whether another organisation with those identifiers exists."""
    keys = buyer_keys(header)
    return bool(keys) and not (set(keys) & own_keys(organisation))


@dataclass
class Person:
    user: Any
    department_id: int | None


@dataclass
class Outcome:
    """What the checks decided for one invoice."""

    findings: list[dict[str, Any]] = field(default_factory=list)
    organisation: Any = None
    department: Any = None
    purchase_order: Any = None
    reviewer: Any = None
    supplier: Any = None
    status: str = Status.PRECHECK
    routing_note: str = ""
    duplicate_of: Any = None
    duplicate_reason: str = ""
    payee_account: str = ""
    payee_account_kind: str = ""

    @property
    def fatal(self) -> bool:
        return any(f["severity"] == "fatal" for f in self.findings)


@dataclass
class _Known:
    """An invoice already received (or earlier in this batch), for the duplicate checks."""

    pk: int | None
    seller_key: str
    kind: str
    number: str
    supplier_id: int | None
    payable: Decimal | None
    issue_date: dt.date | None
    received: dt.date
    status: str
    fingerprint: str = ""
    ref: Any = None  # the SupplierInvoice, or the pending outcome of this batch


class Directory:
    """Everything the checks need for a batch of headers, loaded with a fixed number of queries."""

    def __init__(
        self,
        headers: list[InvoiceHeader],
        *,
        fingerprints: list[str] | None = None,
        buyer_hints: list[Any] | None = None,
    ) -> None:
        from avrop.organisations.models import Department, Membership, Organisation
        from avrop.suppliers.models import Supplier

        self.today = timezone.localdate()
        buyers = list(
            Organisation.objects.filter(kind__in=[Organisation.Kind.BUYER, Organisation.Kind.SERVICE_CENTRE])
        )
        self.buyer_by_key: dict[str, Any] = {}
        for org in buyers:
            for key in organisation_keys(org):
                self.buyer_by_key.setdefault(key, org)
        self.buyers = {org.pk: org for org in buyers}
        departments = list(Department.objects.filter(organisation__in=buyers, is_active=True))
        self.department_by_gln = {d.gln: d for d in departments if d.gln}
        self.departments = {d.pk: d for d in departments}
        for department in departments:
            self.buyer_by_key.setdefault(f"GLN:{department.gln}", self.buyers[department.organisation_id])
        wanted_orgs = {org.pk for h in headers for org in [self._buyer_of(h)] if org is not None}
        wanted_orgs |= {o.pk for o in (buyer_hints or []) if o is not None}
        self._department_keys: dict[int, dict[str, Any]] = defaultdict(dict)
        for department in departments:
            if department.organisation_id not in wanted_orgs:
                continue
            keys = self._department_keys[department.organisation_id]
            for value in (department.code, department.gln, department.name):
                if value:
                    keys.setdefault(value.strip().lower(), department)
        self._people: dict[int, dict[str, Person]] = defaultdict(dict)
        self._approvers: dict[int, Any] = {}
        self._approver_ids: set[tuple[int, int]] = set()
        memberships = (
            Membership.objects.filter(organisation_id__in=wanted_orgs, is_active=True, user__is_active=True)
            .select_related("user")
            .order_by("pk")
        )
        for membership in memberships:
            user = membership.user
            people = self._people[membership.organisation_id]
            person = people.get(user.username.lower())
            if person is None or (person.department_id is None and membership.department_id):
                person = Person(user=user, department_id=membership.department_id)
            for value in (user.username, user.email, user.get_full_name()):
                if value:
                    people[value.strip().lower()] = person
            if membership.role == "approver":
                self._approver_ids.add((membership.organisation_id, user.pk))
                if membership.department_id:
                    self._approvers.setdefault(membership.department_id, user)

        self._suppliers: dict[tuple[int, str], Any] = {}
        self.suppliers: dict[int, Any] = {}
        for supplier in Supplier.objects.filter(buyer_id__in=wanted_orgs).select_related("organisation"):
            self.suppliers[supplier.pk] = supplier
            for key in organisation_keys(supplier.organisation):
                self._suppliers.setdefault((supplier.buyer_id, key), supplier)
        self.bank_accounts: dict[int, list[Any]] = defaultdict(list)
        self.bank_details_available = True
        try:
            bank_account = apps.get_model("suppliers", "BankAccount")
        except LookupError:
            self.bank_details_available = False
        else:
            for account in bank_account.objects.filter(supplier_id__in=list(self.suppliers)).exclude(
                status="retired"
            ):
                self.bank_accounts[account.supplier_id].append(account)

        # Earlier invoices, for duplicates and credited invoices.
        seller_keys = {h.seller_key for h in headers if h.seller_key}
        numbers = {h.number for h in headers if h.number} | {r for h in headers for r in h.invoice_references}
        amounts = {h.payable for h in headers if h.payable is not None}
        self._known: list[_Known] = []
        query = Q(seller_key__in=seller_keys, number__in=numbers) if seller_keys and numbers else Q(pk=None)
        if amounts and self.suppliers:
            query |= Q(supplier_id__in=list(self.suppliers), payable_amount__in=amounts)
        if fingerprints:
            query |= Q(content_fingerprint__in=[f for f in fingerprints if f])
        for invoice in SupplierInvoice.objects.filter(query).only(
            "pk",
            "seller_key",
            "kind",
            "number",
            "supplier_id",
            "payable_amount",
            "issue_date",
            "created_at",
            "status",
            "content_fingerprint",
            "claims_number",
        ):
            self._known.append(
                _Known(
                    invoice.pk,
                    invoice.seller_key,
                    invoice.kind,
                    invoice.number,
                    invoice.supplier_id,
                    invoice.payable_amount,
                    invoice.issue_date,
                    timezone.localdate(invoice.created_at),
                    invoice.status,
                    invoice.content_fingerprint,
                    invoice,
                )
            )

    # --- lookups ---------------------------------------------------------------------------------

    def _buyer_of(self, header: InvoiceHeader) -> Any:
        for key in buyer_keys(header):
            org = self.buyer_by_key.get(key)
            if org is not None:
                return org
        return None

    def supplier_for(self, organisation: Any, header: InvoiceHeader) -> Any:
        seller = header.seller
        for key in party_keys(
            endpoint=seller.endpoint,
            legal_id=seller.legal_id,
            legal_scheme=seller.legal_scheme,
            vat_id=seller.vat_id,
            identifiers=seller.identifiers,
        ):
            supplier = self._suppliers.get((organisation.pk, key))
            if supplier is not None:
                return supplier
        return None

    def resolve_reference(self, organisation: Any, text: str) -> tuple[Any, Any] | None:
        """(department, person) for a buyer reference: a department code, GLN or name, a person's user name,
        e-mail or full name, or a department code together with a person (``SOL Anna Berg``)."""
        departments = self._department_keys.get(organisation.pk, {})
        people = self._people.get(organisation.pk, {})
        value = text.strip().lower()
        if not value:
            return None
        if value in departments:
            return departments[value], None
        if value in people:
            person = people[value]
            department = self.departments.get(person.department_id) if person.department_id else None
            return department, person.user
        tokens = [t for t in _REFERENCE_SPLIT.split(value) if t]
        for cut in range(1, len(tokens)):
            left, right = " ".join(tokens[:cut]), " ".join(tokens[cut:])
            for code, name in ((left, right), (right, left)):
                if code in departments and name in people:
                    return departments[code], people[name].user
        for token in tokens:
            if token in departments:
                return departments[token], None
        return None

    def reviewer_for(self, organisation: Any, person: Any, department: Any) -> Any:
        """Who the invoice goes to for approval: the person its reference names when they are an approver
        of ``organisation``, else the approver of the department the reference leads to, else the
        person anyway (the AP clerk then chooses an approver before sending it on)."""
        if person is not None and (organisation.pk, person.pk) in self._approver_ids:
            return person
        return self.approver_of(department) or person

    def approver_of(self, department: Any) -> Any:
        return self._approvers.get(department.pk) if department is not None else None

    def remember(
        self, header: InvoiceHeader, outcome: Outcome, *, fingerprint: str = "", ref: Any = None
    ) -> None:
        """Make a checked invoice of this batch visible to the duplicate checks of the following ones."""
        self._known.append(
            _Known(
                None,
                header.seller_key,
                header.kind,
                header.number,
                outcome.supplier.pk if outcome.supplier is not None else None,
                header.payable,
                header.issue_date,
                self.today,
                outcome.status,
                fingerprint,
                ref,
            )
        )

    # --- the checks ------------------------------------------------------------------------------

    def check(
        self, header: InvoiceHeader, *, fingerprint: str = "", buyer_hint: Any = None, sender_hint: Any = None
    ) -> Outcome:
        outcome = Outcome()
        add = outcome.findings.append
        # A hinted buyer that the invoice names too wins over another organisation the same identifiers
        # might also reach (a shared VAT number, say).
        if buyer_hint is not None and set(buyer_keys(header)) & set(organisation_keys(buyer_hint)):
            organisation = buyer_hint
        else:
            organisation = self._buyer_of(header) or buyer_hint
        buyer_text = header.buyer.name or header.buyer.endpoint or header.buyer.legal_id or "?"
        seller_text = header.seller.name or header.seller_key or "?"
        if organisation is None:
            add(finding("AVROP-BUYER-UNKNOWN", buyer=buyer_text))
        elif not organisation.is_active or not organisation.module_payables:
            add(finding("AVROP-BUYER-NO-PAYABLES", buyer=organisation.name))
            organisation = None
        outcome.organisation = organisation
        if header.unreadable:
            add(finding("AVROP-UNREADABLE-VALUE", names=", ".join(sorted(set(header.unreadable)))))

        if organisation is not None:
            supplier = self.supplier_for(organisation, header)
            if (
                sender_hint is not None
                and supplier is not None
                and supplier.organisation_id != sender_hint.pk
            ):
                add(finding("AVROP-SENDER-MISMATCH", seller=seller_text, sender=sender_hint.name))
            if supplier is None:
                add(finding("AVROP-SUPPLIER-UNKNOWN", seller=seller_text, buyer=organisation.name))
            elif not supplier.is_active:
                add(finding("AVROP-SUPPLIER-INACTIVE", seller=seller_text, buyer=organisation.name))
            outcome.supplier = supplier
            self._route(header, organisation, outcome, buyer_text)
            if (
                header.currency
                and header.currency != "SEK"
                and (header.currency not in PLAUSIBLE_CURRENCIES or header.seller.country in {"", "SE"})
            ):
                add(finding("AVROP-CURRENCY", currency=header.currency, buyer=organisation.name))
        self._bank(header, outcome)
        self._amounts(header, outcome)
        self._dates(header, outcome)
        self._credit_note(header, outcome)
        self._duplicates(header, outcome, fingerprint)

        if outcome.fatal:
            outcome.status = Status.RETURNED
        elif outcome.duplicate_of is not None:
            outcome.status = Status.SUSPECTED_DUPLICATE
        elif any(f["rule"] == "AVROP-REFERENCE-UNKNOWN" for f in outcome.findings):
            outcome.status = Status.NEEDS_REFERENCE
        else:
            outcome.status = Status.PRECHECK
        return outcome

    def _route(self, header: InvoiceHeader, organisation: Any, outcome: Outcome, buyer_text: str) -> None:
        references = [r for r in (header.buyer_reference, header.order_reference) if r]
        if not references:
            outcome.findings.append(finding("AVROP-REFERENCE-MISSING"))
            return
        order = (
            order_for_reference(organisation, header.order_reference, supplier=outcome.supplier)
            if header.order_reference
            else None
        )
        if order is not None:
            from avrop.ordering.selectors import order_approver

            outcome.purchase_order = order
            outcome.department = order.department
            outcome.reviewer = order_approver(order) or self.approver_of(order.department)
            outcome.routing_note = f"order {order.number}"
            return
        for reference in references:
            resolved = self.resolve_reference(organisation, reference)
            if resolved is not None:
                department, person = resolved
                outcome.department = department
                outcome.reviewer = self.reviewer_for(organisation, person, department)
                outcome.routing_note = f"reference {reference}"
                return
        if header.delivery_gln:
            outcome.department = self.department_by_gln.get(header.delivery_gln.partition(":")[2])
            if outcome.department is not None and outcome.department.organisation_id != organisation.pk:
                outcome.department = None
        outcome.findings.append(
            finding("AVROP-REFERENCE-UNKNOWN", reference=" / ".join(references), buyer=organisation.name)
        )

    def _bank(self, header: InvoiceHeader, outcome: Outcome) -> None:
        if not header.payee_accounts:
            if header.kind == "invoice" and header.payable and header.payable > 0:
                outcome.findings.append(finding("AVROP-BANK-MISSING"))
            return
        code, account = header.payee_accounts[0]
        compact = _compact(account)
        outcome.payee_account = compact
        outcome.payee_account_kind = _account_kind(code, compact)
        supplier = outcome.supplier
        if supplier is None:
            return
        registered = self.bank_accounts.get(supplier.pk, [])
        if not registered:
            outcome.findings.append(finding("AVROP-BANK-NONE", account=account))
            return
        given = {_compact(a) for _c, a in header.payee_accounts}
        match = next((r for r in registered if _compact(r.number) in given), None)
        if match is None:
            shown = ", ".join(r.display_number for r in registered)
            outcome.findings.append(finding("AVROP-BANK-MISMATCH", account=account, registered=shown))
        elif match.status != "verified":
            outcome.findings.append(finding("AVROP-BANK-UNVERIFIED", account=account))

    def _amounts(self, header: InvoiceHeader, outcome: Outcome) -> None:
        add = outcome.findings.append
        if header.payable is None:
            add(finding("AVROP-AMOUNT-MISSING"))
            return
        lines, stated = header.line_sum, header.line_extension
        if lines is not None and stated is not None and abs(lines - stated) > TOLERANCE:
            add(finding("AVROP-AMOUNT-LINES", lines=header.line_sum, total=header.line_extension))
        if header.tax_lines:
            problems = []
            for tax in header.tax_lines:
                if tax.taxable is None or tax.tax is None or tax.percent is None:
                    continue
                expected = (tax.taxable * tax.percent / 100).quantize(CENT)
                if abs(expected - tax.tax) > TOLERANCE:
                    problems.append(f"{tax.percent} % × {tax.taxable} = {expected}, not {tax.tax}")
            subtotal = sum((t.tax or Decimal(0)) for t in header.tax_lines)
            if header.tax_total is not None and abs(subtotal - header.tax_total) > TOLERANCE:
                problems.append(f"{subtotal} ≠ {header.tax_total}")
            if problems:
                add(finding("AVROP-AMOUNT-VAT", detail="; ".join(problems)))
        if header.tax_inclusive is not None:
            expected = header.tax_inclusive - (header.prepaid or 0) + (header.rounding or 0)
            if abs(expected - header.payable) > TOLERANCE:
                add(finding("AVROP-AMOUNT-TOTAL", payable=header.payable, total=header.tax_inclusive))

    def _dates(self, header: InvoiceHeader, outcome: Outcome) -> None:
        add = outcome.findings.append
        issue, due = header.issue_date, header.due_date
        if issue is not None:
            if issue > self.today + dt.timedelta(days=3):
                add(finding("AVROP-ISSUE-FUTURE", issue=issue))
            elif issue < self.today - dt.timedelta(days=365):
                add(finding("AVROP-ISSUE-OLD", issue=issue))
        if due is None:
            if header.kind == "invoice":
                add(finding("AVROP-DUE-MISSING"))
        elif issue is not None:
            if due < issue:
                add(finding("AVROP-DUE-BEFORE-ISSUE", due=due, issue=issue))
            elif (due - issue).days > 120:
                add(finding("AVROP-DUE-FAR", due=due, issue=issue))

    def _credit_note(self, header: InvoiceHeader, outcome: Outcome) -> None:
        if header.kind != "credit_note":
            return
        if not header.invoice_references:
            outcome.findings.append(finding("AVROP-CREDIT-NO-REFERENCE"))
            return
        for reference in header.invoice_references:
            if not any(
                k.seller_key == header.seller_key and k.number == reference and k.kind == "invoice"
                for k in self._known
            ):
                outcome.findings.append(finding("AVROP-CREDIT-UNKNOWN-INVOICE", reference=reference))

    def _duplicates(self, header: InvoiceHeader, outcome: Outcome, fingerprint: str) -> None:
        live = [k for k in self._known if k.status != Status.RETURNED]
        if header.number and header.seller_key:
            same = next(
                (
                    k
                    for k in live
                    if k.seller_key == header.seller_key
                    and k.kind == header.kind
                    and k.number == header.number
                ),
                None,
            )
            if same is not None:
                outcome.duplicate_of = same.ref
                outcome.duplicate_reason = "number"
                outcome.findings.append(
                    finding("AVROP-DUPLICATE-NUMBER", number=header.number, received=same.received)
                )
                return
        if fingerprint:
            same = next((k for k in live if k.fingerprint == fingerprint), None)
            if same is not None:
                outcome.duplicate_of = same.ref
                outcome.duplicate_reason = "pdf"
                outcome.findings.append(finding("AVROP-DUPLICATE-PDF", received=same.received))
                return
        supplier_id = outcome.supplier.pk if outcome.supplier is not None else None
        if supplier_id is None or header.payable is None or header.issue_date is None:
            return
        window = conf.DUPLICATE_DATE_WINDOW_DAYS
        same = next(
            (
                k
                for k in live
                if k.supplier_id == supplier_id
                and k.kind == header.kind
                and k.payable == header.payable
                and k.issue_date is not None
                and abs((k.issue_date - header.issue_date).days) <= window
                and k.number != header.number
            ),
            None,
        )
        if same is not None:
            outcome.duplicate_of = same.ref
            outcome.duplicate_reason = "similar"
            outcome.findings.append(finding("AVROP-DUPLICATE-SIMILAR", original=same.number, days=window))


def _account_kind(means_code: str, account: str) -> str:
    if account[:2].isalpha():
        return "iban"
    if means_code in {"", "30"} and len(account) in {7, 8}:
        return "bankgiro"
    return "plusgiro" if means_code == "30" else "other"


def order_for_reference(organisation: Any, reference: str, *, supplier: Any = None) -> Any:
    """The buyer's purchase order that an invoice's order reference names, from the invoice's supplier when
    it is known (see ``ordering.selectors.purchase_order_for_invoice``); None when none matches."""
    from avrop.ordering.selectors import purchase_order_for_invoice

    return purchase_order_for_invoice(
        organisation=organisation,
        reference=reference,
        supplier_id=getattr(supplier, "pk", None),
    )
