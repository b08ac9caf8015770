"""The punch-out messages: what avrop sends to a web shop and what it reads from the shop's return.

* SAP OCI 4.0 / 5.0: the setup is an HTML form POST from the user's browser to the shop with the configured
  parameters and ``HOOK_URL``; the return is a form POST to the hook URL with ``NEW_ITEM-<FIELD>[n]`` fields
  (classic) or one base64 XML document in ``~xmlDocument`` (the XML variant; ``~xml_type`` names it).
* cXML 1.2: ``PunchOutSetupRequest`` posted server-side, ``PunchOutSetupResponse`` with the StartPage URL,
  ``PunchOutOrderMessage`` returned by the browser in the ``cxml-urlencoded`` or ``cxml-base64`` field.
* Peppol punch-out (T77): a UBL Catalogue returned as XML (validated with the official rules by the service).

Every XML input goes through ``avrop.edi.xmlsafe``: no DTD, no entity, no network. cXML documents
conventionally start with ``<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/…/cXML.dtd">``; exactly
that external reference (no internal subset, so no entity can be declared) is removed before the hardened
parser sees the text; any other DOCTYPE is refused by it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from avrop.edi import xmlsafe

MAX_RETURN_BYTES = 5 * 1024 * 1024  # a cart of a few hundred lines is far below this
MAX_LINES = 500

OCI_FIELD = re.compile(r"^NEW_ITEM-([A-Z0-9_]+)\[(\d{1,4})\]$")
OCI_LONGTEXT = re.compile(r"^NEW_ITEM-LONGTEXT_(\d{1,4}):132\[\]$")
CXML_DOCTYPE = re.compile(
    rb'<!DOCTYPE\s+cXML\s+SYSTEM\s+"https?://xml\.cxml\.org/schemas/cXML/[0-9.]+/cXML\.dtd"\s*>'
)
UBL_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
UBL_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
UNSPSC_LISTS = {"TST", "MP", "UNSPSC"}


class ReturnError(ValueError):
    """The shop's return cannot be read. ``code`` is stable; ``detail`` a short English hint for support."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class ReturnedLine:
    """One line of the shop's cart, as the shop sent it (price per one unit)."""

    position: int
    article_number: str
    name: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    currency: str
    unspsc: str = ""
    description: str = ""
    vat_rate: Decimal | None = None
    manufacturer_article: str = ""
    lead_time_days: int | None = None


@dataclass(slots=True)
class ReturnedCart:
    protocol: str
    lines: list[ReturnedLine] = field(default_factory=list)
    buyer_cookie: str = ""
    total: Decimal | None = None
    currency: str = ""


# --- numbers ------------------------------------------------------------------------------------------------


def _decimal(text: str | None, what: str, *, positive: bool = False) -> Decimal:
    raw = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")  # shops in Swedish locales send 12,50
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ReturnError("number", f"{what}={text!r}") from None
    if not value.is_finite() or abs(value) >= Decimal("1e12") or (positive and value <= 0) or value < 0:
        raise ReturnError("number", f"{what}={text!r}")
    return value


def _unit(code: str | None) -> str:
    code = (code or "").strip().upper()
    return code[:3] if code else "EA"


def _unspsc(text: str | None) -> str:
    digits = (text or "").strip()
    return digits if digits.isdigit() and 2 <= len(digits) <= 8 else ""


# --- OCI ----------------------------------------------------------------------------------------------------


def oci_setup_fields(
    *,
    version: str,
    username: str,
    password: str,
    token: str,
    hook_url: str,
    language: str,
    restriction: Mapping[str, str],
) -> list[tuple[str, str]]:
    """The form fields of the OCI setup POST, in the order the specification lists them."""
    fields: list[tuple[str, str]] = []
    if username:
        fields.append(("USERNAME", username))
    if password:
        fields.append(("PASSWORD", password))
    if token:
        fields.append(("TOKEN", token))
    fields += [
        ("HOOK_URL", hook_url),
        ("~OkCode", "ADDI"),
        ("~TARGET", "_top"),
        ("~CALLER", "CTLG"),
        ("OCI_VERSION", "5.0" if version == "5" else "4.0"),
        ("OPI_VERSION", "1.0"),
        ("returntarget", "_top"),
        ("language", language.upper()[:2]),
    ]
    fields += [(name, value) for name, value in restriction.items() if value]
    return fields


