"""Payment files as a bank would deliver them, for the demo, the tests and the benchmark.

``bgmax`` writes Bankgirot BgMax records of 80 characters (layout of "BgMax – Technical manual",
version 01); ``camt054`` writes an ISO 20022 camt.054.001.02 credit notification as Swedish banks send it
for a bankgiro number. Both are written independently of the readers in ``bankfiles``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class SamplePayment:
    amount: Decimal
    reference: str = ""
    payer_name: str = ""
    payer_org_number: str = ""
    payer_bankgiro: str = "9912346"
    ocr_checked: bool = True
    serial: str = ""


def _record(text: str) -> str:
    if len(text) > 80:
        raise ValueError(f"A BgMax record has 80 characters: {text!r} has {len(text)}.")
    return text.ljust(80)


def _ore(amount: Decimal, width: int = 18) -> str:
    return f"{int((amount * 100).to_integral_value()):0{width}d}"


def bgmax(
    payments: list[SamplePayment],
    *,
    bankgiro: str,
    day: dt.date,
    deposit_serial: int = 1,
    account: str = "3300-1234567",
    test: bool = False,
    stamp: dt.datetime | None = None,
) -> bytes:
    """One deposit with ``payments`` to ``bankgiro`` on ``day``, as a complete BgMax file."""
    stamp = stamp or dt.datetime.combine(day, dt.time(6, 30))
    digits = "".join(c for c in bankgiro if c.isdigit())
    lines = [
        _record(f"01{'BGMAX':<20}01{stamp:%Y%m%d%H%M%S}{stamp.microsecond:06d}{'T' if test else 'P'}"),
        _record(f"05{digits:0>10}{'':10}SEK"),
    ]
    for index, payment in enumerate(payments, start=1):
        code = "2" if payment.ocr_checked and payment.reference else ("1" if not payment.reference else "4")
        serial = payment.serial or f"{day:%y%m%d}{index:06d}"
        lines.append(
            _record(
                f"20{payment.payer_bankgiro:0>10}{payment.reference:<25}{_ore(payment.amount)}{code}1{serial:<12}0"
            )
        )
        if payment.payer_name:
            lines.append(_record(f"26{payment.payer_name[:35]:<35}"))
        if payment.payer_org_number:
            digits_org = "".join(c for c in payment.payer_org_number if c.isdigit())
            lines.append(_record(f"29{digits_org:0>12}"))
    total = sum((p.amount for p in payments), Decimal("0"))
    lines.append(
        _record(f"15{account:<35}{day:%Y%m%d}{deposit_serial:05d}{_ore(total)}SEK{len(payments):08d}K")
    )
    lines.append(_record(f"70{len(payments):08d}{0:08d}{0:08d}{1:08d}"))
    return ("\r\n".join(lines) + "\r\n").encode("iso-8859-1")


def camt054(
    payments: list[SamplePayment],
    *,
    bankgiro: str,
    day: dt.date,
    currency: str = "SEK",
    message_id: str = "CAMT054-0001",
) -> bytes:
    """One notification with one booked credit entry per payment, each with its transaction details."""
    digits = "".join(c for c in bankgiro if c.isdigit())
    entries = []
    for index, payment in enumerate(payments, start=1):
        amount = f"{payment.amount:.2f}"
        if payment.ocr_checked and payment.reference:
            remittance = (
                "<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
                f"<Ref>{escape(payment.reference)}</Ref></CdtrRefInf></Strd></RmtInf>"
            )
        elif payment.reference:
            remittance = f"<RmtInf><Ustrd>{escape(payment.reference)}</Ustrd></RmtInf>"
        else:
            remittance = ""
        org = (
            f"<Id><OrgId><Othr><Id>{escape(payment.payer_org_number)}</Id></Othr></OrgId></Id>"
            if payment.payer_org_number
            else ""
        )
        entries.append(
            f"""    <Ntry>
      <Amt Ccy="{currency}">{amount}</Amt>
      <CdtDbtInd>CRDT</CdtDbtInd>
      <Sts>BOOK</Sts>
      <BookgDt><Dt>{day.isoformat()}</Dt></BookgDt>
      <ValDt><Dt>{day.isoformat()}</Dt></ValDt>
      <AcctSvcrRef>{day:%Y%m%d}{index:08d}</AcctSvcrRef>
      <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>BOOK</SubFmlyCd></Fmly></Domn></BkTxCd>
      <NtryDtls><TxDtls>
        <Refs><AcctSvcrRef>{day:%Y%m%d}{index:08d}-1</AcctSvcrRef></Refs>
        <AmtDtls><TxAmt><Amt Ccy="{currency}">{amount}</Amt></TxAmt></AmtDtls>
        <RltdPties><Dbtr><Nm>{escape(payment.payer_name)}</Nm>{org}</Dbtr></RltdPties>
        {remittance}
      </TxDtls></NtryDtls>
    </Ntry>"""
        )
    total = sum((p.amount for p in payments), Decimal("0"))
    body = "\n".join(entries)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>{escape(message_id)}</MsgId><CreDtTm>{day.isoformat()}T07:00:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>{escape(message_id)}-1</Id>
      <CreDtTm>{day.isoformat()}T07:00:00</CreDtTm>
      <Acct><Id><Othr><Id>{digits}</Id><SchmeNm><Prtry>BGNR</Prtry></SchmeNm></Othr></Id><Ccy>{currency}</Ccy></Acct>
      <TxsSummry><TtlCdtNtries><NbOfNtries>{len(payments)}</NbOfNtries><Sum>{total:.2f}</Sum></TtlCdtNtries></TxsSummry>
{body}
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
""".encode()
