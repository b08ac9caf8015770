"""Punch-out: the supplier's shop settings, the trip to the shop, and the check of the cart it returns.

A session is opened when the requisitioner leaves for the shop and is bound to them, to their browser
session and to a one-time token in the return (hook) URL; cXML also carries a BuyerCookie. The return is
accepted once: it is stored raw with its SHA-256, read (XML only through the hardened parser), and every
line is checked against the agreement (assortment, price list with tolerance) and coded by UNSPSC through
the organisation's account rules. Joining the accepted lines to the cart is the ordering app's
(``ordering.services.punch_out``), which calls ``punch_out_lock_for_join`` and ``punch_out_mark_joined``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets as token_source
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from avrop.agreements.models import Agreement
from avrop.catalogue.imports.staging import AccountRules
from avrop.catalogue.models import CatalogueItem, PunchOutConfig, PunchOutSession
from avrop.catalogue.punch_out import protocols
from avrop.catalogue.punch_out import secrets as credential_store
from avrop.catalogue.services.accounts import _clean_account
from avrop.catalogue.workflows import PUNCH_OUT_TRANSITIONS, PunchOutStatus
from avrop.core.audit import audit
from avrop.core.errors import DomainError, ErrorCode, NotFound
from avrop.core.workflows import move_status
from avrop.edi import validation
from avrop.organisations.models import Organisation, User
from avrop.organisations.permissions import require_role
from avrop.organisations.roles import Role
from avrop.suppliers.models import Supplier

CONFIG_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})
SHOP_ROLES = frozenset({Role.REQUISITIONER})
SESSION_HOURS = 4
SETUP_TIMEOUT_SECONDS = 10
CREDENTIAL_FIELDS = (
    "username",
    "password",
    "token",
    "from_identity",
    "from_domain",
    "to_identity",
    "to_domain",
    "sender_identity",
    "sender_domain",
    "shared_secret",
)
SECRET_FIELDS = frozenset({"password", "token", "shared_secret"})


class PunchOutError:
    """Stable codes of punch-out refusals (DomainError.code)."""

    NO_SESSION = "punch_out_no_session"
    OTHER_SESSION = "punch_out_other_session"
    ALREADY_RETURNED = "punch_out_already_returned"
    EXPIRED = "punch_out_expired"
    SHOP_DOWN = "punch_out_shop_down"
    NOT_CONFIGURED = "punch_out_not_configured"
    NOTHING_TO_ADD = "punch_out_nothing_to_add"


def browser_session_hash(session_key: str | None) -> str:
    return hashlib.sha256(f"avrop punch-out {session_key or ''}".encode()).hexdigest()


# --- settings -----------------------------------------------------------------------------------------------


def _supplier(organisation: Organisation, supplier_id: int) -> Supplier:
    supplier = (
        Supplier.objects.filter(buyer=organisation, pk=supplier_id).select_related("organisation").first()
    )
    if supplier is None:
        raise NotFound()
    return supplier


def punch_out_config_get(
    *, user: User, organisation: Organisation, supplier_id: int
) -> PunchOutConfig | None:
    require_role(user=user, organisation=organisation, roles=CONFIG_ROLES)
    _supplier(organisation, supplier_id)
    return PunchOutConfig.objects.filter(organisation=organisation, supplier_id=supplier_id).first()


def punch_out_credentials_set(*, config: PunchOutConfig) -> dict[str, bool]:
    """Which credential fields hold a value (never the values: secrets are not shown again)."""
    stored = credential_store.decrypt(config.credentials)
    return {name: bool(stored.get(name)) for name in CREDENTIAL_FIELDS}


def punch_out_agreements(*, organisation: Organisation, supplier_id: int) -> list[Agreement]:
    """The agreements with the supplier the organisation owns or may call off."""
    from avrop.catalogue.selectors import callable_agreements

    supplier = _supplier(organisation, supplier_id)
    callable_ids = callable_agreements(organisation=organisation).values("pk")
    return list(
        Agreement.objects.filter(
            Q(pk__in=callable_ids) | Q(owner=organisation), supplier=supplier.organisation
        )
        .distinct()
        .order_by("title")
    )


@transaction.atomic
def punch_out_config_save(
    *,
    actor: User,
    organisation: Organisation,
    supplier_id: int,
    protocol: str,
    setup_url: str,
    order_url: str = "",
    language: str = "sv",
    agreement_id: int | None = None,
    restrict_to_agreement: bool = True,
    allowed_unspsc: str = "",
    price_tolerance_percent: Any = 0,
    default_account: str = "",
    credentials: Mapping[str, str] | None = None,
    clear_credentials: bool = False,
    is_active: bool = True,
) -> PunchOutConfig:
    """Create or change the supplier's punch-out settings. Credential fields left empty keep their value."""
    require_role(user=actor, organisation=organisation, roles=CONFIG_ROLES)
    supplier = Supplier.objects.select_for_update().filter(buyer=organisation, pk=supplier_id).first()
    if supplier is None:
        raise NotFound()
    if protocol not in PunchOutConfig.Protocol.values:
        raise DomainError(ErrorCode.VALIDATION, _("Choose OCI 4.0, OCI 5.0 or cXML."), field="protocol")
    if not setup_url.strip().lower().startswith(("https://", "http://")):
        raise DomainError(
            ErrorCode.VALIDATION, _("Give the shop's address, starting with https://."), field="setup_url"
        )
    order_url = (order_url or "").strip()
    if order_url and (
        protocol != PunchOutConfig.Protocol.CXML or not order_url.lower().startswith(("https://", "http://"))
    ):
        raise DomainError(
            ErrorCode.VALIDATION,
            _("An order address is for cXML suppliers and starts with https://."),
            field="order_url",
        )
    agreement = None
    if agreement_id:
        agreement = next(
            (
                a
                for a in punch_out_agreements(organisation=organisation, supplier_id=supplier_id)
                if a.pk == agreement_id
            ),
            None,
        )
        if agreement is None:
            raise DomainError(
                ErrorCode.VALIDATION,
                _("Choose one of the supplier's agreements you may call off."),
                field="agreement",
            )
    prefixes = [p.strip() for p in allowed_unspsc.split(",") if p.strip()]
    if any(not (p.isdigit() and 2 <= len(p) <= 8) for p in prefixes):
        raise DomainError(
            ErrorCode.VALIDATION,
            _("UNSPSC codes have 2 to 8 digits, separated by commas."),
            field="allowed_unspsc",
        )
    try:
        tolerance = Decimal(str(price_tolerance_percent or 0).replace(",", ".")).quantize(Decimal("0.01"))
    except InvalidOperation:
        tolerance = Decimal("-1")
    if not Decimal("0") <= tolerance <= Decimal("100"):
        raise DomainError(
            ErrorCode.VALIDATION,
            _("The tolerance is a percentage from 0 to 100."),
            field="price_tolerance_percent",
        )
    account = (
        _clean_account(default_account, actor=actor, organisation=organisation) if default_account else ""
    )
    config = PunchOutConfig.objects.filter(supplier=supplier).first()
    stored = {} if config is None or clear_credentials else credential_store.decrypt(config.credentials)
    changed = sorted(
        name for name, value in (credentials or {}).items() if name in CREDENTIAL_FIELDS and value
    )
    stored.update({name: str(credentials[name]).strip() for name in changed if credentials is not None})
    values = {
        "organisation": organisation,
        "protocol": protocol,
        "setup_url": setup_url.strip(),
        "order_url": order_url,
        "language": (language or "sv").strip()[:5],
        "agreement": agreement,
        "restrict_to_agreement": restrict_to_agreement,
        "allowed_unspsc": ", ".join(prefixes),
        "price_tolerance_percent": tolerance,
        "default_account": account,
        "credentials": credential_store.encrypt(stored),
        "is_active": is_active,
        "updated_by": actor,
    }
    created = config is None
    if config is None:
        config = PunchOutConfig.objects.create(supplier=supplier, **values)
    else:
        for name, value in values.items():
            setattr(config, name, value)
        config.save()
    if supplier.connection != Supplier.Connection.PUNCH_OUT:
        supplier.connection = Supplier.Connection.PUNCH_OUT
        supplier.save(update_fields=["connection", "updated_at"])
    audit(
        actor=actor,
        action="punch_out.configure" if created else "punch_out.reconfigure",
        obj=config,
        organisation=organisation,
        # Which credentials changed, never their values.
        after={
            "protocol": protocol,
            "setup_url": config.setup_url,
            "agreement": agreement.pk if agreement else None,
            "credentials_changed": changed,
            "credentials_cleared": clear_credentials,
        },
    )
    return config


