"""The XML attack corpus against the bank-file channel (pain.002 / camt.054 from the bank): an external entity
to a local file and a billion-laughs expansion are never resolved – the file is refused with a message, and
nothing of the local file reaches it. The Peppol/EDI channel has its own corpus in
``edi/tests/test_xmlsafe.py``, punch-out returns in ``catalogue/tests/test_punch_out_protocols.py``."""

from __future__ import annotations

import time

import pytest

from avrop.payables.payments import bankfiles

PAIN002 = (
    '<?xml version="1.0"?>{doctype}<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">'
    "<CstmrPmtStsRpt><GrpHdr><MsgId>{value}</MsgId></GrpHdr><OrgnlGrpInfAndSts><OrgnlMsgId>{value}</OrgnlMsgId>"
    "<GrpSts>RJCT</GrpSts></OrgnlGrpInfAndSts></CstmrPmtStsRpt></Document>"
)
XXE = '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    '<!DOCTYPE d [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    + "]>"
)


@pytest.mark.parametrize(("doctype", "value"), [(XXE, "&xxe;"), (LAUGHS, "&lol9;")], ids=["xxe", "laughs"])
def test_bank_file_entities_are_never_resolved(doctype, value):
    content = PAIN002.format(doctype=doctype, value=value).encode()
    started = time.monotonic()
    with pytest.raises(bankfiles.BankFileError) as refused:
        bankfiles.parse(content)
    assert time.monotonic() - started < 2
    assert "root:" not in str(refused.value) and "lollol" not in str(refused.value)
    assert str(refused.value)  # a message saying what is wrong