def _oci_line(position: int, values: Mapping[str, str], longtext: str) -> ReturnedLine:
    quantity = _decimal(values.get("QUANTITY"), f"QUANTITY[{position}]", positive=True)
    price = _decimal(values.get("PRICE") or "0", f"PRICE[{position}]")
    price_unit = _decimal(values.get("PRICEUNIT") or "1", f"PRICEUNIT[{position}]", positive=True)
    schema = (values.get("EXT_SCHEMA_TYPE") or "").strip().upper()
    unspsc = _unspsc(values.get("EXT_CATEGORY_ID")) if schema.startswith("UNSPSC") else ""
    lead = (values.get("LEADTIME") or "").strip()
    vat = (values.get("CUST_FIELD1") or "").strip()
    return ReturnedLine(
        position=position,
        article_number=(values.get("VENDORMAT") or values.get("MATNR") or "").strip()[:60],
        name=(values.get("DESCRIPTION") or "").strip()[:300],
        description=longtext.strip(),
        quantity=quantity,
        unit=_unit(values.get("UNIT")),
        unit_price=price / price_unit,
        currency=(values.get("CURRENCY") or "").strip().upper()[:3],
        unspsc=unspsc or _unspsc(values.get("MATGROUP")),
        vat_rate=_decimal(vat, f"CUST_FIELD1[{position}]") if vat else None,
        manufacturer_article=(values.get("MANUFACTMAT") or "").strip()[:60],
        lead_time_days=int(lead) if lead.isdigit() else None,
    )


def oci_parse(form: Mapping[str, str]) -> ReturnedCart:
    """An OCI return: the classic ``NEW_ITEM-*`` fields or, when ``~xmlDocument`` is present, the XML variant.

    ``form`` maps field names to their (single) value.
    """
    if form.get("~xmlDocument"):
        return _oci_xml_parse(form["~xmlDocument"])
    by_line: dict[int, dict[str, str]] = {}
    longtexts: dict[int, str] = {}
    for name, value in form.items():
        match = OCI_FIELD.match(name)
        if match:
            by_line.setdefault(int(match.group(2)), {})[match.group(1)] = value
            continue
        match = OCI_LONGTEXT.match(name)
        if match:
            longtexts[int(match.group(1))] = value
    if not by_line:
        raise ReturnError("empty", "no NEW_ITEM fields")
    if len(by_line) > MAX_LINES:
        raise ReturnError("too_many", str(len(by_line)))
    lines = [_oci_line(n, by_line[n], longtexts.get(n, "")) for n in sorted(by_line)]
    currencies = {line.currency for line in lines if line.currency}
    return ReturnedCart(
        protocol="oci", lines=lines, currency=currencies.pop() if len(currencies) == 1 else ""
    )


def _text(element: etree._Element, name: str) -> str:
    """The text of the first child named ``name`` (local name, any case), or of the attribute ``name``."""
    lower = name.lower()
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname.lower() == lower:
            return "".join(child.itertext()).strip()
    for key, value in element.attrib.items():
        if etree.QName(key).localname.lower() == lower:
            return str(value).strip()
    return ""


def _oci_xml_parse(encoded: str) -> ReturnedCart:
    """The XML variant: one ``Item`` element per line whose children carry the NEW_ITEM field names."""
    try:
        data = base64.b64decode(encoded.strip(), validate=False)
    except (binascii.Error, ValueError):
        raise ReturnError("encoding", "~xmlDocument is not base64") from None
    root = _parse_xml(data)
    items = [e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname.lower() == "item"]
    if not items:
        raise ReturnError("empty", "no Item elements")
    if len(items) > MAX_LINES:
        raise ReturnError("too_many", str(len(items)))
    fields = [
        "DESCRIPTION",
        "VENDORMAT",
        "MATNR",
        "QUANTITY",
        "UNIT",
        "PRICE",
        "PRICEUNIT",
        "CURRENCY",
        "MATGROUP",
        "EXT_SCHEMA_TYPE",
        "EXT_CATEGORY_ID",
        "LEADTIME",
        "MANUFACTMAT",
        "CUST_FIELD1",
    ]
    lines = []
    for position, item in enumerate(items, start=1):
        values = {name: _text(item, name) for name in fields}
        lines.append(_oci_line(position, values, _text(item, "LONGTEXT")))
    currencies = {line.currency for line in lines if line.currency}
    return ReturnedCart(
        protocol="oci5xml", lines=lines, currency=currencies.pop() if len(currencies) == 1 else ""
    )