# --- the trip to the shop -----------------------------------------------------------------------------------


@dataclass
class Departure:
    """Where the browser goes next: a form POST (OCI) or a plain redirect (cXML StartPage)."""

    url: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    method: str = "post"


def punch_out_shops(*, user: User, organisation: Organisation) -> list[PunchOutConfig]:
    """The shops a requisitioner can punch out to."""
    if not user.is_authenticated:
        return []
    return list(
        PunchOutConfig.objects.filter(organisation=organisation, is_active=True, supplier__is_active=True)
        .select_related("supplier__organisation")
        .order_by("supplier__organisation__name")
    )


def _restriction(config: PunchOutConfig) -> dict[str, str]:
    return {
        "CONTRACT": config.agreement.reference if config.agreement_id and config.agreement else "",
        "UNSPSC": config.allowed_unspsc.replace(" ", ""),
    }


def punch_out_start(
    *,
    actor: User,
    organisation: Organisation,
    supplier_id: int,
    session_key: str | None,
    hook_url: Callable[[str], str],
    post: Callable[[str, bytes], bytes] | None = None,
) -> Departure:
    """Open a session and say where the browser goes. For cXML the setup request is posted to the shop here
    (outside any transaction); a shop that does not answer leaves the session FAILED and raises SHOP_DOWN."""
    require_role(user=actor, organisation=organisation, roles=SHOP_ROLES)
    if not session_key:
        raise DomainError(PunchOutError.NO_SESSION, _("Log in again before you go to the shop."))
    config = (
        PunchOutConfig.objects.filter(organisation=organisation, supplier_id=supplier_id, is_active=True)
        .select_related("supplier__organisation", "agreement")
        .first()
    )
    if config is None:
        raise NotFound()
    token = token_source.token_urlsafe(32)
    session = PunchOutSession.objects.create(
        organisation=organisation,
        user=actor,
        config=config,
        supplier=config.supplier,
        protocol=config.protocol,
        token=token,
        buyer_cookie=token_source.token_hex(16),
        browser_session=browser_session_hash(session_key),
        expires_at=timezone.now() + dt.timedelta(hours=SESSION_HOURS),
    )
    credentials = credential_store.decrypt(config.credentials)
    hook = hook_url(token)
    if config.protocol in (PunchOutConfig.Protocol.OCI4, PunchOutConfig.Protocol.OCI5):
        fields = protocols.oci_setup_fields(
            version="5" if config.protocol == PunchOutConfig.Protocol.OCI5 else "4",
            username=credentials.get("username", ""),
            password=credentials.get("password", ""),
            token=credentials.get("token", ""),
            hook_url=hook,
            language=config.language,
            restriction=_restriction(config),
        )
        audit(actor=actor, action="punch_out.start", obj=session, organisation=organisation)
        return Departure(url=config.setup_url, fields=fields)
    request = protocols.cxml_setup_request(
        from_identity=credentials.get("from_identity", ""),
        from_domain=credentials.get("from_domain", "NetworkID"),
        to_identity=credentials.get("to_identity", ""),
        to_domain=credentials.get("to_domain", "DUNS"),
        sender_identity=credentials.get("sender_identity", "") or credentials.get("from_identity", ""),
        sender_domain=credentials.get("sender_domain", "NetworkID"),
        shared_secret=credentials.get("shared_secret", ""),
        buyer_cookie=session.buyer_cookie,
        browser_form_post=hook,
        language=config.language,
        user_email=actor.email,
        user_name=actor.get_full_name() or actor.get_username(),
        extrinsics={"ContractID": _restriction(config)["CONTRACT"], "UNSPSC": _restriction(config)["UNSPSC"]},
    )
    try:
        answer = (post or _http_post)(config.setup_url, request)
        start_page = protocols.cxml_setup_response(answer)
    except (OSError, protocols.ReturnError) as exc:
        detail = exc.detail if isinstance(exc, protocols.ReturnError) else type(exc).__name__
        _fail(session, actor, detail)
        raise DomainError(
            PunchOutError.SHOP_DOWN,
            _(
                "%(supplier)s's shop did not answer (%(detail)s). Your cart is unchanged; try again later or "
                "order from the catalogue."
            )
            % {"supplier": config.supplier.organisation.name, "detail": detail},
        ) from None
    audit(actor=actor, action="punch_out.start", obj=session, organisation=organisation)
    return Departure(url=start_page, method="get")


