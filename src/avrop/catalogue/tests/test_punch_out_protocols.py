"""Punch-out messages as the specifications show them: the OCI field set, cXML setup and order messages,
the Peppol punch-out example; and hostile input refused by the hardened parser."""

from __future__ import annotations

import base64
from decimal import Decimal
from pathlib import Path

import pytest

from avrop.catalogue.punch_out import protocols, secrets
from avrop.catalogue.punch_out.demo_shop import oci_fields, oci_xml_fields

T77_EXAMPLE = (
    Path(__file__).resolve().parents[2] / "edi/tests/standards/peppol-poacc/examples/bis/PunchOut_Example.xml"
)

# An OCI 4.0 return as the SAP specification lays it out: indexed NEW_ITEM fields, price per PRICEUNIT,
# long text in its own field, the UNSPSC code in EXT_CATEGORY_ID with EXT_SCHEMA_TYPE.
OCI_RETURN = {
    "NEW_ITEM-DESCRIPTION[1]": "Kopieringspapper A4 80 g",
    "NEW_ITEM-MATNR[1]": "",
    "NEW_ITEM-QUANTITY[1]": "5",
    "NEW_ITEM-UNIT[1]": "PK",
    "NEW_ITEM-PRICE[1]": "445.00",
    "NEW_ITEM-PRICEUNIT[1]": "10",
    "NEW_ITEM-CURRENCY[1]": "SEK",
    "NEW_ITEM-LEADTIME[1]": "2",
    "NEW_ITEM-VENDOR[1]": "",
    "NEW_ITEM-VENDORMAT[1]": "KP-A4-80",
    "NEW_ITEM-MANUFACTCODE[1]": "",
    "NEW_ITEM-MANUFACTMAT[1]": "MP-500",
    "NEW_ITEM-MATGROUP[1]": "",
    "NEW_ITEM-EXT_SCHEMA_TYPE[1]": "UNSPSC",
    "NEW_ITEM-EXT_CATEGORY_ID[1]": "14111507",
    "NEW_ITEM-LONGTEXT_1:132[]": "500 ark, vitt",
    "NEW_ITEM-DESCRIPTION[2]": "Toner svart",
    "NEW_ITEM-QUANTITY[2]": "1",
    "NEW_ITEM-UNIT[2]": "EA",
    "NEW_ITEM-PRICE[2]": "1190,00",
    "NEW_ITEM-CURRENCY[2]": "SEK",
    "NEW_ITEM-VENDORMAT[2]": "TN-59A",
    "NEW_ITEM-MATGROUP[2]": "44103103",
    "~OkCode": "ADDI",
    "~TARGET": "_top",
}

CXML_ORDER_MESSAGE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="933695160894" timestamp="2026-08-15T08:47:00-07:00" xml:lang="en-US">
  <Header>
    <From><Credential domain="DUNS"><Identity>83528721</Identity></Credential></From>
    <To><Credential domain="DUNS"><Identity>65652314</Identity></Credential></To>
    <Sender><Credential domain="workchairs.com"><Identity>website 1</Identity></Credential>
      <UserAgent>Workchairs cXML Application</UserAgent></Sender>
  </Header>
  <Message>
    <PunchOutOrderMessage>
      <BuyerCookie>34234234ADFSDF234234</BuyerCookie>
      <PunchOutOrderMessageHeader operationAllowed="edit">
        <Total><Money currency="SEK">1323.00</Money></Total>
      </PunchOutOrderMessageHeader>
      <ItemIn quantity="3">
        <ItemID><SupplierPartID>5555</SupplierPartID><SupplierPartAuxiliaryID>E000028901</SupplierPartAuxiliaryID></ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="SEK">441.00</Money></UnitPrice>
          <Description xml:lang="en">Excelsior Desk Chair, black leather</Description>
          <UnitOfMeasure>EA</UnitOfMeasure>
          <Classification domain="UNSPSC">56112104</Classification>
          <ManufacturerPartID>ISO-9001</ManufacturerPartID>
          <ManufacturerName>Workchairs</ManufacturerName>
          <LeadTime>5</LeadTime>
        </ItemDetail>
      </ItemIn>
    </PunchOutOrderMessage>
  </Message>
</cXML>
"""

CXML_SETUP_RESPONSE = b"""<?xml version="1.0"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">
<cXML payloadID="9949494@supplier.com" xml:lang="en-US" timestamp="2026-03-12T18:39:09-08:00">
  <Response>
    <Status code="200" text="success"></Status>
    <PunchOutSetupResponse>
      <StartPage><URL>https://shop.example/punchout?session=0c300508b7863dcclb_14999</URL></StartPage>
    </PunchOutSetupResponse>
  </Response>