# --- XML ----------------------------------------------------------------------------------------------------


def _parse_xml(data: bytes) -> etree._Element:
    data = CXML_DOCTYPE.sub(b"", data, count=1)
    try:
        return xmlsafe.parse_bytes(data, max_bytes=MAX_RETURN_BYTES).getroot()
    except xmlsafe.XmlSafetyError as exc:
        raise ReturnError(str(exc.code), exc.message) from None


# --- cXML ---------------------------------------------------------------------------------------------------


def _credential(identity: str, domain: str, secret: str = "") -> str:
    shared = f"<SharedSecret>{escape(secret)}</SharedSecret>" if secret else ""
    return (
        f"<Credential domain={quoteattr(domain or 'NetworkID')}><Identity>{escape(identity)}</Identity>"
        f"{shared}</Credential>"
    )


def payload_id(host: str = "avrop") -> str:
    now = dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%d%H%M%S}.{secrets.token_hex(8)}@{host}"


def cxml_setup_request(
    *,
    from_identity: str,
    from_domain: str,
    to_identity: str,
    to_domain: str,
    sender_identity: str,
    sender_domain: str,
    shared_secret: str,
    buyer_cookie: str,
    browser_form_post: str,
    language: str,
    user_email: str,
    user_name: str,
    extrinsics: Mapping[str, str],
) -> bytes:
    """A cXML 1.2 ``PunchOutSetupRequest`` (operation create)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    extra = "".join(
        f"<Extrinsic name={quoteattr(name)}>{escape(value)}</Extrinsic>"
        for name, value in extrinsics.items()
        if value
    )
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">\n'
        f'<cXML payloadID={quoteattr(payload_id())} timestamp="{now}" xml:lang={quoteattr(language)}>'
        "<Header>"
        f"<From>{_credential(from_identity, from_domain)}</From>"
        f"<To>{_credential(to_identity, to_domain)}</To>"
        f"<Sender>{_credential(sender_identity, sender_domain, shared_secret)}"
        "<UserAgent>avrop</UserAgent></Sender>"
        "</Header>"
        '<Request deploymentMode="production">'
        '<PunchOutSetupRequest operation="create">'
        f"<BuyerCookie>{escape(buyer_cookie)}</BuyerCookie>"
        f'<Extrinsic name="UserEmail">{escape(user_email)}</Extrinsic>'
        f"{extra}"
        f"<BrowserFormPost><URL>{escape(browser_form_post)}</URL></BrowserFormPost>"
        f'<Contact role="endUser"><Name xml:lang={quoteattr(language)}>{escape(user_name)}</Name>'
        f"<Email>{escape(user_email)}</Email></Contact>"
        "</PunchOutSetupRequest></Request></cXML>"
    )
    return text.encode("utf-8")


def cxml_setup_response(data: bytes) -> str:
    """The StartPage URL of a ``PunchOutSetupResponse``; a status other than 2xx is an error."""
    root = _parse_xml(data)
    if root.tag != "cXML":
        raise ReturnError("not_cxml", str(root.tag))
    status = root.find("Response/Status")
    code = status.get("code", "") if status is not None else ""
    if not code.startswith("2"):
        text = status.get("text", "") if status is not None else ""
        raise ReturnError("refused", f"{code} {text}".strip())
    url = (root.findtext("Response/PunchOutSetupResponse/StartPage/URL") or "").strip()
    if not url.startswith(("https://", "http://")):
        raise ReturnError("no_start_page", url[:100])
    return url


def cxml_form_document(form: Mapping[str, str]) -> bytes:
    """The cXML document of a return form post: ``cxml-urlencoded`` (already decoded by the form parser) or
    ``cxml-base64``."""
    if form.get("cxml-base64"):
        try:
            return base64.b64decode(form["cxml-base64"].strip(), validate=False)
        except (binascii.Error, ValueError):
            raise ReturnError("encoding", "cxml-base64 is not base64") from None
    if form.get("cxml-urlencoded"):
        return form["cxml-urlencoded"].encode("utf-8")
    raise ReturnError("empty", "no cxml-urlencoded or cxml-base64 field")


def _money(element: etree._Element | None, what: str) -> tuple[Decimal, str]:
    if element is None:
        raise ReturnError("missing", what)
    return _decimal(element.text, what), (element.get("currency") or "").upper()[:3]


def cxml_order_message_parse(data: bytes) -> ReturnedCart:
    """A ``PunchOutOrderMessage``: the BuyerCookie, the header total and the ItemIn lines."""
    root = _parse_xml(data)
    if root.tag != "cXML":
        raise ReturnError("not_cxml", str(root.tag))
    message = root.find("Message/PunchOutOrderMessage")
    if message is None:
        raise ReturnError("not_order_message", "no Message/PunchOutOrderMessage")
    total, currency = _money(message.find("PunchOutOrderMessageHeader/Total/Money"), "Total")
    items = message.findall("ItemIn")
    if len(items) > MAX_LINES:
        raise ReturnError("too_many", str(len(items)))
    lines = []
    for position, item in enumerate(items, start=1):
        detail = item.find("ItemDetail")
        if detail is None:
            raise ReturnError("missing", f"ItemIn[{position}]/ItemDetail")
        price, line_currency = _money(detail.find("UnitPrice/Money"), f"ItemIn[{position}]/UnitPrice")
        unspsc = ""
        for classification in detail.findall("Classification"):
            if (classification.get("domain") or "").upper().startswith("UNSPSC"):
                unspsc = _unspsc(classification.text)
        description_el = detail.find("Description")
        description = (
            " ".join("".join(description_el.itertext()).split()) if description_el is not None else ""
        )
        short = (detail.findtext("Description/ShortName") or "").strip()
        lead = (detail.findtext("LeadTime") or "").strip()
        lines.append(
            ReturnedLine(
                position=position,
                article_number=(item.findtext("ItemID/SupplierPartID") or "").strip()[:60],
                name=(short or description)[:300],
                description=description if short else "",
                quantity=_decimal(item.get("quantity"), f"ItemIn[{position}]/@quantity", positive=True),
                unit=_unit(detail.findtext("UnitOfMeasure")),
                unit_price=price,
                currency=line_currency or currency,
                unspsc=unspsc,
                manufacturer_article=(detail.findtext("ManufacturerPartID") or "").strip()[:60],
                lead_time_days=int(lead) if lead.isdigit() else None,
            )
        )
    return ReturnedCart(
        protocol="cxml",
        lines=lines,
        buyer_cookie=(message.findtext("BuyerCookie") or "").strip(),
        total=total,
        currency=currency,
    )


def cxml_order_message(
    *, buyer_cookie: str, lines: list[ReturnedLine], currency: str, sender_identity: str = "shop"
) -> bytes:
    """A ``PunchOutOrderMessage`` for the given lines (the demo shop's return; tests build theirs with it)."""
    total = sum((line.quantity * line.unit_price for line in lines), Decimal("0")).quantize(Decimal("0.01"))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    items = "".join(
        f'<ItemIn quantity="{line.quantity}"><ItemID>'
        f"<SupplierPartID>{escape(line.article_number)}</SupplierPartID>"
        "<SupplierPartAuxiliaryID/></ItemID><ItemDetail>"
        f'<UnitPrice><Money currency="{line.currency or currency}">{line.unit_price}</Money></UnitPrice>'
        f'<Description xml:lang="sv"><ShortName>{escape(line.name)}</ShortName>{escape(line.description)}'
        f"</Description><UnitOfMeasure>{escape(line.unit)}</UnitOfMeasure>"
        f'<Classification domain="UNSPSC">{escape(line.unspsc)}</Classification>'
        "</ItemDetail></ItemIn>"
        for line in lines
    )
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">\n'
        f'<cXML payloadID={quoteattr(payload_id(sender_identity))} timestamp="{now}" xml:lang="sv-SE">'
        f"<Header><From>{_credential(sender_identity, 'DUNS')}</From>"
        f"<To>{_credential('avrop', 'NetworkID')}</To>"
        f"<Sender>{_credential(sender_identity, 'DUNS')}"
        f"<UserAgent>{escape(sender_identity)}</UserAgent></Sender>"
        "</Header><Message><PunchOutOrderMessage>"
        f"<BuyerCookie>{escape(buyer_cookie)}</BuyerCookie>"
        '<PunchOutOrderMessageHeader operationAllowed="edit">'
        f'<Total><Money currency="{currency}">{total}</Money></Total></PunchOutOrderMessageHeader>'
        f"{items}</PunchOutOrderMessage></Message></cXML>"
    )
    return text.encode("utf-8")