def _http_post(url: str, body: bytes) -> bytes:
    request = urllib.request.Request(  # noqa: S310 (the coordinator's configured https/http shop address)
        url, data=body, method="POST", headers={"Content-Type": "text/xml; charset=utf-8"}
    )
    with urllib.request.urlopen(request, timeout=SETUP_TIMEOUT_SECONDS) as response:  # noqa: S310
        return bytes(response.read(protocols.MAX_RETURN_BYTES + 1))


@transaction.atomic
def _fail(session: PunchOutSession, actor: User, detail: str) -> None:
    locked = PunchOutSession.objects.select_for_update().get(pk=session.pk)
    locked.failure = detail[:500]
    move_status(
        locked,
        PunchOutStatus.FAILED,
        transitions=PUNCH_OUT_TRANSITIONS,
        actor=actor,
        action="punch_out.shop_down",
        fields=["failure"],
        after={"detail": detail[:200]},
    )


# --- the return ---------------------------------------------------------------------------------------------


def _document(form: Mapping[str, str], body: bytes, content_type: str) -> tuple[str, Any]:
    """Which protocol the return speaks, and the cart it carries."""
    if any(name.startswith("NEW_ITEM-") for name in form) or form.get("~xmlDocument"):
        return "oci", protocols.oci_parse(form)
    if form.get("cxml-urlencoded") or form.get("cxml-base64"):
        return "cxml", protocols.cxml_form_document(form)
    if form.get("peppol-punch-out"):
        import base64

        return "t77", base64.b64decode(form["peppol-punch-out"])
    if "xml" in content_type and body.strip():
        return ("cxml" if b"<cXML" in body[:2000] else "t77"), body
    raise protocols.ReturnError("empty", "no cart in the return")