</cXML>
"""


def test_oci_setup_carries_credentials_hook_language_and_restriction():
    fields = protocols.oci_setup_fields(
        version="4",
        username="buyer",
        password="pw",
        token="",
        hook_url="https://avrop.example/catalogue/punch-out/return/abc/",
        language="sv",
        restriction={"CONTRACT": "RA-2026-1", "UNSPSC": ""},
    )
    as_dict = dict(fields)
    assert as_dict["USERNAME"] == "buyer"
    assert as_dict["PASSWORD"] == "pw"
    assert as_dict["HOOK_URL"] == "https://avrop.example/catalogue/punch-out/return/abc/"
    assert as_dict["~OkCode"] == "ADDI"
    assert as_dict["~TARGET"] == "_top"
    assert as_dict["OCI_VERSION"] == "4.0"
    assert as_dict["language"] == "SV"
    assert as_dict["CONTRACT"] == "RA-2026-1"
    assert "UNSPSC" not in as_dict and "TOKEN" not in as_dict


def test_oci5_setup_says_version_5():
    fields = dict(
        protocols.oci_setup_fields(
            version="5", username="", password="", token="t0k", hook_url="h", language="en", restriction={}
        )
    )
    assert fields["OCI_VERSION"] == "5.0"
    assert fields["TOKEN"] == "t0k"
    assert "USERNAME" not in fields


def test_oci_classic_return_reads_every_line_with_price_per_price_unit():
    cart = protocols.oci_parse(OCI_RETURN)
    assert cart.protocol == "oci"
    assert [line.article_number for line in cart.lines] == ["KP-A4-80", "TN-59A"]
    paper, toner = cart.lines
    assert paper.quantity == Decimal("5")
    assert paper.unit_price == Decimal("44.5")  # 445.00 per 10
    assert paper.unspsc == "14111507"
    assert paper.description == "500 ark, vitt"
    assert paper.lead_time_days == 2
    assert paper.manufacturer_article == "MP-500"
    assert toner.unit_price == Decimal("1190.00")  # decimal comma accepted
    assert toner.unspsc == "44103103"  # from MATGROUP when no schema type is given
    assert cart.currency == "SEK"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("NEW_ITEM-QUANTITY[1]", "0"),
        ("NEW_ITEM-QUANTITY[1]", "-2"),
        ("NEW_ITEM-PRICE[1]", "NaN"),
        ("NEW_ITEM-PRICE[1]", "1e99"),
    ],
)
def test_oci_return_with_a_bad_number_is_refused(field, value):
    with pytest.raises(protocols.ReturnError) as caught:
        protocols.oci_parse({**OCI_RETURN, field: value})
    assert caught.value.code == "number"


def test_oci_return_without_items_is_refused():
    with pytest.raises(protocols.ReturnError) as caught:
        protocols.oci_parse({"~OkCode": "ADDI"})
    assert caught.value.code == "empty"


def test_the_shops_oci_fields_and_xml_variant_read_back_the_same():
    lines = protocols.oci_parse(OCI_RETURN).lines
    classic = protocols.oci_parse(dict(oci_fields(lines)))
    xml = protocols.oci_parse(dict(oci_xml_fields(lines)))
    assert xml.protocol == "oci5xml"
    for a, b, c in zip(lines, classic.lines, xml.lines, strict=True):
        assert a.article_number == b.article_number == c.article_number
        assert a.quantity == b.quantity == c.quantity
        assert a.unit_price == b.unit_price == c.unit_price
        assert a.unspsc == b.unspsc == c.unspsc


def test_cxml_setup_request_has_credentials_cookie_and_browser_form_post():
    data = protocols.cxml_setup_request(
        from_identity="AN0100",
        from_domain="NetworkID",
        to_identity="123456789",
        to_domain="DUNS",
        sender_identity="avrop",
        sender_domain="NetworkID",
        shared_secret="s3cr3t & <more>",
        buyer_cookie="cookie-1",
        browser_form_post="https://avrop.example/r/abc/",
        language="sv-SE",
        user_email="anna@example.se",
        user_name="Anna Berg",
        extrinsics={"ContractID": "RA-1"},
    )
    root = protocols._parse_xml(data)
    assert root.findtext("Header/From/Credential/Identity") == "AN0100"
    assert root.find("Header/To/Credential").get("domain") == "DUNS"
    assert root.findtext("Header/Sender/Credential/SharedSecret") == "s3cr3t & <more>"
    request = root.find("Request/PunchOutSetupRequest")
    assert request.get("operation") == "create"
    assert request.findtext("BuyerCookie") == "cookie-1"
    assert request.findtext("BrowserFormPost/URL") == "https://avrop.example/r/abc/"
    assert request.findtext("Extrinsic[@name='ContractID']") == "RA-1"


def test_cxml_setup_response_gives_the_start_page():
    assert protocols.cxml_setup_response(CXML_SETUP_RESPONSE) == (
        "https://shop.example/punchout?session=0c300508b7863dcclb_14999"
    )


def test_cxml_setup_response_with_an_error_status_is_refused():
    refused = CXML_SETUP_RESPONSE.replace(b'code="200" text="success"', b'code="401" text="Unauthorized"')
    with pytest.raises(protocols.ReturnError) as caught:
        protocols.cxml_setup_response(refused)
    assert caught.value.code == "refused"
    assert "401" in caught.value.detail


def test_cxml_order_message_reads_cookie_total_and_lines():
    cart = protocols.cxml_order_message_parse(CXML_ORDER_MESSAGE)
    assert cart.buyer_cookie == "34234234ADFSDF234234"
    assert cart.total == Decimal("1323.00")
    (line,) = cart.lines
    assert line.article_number == "5555"
    assert line.quantity == Decimal("3")
    assert line.unit_price == Decimal("441.00")
    assert line.unspsc == "56112104"
    assert line.name == "Excelsior Desk Chair, black leather"
    assert line.lead_time_days == 5


def test_cxml_form_fields_urlencoded_and_base64():
    assert protocols.cxml_form_document({"cxml-urlencoded": "<cXML/>"}) == b"<cXML/>"
    encoded = base64.b64encode(CXML_ORDER_MESSAGE).decode()
    assert protocols.cxml_form_document({"cxml-base64": encoded}) == CXML_ORDER_MESSAGE


def test_built_order_message_round_trips():
    lines = protocols.oci_parse(OCI_RETURN).lines
    data = protocols.cxml_order_message(buyer_cookie="c", lines=lines, currency="SEK")
    cart = protocols.cxml_order_message_parse(data)
    assert cart.total == Decimal("1412.50")
    assert [(ln.article_number, ln.quantity, ln.unit_price) for ln in cart.lines] == [
        (ln.article_number, ln.quantity, ln.unit_price) for ln in lines
    ]


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE cXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<cXML><Message><PunchOutOrderMessage><BuyerCookie>&xxe;</BuyerCookie></PunchOutOrderMessage></Message></cXML>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<cXML>&lol2;</cXML>"""