# --- Peppol punch-out (T77) ---------------------------------------------------------------------------------


def t77_parse(data: bytes) -> ReturnedCart:
    """A Peppol punch-out Catalogue: one line per CatalogueLine, quantity from the delivery unit's batch
    quantity, price per the price's base quantity."""
    root = _parse_xml(data)
    ns = {"cac": UBL_CAC, "cbc": UBL_CBC}
    lines = []
    catalogue_lines = root.findall("cac:CatalogueLine", ns)
    if len(catalogue_lines) > MAX_LINES:
        raise ReturnError("too_many", str(len(catalogue_lines)))
    for position, line in enumerate(catalogue_lines, start=1):
        location = line.find("cac:RequiredItemLocationQuantity", ns)
        price_el = location.find("cac:Price/cbc:PriceAmount", ns) if location is not None else None
        if price_el is None:
            raise ReturnError("missing", f"CatalogueLine[{position}]/Price")
        price = _decimal(price_el.text, f"CatalogueLine[{position}]/PriceAmount")
        base = location.findtext("cac:Price/cbc:BaseQuantity", "1", ns) if location is not None else "1"
        batch_el = location.find("cac:DeliveryUnit/cbc:BatchQuantity", ns) if location is not None else None
        quantity = _decimal(batch_el.text if batch_el is not None else "1", "BatchQuantity", positive=True)
        item = line.find("cac:Item", ns)
        if item is None:
            raise ReturnError("missing", f"CatalogueLine[{position}]/Item")
        unspsc = ""
        for code in item.findall("cac:CommodityClassification/cbc:ItemClassificationCode", ns):
            if (code.get("listID") or "").upper() in UNSPSC_LISTS:
                unspsc = _unspsc(code.text)
        vat = item.findtext("cac:ClassifiedTaxCategory/cbc:Percent", "", ns).strip()
        lines.append(
            ReturnedLine(
                position=position,
                article_number=item.findtext("cac:SellersItemIdentification/cbc:ID", "", ns).strip()[:60],
                name=item.findtext("cbc:Name", "", ns).strip()[:300],
                description=item.findtext("cbc:Description", "", ns).strip(),
                quantity=quantity,
                unit=_unit(batch_el.get("unitCode") if batch_el is not None else ""),
                unit_price=price / _decimal(base, "BaseQuantity", positive=True),
                currency=(price_el.get("currencyID") or "").upper()[:3],
                unspsc=unspsc,
                vat_rate=_decimal(vat, "Percent") if vat else None,
                manufacturer_article=item.findtext(
                    "cac:ManufacturersItemIdentification/cbc:ID", "", ns
                ).strip(),
            )
        )
    if not lines:
        raise ReturnError("empty", "no CatalogueLine")
    currencies = {line.currency for line in lines if line.currency}
    return ReturnedCart(
        protocol="t77", lines=lines, currency=currencies.pop() if len(currencies) == 1 else ""
    )