@transaction.atomic
def punch_out_receive(
    *, token: str, form: Mapping[str, str], body: bytes, content_type: str = ""
) -> PunchOutSession:
    """Take the shop's return for the session of ``token`` once: store it, read it, check every line."""
    session = (
        PunchOutSession.objects.select_for_update(of=("self",))
        .filter(token=token or "-")
        .select_related("config__agreement", "supplier__organisation", "organisation")
        .first()
    )
    if session is None:
        raise DomainError(
            PunchOutError.NO_SESSION,
            _("This return belongs to no punch-out session in avrop. Nothing was added to any cart."),
        )
    if session.status != PunchOutStatus.OPEN:
        raise DomainError(
            PunchOutError.ALREADY_RETURNED,
            _("This shop cart has already come back once; a second return adds nothing."),
        )
    raw = body or urlencode(list(form.items())).encode()
    session.raw_return = raw
    session.raw_sha256 = hashlib.sha256(raw).hexdigest()
    session.received_at = timezone.now()
    if session.expires_at < session.received_at:
        session.result = {"problems": [{"code": "expired"}], "lines": []}
        return _close(session, PunchOutStatus.REFUSED)
    problems: list[dict[str, str]] = []
    cart = None
    try:
        kind, document = _document(form, body, content_type)
        if kind == "oci":
            cart = document
        elif kind == "cxml":
            cart = protocols.cxml_order_message_parse(document)
        else:
            report = validation.validate(document, transaction="T77")
            if not report.valid:
                problems.append(
                    {"code": "t77_invalid", "rules": ", ".join(sorted(report.rules("fatal")))[:300]}
                )
            else:
                cart = protocols.t77_parse(document)
    except protocols.ReturnError as exc:
        problems.append({"code": "unreadable", "detail": exc.code})
    if cart is not None:
        if cart.protocol == "cxml" and cart.buyer_cookie != session.buyer_cookie:
            problems.append({"code": "cookie"})
        if cart.total is not None:
            lines_sum = sum((line.quantity * line.unit_price for line in cart.lines), Decimal("0"))
            if abs(lines_sum.quantize(Decimal("0.01")) - cart.total) > Decimal("0.01"):
                problems.append(
                    {
                        "code": "total",
                        "total": str(cart.total),
                        "sum": str(lines_sum.quantize(Decimal("0.01"))),
                    }
                )
        if not cart.lines:
            problems.append({"code": "empty"})
    if problems or cart is None:
        session.result = {"problems": problems, "lines": []}
        return _close(session, PunchOutStatus.REFUSED)
    session.result = {"problems": [], "protocol": cart.protocol, "lines": check_lines(session, cart.lines)}
    return _close(session, PunchOutStatus.RECEIVED)