@pytest.mark.parametrize("document", [XXE, BILLION_LAUGHS])
def test_entity_attacks_are_refused_by_the_hardened_parser(document):
    with pytest.raises(protocols.ReturnError) as caught:
        protocols.cxml_order_message_parse(document)
    assert caught.value.code == "XML-DOCTYPE"


def test_a_cxml_doctype_with_an_internal_subset_is_not_taken_for_the_plain_one():
    sneaky = CXML_ORDER_MESSAGE.replace(b'cXML.dtd">', b'cXML.dtd" [<!ENTITY x "y">]>')
    with pytest.raises(protocols.ReturnError) as caught:
        protocols.cxml_order_message_parse(sneaky)
    assert caught.value.code == "XML-DOCTYPE"


@pytest.mark.parametrize(
    "document",
    [b"<cXML><Message>", b"not xml", b"<Invoice/>", b"<cXML><Message/></cXML>"],
)
def test_malformed_cxml_is_refused(document):
    with pytest.raises(protocols.ReturnError):
        protocols.cxml_order_message_parse(document)


def test_the_official_peppol_punch_out_example_is_read():
    cart = protocols.t77_parse(T77_EXAMPLE.read_bytes())
    assert cart.protocol == "t77"
    first = cart.lines[0]
    assert first.article_number == "MNTR011"
    assert first.name == "Copy paper"
    assert first.unit_price == Decimal("10.00")
    assert first.currency == "EUR"
    assert first.quantity == Decimal("1")
    assert first.vat_rate == Decimal("18")
    assert len(cart.lines) >= 2


def test_credentials_are_encrypted_and_read_back(settings):
    token = secrets.encrypt({"password": "hemligt", "username": "anna", "token": ""})
    assert b"hemligt" not in token and b"anna" not in token
    assert secrets.decrypt(token) == {"password": "hemligt", "username": "anna"}


def test_credentials_need_the_key_they_were_written_with(monkeypatch):
    from cryptography.fernet import Fernet

    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv(secrets.ENV_KEY, first)
    token = secrets.encrypt({"password": "x"})
    monkeypatch.setenv(secrets.ENV_KEY, second)
    with pytest.raises(secrets.CredentialsUnreadable):
        secrets.decrypt(token)
    monkeypatch.setenv(secrets.ENV_KEY, f"{second},{first}")  # rotation: the old key still reads
    assert secrets.decrypt(token) == {"password": "x"}