# --- cXML OrderRequest: the purchase order sent to a cXML supplier ----------------------------------------


@dataclass(frozen=True)
class OrderLineOut:
    line_number: int
    supplier_part_id: str
    name: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    unspsc: str = ""


@dataclass(frozen=True)
class OrderOut:
    order_id: str
    order_date: dt.date
    currency: str
    total: Decimal
    ship_to_name: str
    ship_to_street: str
    ship_to_postal_code: str
    ship_to_city: str
    ship_to_country: str
    bill_to_name: str
    contact_name: str
    contact_email: str
    lines: tuple[OrderLineOut, ...]


def cxml_order_request(
    order: OrderOut, *, credentials: Mapping[str, str], language: str = "sv", operation: str = "new"
) -> bytes:
    """A cXML 1.2 ``OrderRequest``: ``new`` for the order, ``update`` for a change, ``delete`` for a
    cancellation (the same ``orderID``). Credentials as in the punch-out setup (From/To/Sender, shared
    secret)."""
    if operation not in {"new", "update", "delete"}:
        raise ValueError(operation)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    lang = quoteattr(language)
    from_party = _credential(
        credentials.get("from_identity", ""), credentials.get("from_domain", "NetworkID")
    )
    to_party = _credential(credentials.get("to_identity", ""), credentials.get("to_domain", "DUNS"))

    def money(value: Decimal) -> str:
        return f"<Money currency={quoteattr(order.currency)}>{value.quantize(Decimal('0.01'))}</Money>"

    address = (
        f"<Address><Name xml:lang={lang}>{escape(order.ship_to_name)}</Name><PostalAddress>"
        f"<Street>{escape(order.ship_to_street)}</Street><City>{escape(order.ship_to_city)}</City>"
        f"<PostalCode>{escape(order.ship_to_postal_code)}</PostalCode>"
        f"<Country isoCountryCode={quoteattr(order.ship_to_country or 'SE')}/></PostalAddress></Address>"
    )
    items = "".join(
        f'<ItemOut quantity="{line.quantity.normalize():f}" lineNumber="{line.line_number}">'
        f"<ItemID><SupplierPartID>{escape(line.supplier_part_id)}</SupplierPartID></ItemID>"
        f"<ItemDetail><UnitPrice>{money(line.unit_price)}</UnitPrice>"
        f"<Description xml:lang={lang}>{escape(line.name)}</Description>"
        f"<UnitOfMeasure>{escape(line.unit)}</UnitOfMeasure>"
        + (f'<Classification domain="UNSPSC">{escape(line.unspsc)}</Classification>' if line.unspsc else "")
        + "</ItemDetail></ItemOut>"
        for line in order.lines
    )
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">\n'
        f'<cXML payloadID={quoteattr(payload_id())} timestamp="{now}" xml:lang={lang}>'
        "<Header>"
        f"<From>{from_party}</From><To>{to_party}</To>"
        "<Sender>"
        + _credential(
            credentials.get("sender_identity", "") or credentials.get("from_identity", ""),
            credentials.get("sender_domain", "NetworkID"),
            credentials.get("shared_secret", ""),
        )
        + "<UserAgent>avrop</UserAgent></Sender></Header>"
        '<Request deploymentMode="production"><OrderRequest>'
        f'<OrderRequestHeader orderID={quoteattr(order.order_id)} orderDate="{order.order_date.isoformat()}" '
        f'type="{operation}">'
        f"<Total>{money(order.total)}</Total>"
        f"<ShipTo>{address}</ShipTo>"
        f"<BillTo><Address><Name xml:lang={lang}>{escape(order.bill_to_name)}</Name></Address></BillTo>"
        f'<Contact role="buyer"><Name xml:lang={lang}>{escape(order.contact_name)}</Name>'
        f"<Email>{escape(order.contact_email)}</Email></Contact>"
        "</OrderRequestHeader>"
        f"{items}"
        "</OrderRequest></Request></cXML>"
    )
    return text.encode("utf-8")


def cxml_response_status(data: bytes) -> tuple[str, str]:
    """(code, text) of a cXML ``Response/Status``; ``ReturnError`` for something that is not cXML."""
    root = _parse_xml(data)
    if root.tag != "cXML":
        raise ReturnError("not_cxml", str(root.tag))
    status = root.find("Response/Status")
    if status is None:
        raise ReturnError("no_status")
    return status.get("code", ""), status.get("text", "")