def _close(session: PunchOutSession, status: str) -> PunchOutSession:
    move_status(
        session,
        status,
        transitions=PUNCH_OUT_TRANSITIONS,
        actor=None,
        action="punch_out.return",
        fields=["raw_return", "raw_sha256", "received_at", "result"],
        after={
            "sha256": session.raw_sha256,
            "problems": [p["code"] for p in session.result.get("problems", [])],
            "accepted": sum(1 for line in session.result.get("lines", []) if line["accepted"]),
            "refused": sum(1 for line in session.result.get("lines", []) if not line["accepted"]),
        },
    )
    return session


def check_lines(session: PunchOutSession, lines: list[protocols.ReturnedLine]) -> list[dict[str, Any]]:
    """Each returned line with its verdict: assortment, price against the price list, currency, account."""
    config = session.config
    agreement = config.agreement
    listed: dict[str, CatalogueItem] = {}
    has_price_list = False
    if agreement is not None:
        items = CatalogueItem.objects.filter(agreement=agreement, is_active=True)
        has_price_list = items.exists()
        listed = {
            i.article_number: i for i in items.filter(article_number__in=[ln.article_number for ln in lines])
        }
    rules = AccountRules(
        organisation_id=session.organisation_id, supplier_id=session.supplier.organisation_id
    )
    prefixes = config.unspsc_prefixes
    checked = []
    for line in lines:
        reasons: list[dict[str, str]] = []
        item = listed.get(line.article_number)
        if config.restrict_to_agreement and has_price_list and item is None:
            reasons.append({"code": "outside_assortment", "article": line.article_number})
        if prefixes and not line.unspsc:
            reasons.append({"code": "no_category"})
        elif prefixes and not any(line.unspsc.startswith(p) for p in prefixes):
            reasons.append(
                {"code": "category_not_allowed", "unspsc": line.unspsc, "allowed": config.allowed_unspsc}
            )
        if line.unit_price <= 0:
            reasons.append({"code": "no_price"})
        deviation = None
        list_price = None
        if item is not None:
            list_price = item.unit_price
            if line.currency and item.currency and line.currency != item.currency:
                reasons.append({"code": "currency", "currency": line.currency, "expected": item.currency})
            elif list_price:
                deviation = ((line.unit_price - list_price) / list_price * 100).quantize(Decimal("0.01"))
                if deviation > config.price_tolerance_percent:
                    reasons.append(
                        {
                            "code": "price_above",
                            "percent": str(deviation),
                            "tolerance": str(config.price_tolerance_percent),
                        }
                    )
        account = rules.account_for("unspsc", line.unspsc, "") or config.default_account
        checked.append(
            {
                "position": line.position,
                "article_number": line.article_number,
                "name": line.name or line.article_number,
                "description": line.description,
                "quantity": str(line.quantity),
                "unit": line.unit,
                "unit_price": str(line.unit_price.quantize(Decimal("0.0001"))),
                "currency": line.currency or (item.currency if item is not None else "SEK"),
                "unspsc": line.unspsc,
                "vat_rate": str(line.vat_rate)
                if line.vat_rate is not None
                else (str(item.vat_rate) if item is not None and item.vat_rate is not None else None),
                "list_price": str(list_price.quantize(Decimal("0.0001"))) if list_price is not None else None,
                "deviation_percent": str(deviation) if deviation is not None else None,
                "account": account,
                "accepted": not reasons,
                "reasons": reasons,
            }
        )
    return checked


