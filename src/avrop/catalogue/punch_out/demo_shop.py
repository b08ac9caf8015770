"""A small web shop that speaks OCI and cXML punch-out: the tests' counterpart and the demo supplier's shop.

A plain WSGI application (no Django), so that the tests serve it on 127.0.0.1 in a thread (``serve``) as a
separate site, and ``avrop run`` can mount it under ``/demo-shop/`` (see ``catalogue.views_punch_out``).

* ``POST /oci`` — OCI setup (form post from the browser). Checks USERNAME/PASSWORD, shows the products.
* ``POST /cxml`` — cXML ``PunchOutSetupRequest`` (server to server). Checks the shared secret, keeps the
  BuyerCookie and BrowserFormPost URL under a new shop session, answers with the StartPage URL.
* ``GET /start/<session>`` — the cXML StartPage: the products.
* ``POST /checkout`` — the cart goes back: an auto-submitting form to the hook URL with the NEW_ITEM fields
  (OCI 4.0), the ``~xmlDocument`` XML variant (OCI 5.0), or ``cxml-urlencoded`` (cXML).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from avrop.catalogue.punch_out import protocols


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price: Decimal
    unspsc: str
    unit: str = "EA"


PRODUCTS = (
    Product("KP-A4-80", "Kopieringspapper A4 80 g, 500 ark", Decimal("44.50"), "14111507", "XPK"),
    Product("TN-59A", "Toner svart 59A", Decimal("1190.00"), "44103103"),
    Product("PEN-BL-10", "Kulspetspenna blå, 10-pack", Decimal("39.00"), "44121704", "XPK"),
    Product("KAFFE-01", "Kaffebryggare 10 koppar", Decimal("995.00"), "52141526"),
)

OCI_USERNAME = "avrop-demo"
OCI_PASSWORD = "demo-password"  # noqa: S105 (the demo shop's, printed in the demo)
CXML_SHARED_SECRET = "demo-secret"  # noqa: S105
CXML_IDENTITY = "DEMOSHOP"

StartResponse = Callable[..., Any]


def _session_id(hook: str, cookie: str) -> str:
    """A cXML shop session carried in its own id (signed), so that any process of a server with several
    workers can serve the StartPage and the checkout."""
    data = base64.urlsafe_b64encode(json.dumps({"hook": hook, "cookie": cookie}).encode()).decode()
    mac = hmac.new(CXML_SHARED_SECRET.encode(), data.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{data}.{mac}"


def _session(session_id: str) -> dict[str, str] | None:
    data, _dot, mac = session_id.partition(".")
    expected = hmac.new(CXML_SHARED_SECRET.encode(), data.encode(), hashlib.sha256).hexdigest()[:32]
    if not hmac.compare_digest(mac, expected):
        return None
    try:
        return dict(json.loads(base64.urlsafe_b64decode(data.encode())))
    except ValueError:
        return None


class DemoShop:
    """The shop. It keeps no state between requests: a cXML session travels in its id."""

    def __init__(self) -> None:
        self.orders: deque[dict[str, Any]] = deque(maxlen=200)

    # -- WSGI --------------------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        base = environ.get("SCRIPT_NAME", "")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(min(length, protocols.MAX_RETURN_BYTES)) if length else b""
        if method == "POST" and path == "/oci":
            return self._oci(dict(parse_qsl(body.decode("utf-8", "replace"))), base, start_response)
        if method == "POST" and path == "/cxml":
            return self._cxml_setup(body, environ, start_response)
        if method == "GET" and path.startswith("/start/"):
            session = _session(path.removeprefix("/start/"))
            if session is None:
                return _page(start_response, "404 Not Found", "<p>Okänd session.</p>")
            hidden = {"protocol": "cxml", "session": path.removeprefix("/start/")}
            return _page(start_response, "200 OK", _catalogue(base, hidden))
        if method == "POST" and path == "/order":
            return self._order(body, start_response)
        if method == "POST" and path == "/checkout":
            return self._checkout(dict(parse_qsl(body.decode("utf-8", "replace"))), start_response)
        return _page(start_response, "404 Not Found", "<p>Sidan finns inte.</p>")

    def _order(self, body: bytes, start_response: StartResponse) -> Iterable[bytes]:
        """A cXML ``OrderRequest``: checked for the shared secret and at least one item, then confirmed (200).
        The orders taken are kept in ``orders`` (for the tests; the demo keeps nothing else)."""
        try:
            root = protocols._parse_xml(body)
        except protocols.ReturnError:
            return _cxml_status(start_response, "400", "Bad Request")
        if (root.findtext("Header/Sender/Credential/SharedSecret") or "") != CXML_SHARED_SECRET:
            return _cxml_status(start_response, "401", "Unauthorized")
        header = root.find("Request/OrderRequest/OrderRequestHeader")
        items = root.findall("Request/OrderRequest/ItemOut")
        if header is None or (header.get("type") != "delete" and not items):
            return _cxml_status(start_response, "400", "Bad Request")
        self.orders.append(
            {
                "order_id": header.get("orderID", ""),
                "type": header.get("type", "new"),
                "items": [
                    (item.findtext("ItemID/SupplierPartID") or "", item.get("quantity", "")) for item in items
                ],
            }
        )
        return _cxml_status(start_response, "200", "OK")

    def _oci(self, form: dict[str, str], base: str, start_response: StartResponse) -> Iterable[bytes]:
        if form.get("USERNAME") != OCI_USERNAME or form.get("PASSWORD") != OCI_PASSWORD:
            return _page(start_response, "403 Forbidden", "<p>Fel användarnamn eller lösenord.</p>")
        if not form.get("HOOK_URL"):
            return _page(start_response, "400 Bad Request", "<p>HOOK_URL saknas.</p>")
        hidden = {"protocol": "oci", "hook": form["HOOK_URL"], "version": form.get("OCI_VERSION", "4.0")}
        return _page(start_response, "200 OK", _catalogue(base, hidden))

    def _cxml_setup(
        self, body: bytes, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        try:
            root = protocols._parse_xml(body)
        except protocols.ReturnError:
            return _cxml_status(start_response, "400", "Bad Request")
        secret = root.findtext("Header/Sender/Credential/SharedSecret") or ""
        if secret != CXML_SHARED_SECRET:
            return _cxml_status(start_response, "401", "Unauthorized")
        request = root.find("Request/PunchOutSetupRequest")
        hook = request.findtext("BrowserFormPost/URL") if request is not None else None
        if request is None or not hook:
            return _cxml_status(start_response, "400", "Bad Request")
        session = _session_id(hook.strip(), request.findtext("BuyerCookie") or "")
        host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
        scheme = environ.get("wsgi.url_scheme", "http")
        start = f"{scheme}://{host}{environ.get('SCRIPT_NAME', '')}/start/{session}"
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">\n'
            f'<cXML payloadID="{protocols.payload_id("demoshop")}" timestamp="2026-01-01T00:00:00+00:00">'
            '<Response><Status code="200" text="success"/><PunchOutSetupResponse>'
            f"<StartPage><URL>{escape(start)}</URL></StartPage></PunchOutSetupResponse></Response></cXML>"
        ).encode()
        start_response(
            "200 OK", [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(xml)))]
        )
        return [xml]

    def _checkout(self, form: dict[str, str], start_response: StartResponse) -> Iterable[bytes]:
        lines: list[protocols.ReturnedLine] = []
        for product in PRODUCTS:
            quantity = form.get(f"qty-{product.sku}", "").strip()
            if quantity.isdigit() and int(quantity) > 0:
                lines.append(
                    protocols.ReturnedLine(
                        position=len(lines) + 1,
                        article_number=product.sku,
                        name=product.name,
                        quantity=Decimal(quantity),
                        unit=product.unit,
                        unit_price=product.price,
                        currency="SEK",
                        unspsc=product.unspsc,
                    )
                )
        if form.get("protocol") == "cxml":
            session = _session(form.get("session", ""))
            if session is None:
                return _page(start_response, "404 Not Found", "<p>Okänd session.</p>")
            document = protocols.cxml_order_message(
                buyer_cookie=session["cookie"], lines=lines, currency="SEK", sender_identity=CXML_IDENTITY
            )
            fields = [("cxml-urlencoded", document.decode("utf-8"))]
            hook = session["hook"]
        else:
            hook = form.get("hook", "")
            fields = oci_fields(lines) if form.get("version") != "5.0" else oci_xml_fields(lines)
        inputs = "".join(
            f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">' for name, value in fields
        )
        html = (
            f'<form id="return" method="post" action="{escape(hook)}">{inputs}'
            '<button type="submit">Tillbaka till inköpssystemet</button></form>'
            "<script>document.getElementById('return').submit()</script>"
        )
        return _page(start_response, "200 OK", html)


def oci_fields(lines: list[protocols.ReturnedLine]) -> list[tuple[str, str]]:
    """The classic OCI 4.0 return fields for ``lines``."""
    fields: list[tuple[str, str]] = []
    for n, line in enumerate(lines, start=1):
        fields += [
            (f"NEW_ITEM-DESCRIPTION[{n}]", line.name),
            (f"NEW_ITEM-MATNR[{n}]", ""),
            (f"NEW_ITEM-QUANTITY[{n}]", str(line.quantity)),
            (f"NEW_ITEM-UNIT[{n}]", line.unit),
            (f"NEW_ITEM-PRICE[{n}]", str(line.unit_price)),
            (f"NEW_ITEM-PRICEUNIT[{n}]", "1"),
            (f"NEW_ITEM-CURRENCY[{n}]", line.currency),
            (f"NEW_ITEM-LEADTIME[{n}]", "2"),
            (f"NEW_ITEM-VENDORMAT[{n}]", line.article_number),
            (f"NEW_ITEM-MATGROUP[{n}]", line.unspsc),
            (f"NEW_ITEM-EXT_SCHEMA_TYPE[{n}]", "UNSPSC"),
            (f"NEW_ITEM-EXT_CATEGORY_ID[{n}]", line.unspsc),
        ]
    return fields


def oci_xml_fields(lines: list[protocols.ReturnedLine]) -> list[tuple[str, str]]:
    """The OCI 5.0 XML variant: one base64 document in ``~xmlDocument``."""
    items = "".join(
        "<Item>"
        f"<DESCRIPTION>{escape(line.name)}</DESCRIPTION><VENDORMAT>{escape(line.article_number)}</VENDORMAT>"
        f"<QUANTITY>{line.quantity}</QUANTITY><UNIT>{escape(line.unit)}</UNIT><PRICE>{line.unit_price}</PRICE>"
        f"<PRICEUNIT>1</PRICEUNIT><CURRENCY>{escape(line.currency)}</CURRENCY>"
        f"<EXT_SCHEMA_TYPE>UNSPSC</EXT_SCHEMA_TYPE><EXT_CATEGORY_ID>{line.unspsc}</EXT_CATEGORY_ID>"
        "</Item>"
        for line in lines
    )
    document = f'<?xml version="1.0" encoding="UTF-8"?><OCI version="5.0">{items}</OCI>'.encode()
    return [("~xmlDocument", base64.b64encode(document).decode()), ("~xml_type", "OCI-5.0")]


def _catalogue(base: str, hidden: dict[str, str]) -> str:
    inputs = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in hidden.items()
    )
    rows = "".join(
        f"<tr><td>{escape(p.name)}</td><td>{escape(p.sku)}</td><td>{p.price} kr</td>"
        f'<td><label>Antal <input name="qty-{escape(p.sku)}" aria-label="Antal {escape(p.name)}" '
        f'inputmode="numeric" size="3" value="0"></label></td></tr>'
        for p in PRODUCTS
    )
    return (
        "<h1>Demobutiken</h1>"
        f'<form method="post" action="{escape(base)}/checkout">{inputs}'
        f"<table><tr><th>Vara</th><th>Artikelnr</th><th>Pris</th><th></th></tr>{rows}</table>"
        '<button type="submit">Överför varukorgen</button></form>'
    )


def _page(start_response: StartResponse, status: str, body: str) -> list[bytes]:
    html = (
        '<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Demobutiken</title></head>'
        f"<body>{body}</body></html>"
    ).encode()
    start_response(status, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(html)))])
    return [html]


def _cxml_status(start_response: StartResponse, code: str, text: str) -> list[bytes]:
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><cXML payloadID="{protocols.payload_id("demoshop")}" '
        'timestamp="2026-01-01T00:00:00+00:00">'
        f'<Response><Status code="{code}" text="{text}"/></Response></cXML>'
    ).encode()
    start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(xml)))])
    return [xml]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        return


class _ThreadingServer(WSGIServer):
    daemon_threads = True

    def process_request(self, request: Any, client_address: Any) -> None:
        threading.Thread(target=self._handle, args=(request, client_address), daemon=True).start()

    def _handle(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        finally:
            self.shutdown_request(request)


def serve(shop: DemoShop | None = None, host: str = "127.0.0.1", port: int = 0) -> tuple[WSGIServer, str]:
    """Serve a shop in a background thread; returns the server (``shutdown()`` stops it) and its base URL."""
    server = make_server(
        host, port, shop or DemoShop(), server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{host}:{server.server_port}"