# --- review and join (the ordering app adds the lines) ------------------------------------------------------


def _own_session(session: PunchOutSession | None, user: User, session_key: str | None) -> PunchOutSession:
    if session is None or session.user_id != user.pk:
        raise NotFound(_("No such punch-out session."))
    if session.browser_session != browser_session_hash(session_key):
        raise DomainError(
            PunchOutError.OTHER_SESSION,
            _(
                "This shop cart was started in another login session. Go to the shop again from this window; "
                "nothing was added."
            ),
        )
    return session


def punch_out_session_get(
    *, user: User, organisation: Organisation, token: str, session_key: str | None
) -> PunchOutSession:
    """The user's own session of ``token``, from the browser session that started it."""
    session = (
        PunchOutSession.objects.filter(organisation=organisation, token=token or "-")
        .select_related("supplier__organisation", "config__agreement")
        .first()
    )
    return _own_session(session, user, session_key)


def punch_out_lock_for_join(
    *, user: User, organisation: Organisation, token: str, session_key: str | None
) -> PunchOutSession:
    """The session locked for adding its accepted lines; refused unless it was received and not yet joined.
    Call inside the caller's transaction."""
    session = (
        PunchOutSession.objects.select_for_update(of=("self",))
        .filter(organisation=organisation, token=token or "-")
        .select_related("supplier__organisation", "config__agreement")
        .first()
    )
    session = _own_session(session, user, session_key)
    if session.status == PunchOutStatus.JOINED:
        raise DomainError(
            PunchOutError.ALREADY_RETURNED,
            _("These lines are already in your cart; nothing was added twice."),
        )
    if session.status != PunchOutStatus.RECEIVED or not any(
        line["accepted"] for line in session.result["lines"]
    ):
        raise DomainError(PunchOutError.NOTHING_TO_ADD, _("There is nothing from this shop cart to add."))
    return session


def punch_out_mark_joined(*, session: PunchOutSession, actor: User, requisition_id: int) -> None:
    session.joined_at = timezone.now()
    session.requisition_id = requisition_id
    move_status(
        session,
        PunchOutStatus.JOINED,
        transitions=PUNCH_OUT_TRANSITIONS,
        actor=actor,
        action="punch_out.join",
        fields=["joined_at", "requisition_id"],
        after={"requisition": requisition_id},
    )
