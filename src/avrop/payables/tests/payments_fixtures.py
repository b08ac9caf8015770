"""Helpers for the payment tests: approved invoices, verified bank details, bank answers as the banks
write them (pain.002.001.10 status reports, camt.054.001.08 debit notifications)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from stdnum import luhn

from avrop.payables import services
from avrop.payables.models import SupplierInvoice


def bankgiro(base: str) -> str:
    return base + luhn.calc_check_digit(base)


def verified_account(world: Any, *, kind: str = "bankgiro", number: str = "", bic: str = "") -> Any:
    from avrop.suppliers.services import bank_account_register, bank_account_verify

    account = bank_account_register(
        actor=None, supplier=world.supplier, kind=kind, number=number or bankgiro("5701234"), bic=bic
    )
    return bank_account_verify(actor=world.clerk, account_id=account.pk, note="Called the supplier.")


def approved(world: Any, receive: Any, number: str, *, seed: int, **kwargs: Any) -> SupplierInvoice:
    invoice = receive(world.xml(number, seed=seed, **kwargs))
    services.invoice_send_to_review(
        actor=world.clerk,
        invoice_id=invoice.pk,
        reviewer_id=world.reviewer.pk,
        lines=[{"account": "4010", "amount": invoice.net_amount, "cost_centre": "SOL"}],
    )
    services.invoice_approve(actor=world.reviewer, invoice_id=invoice.pk)
    invoice.refresh_from_db()
    assert invoice.status == SupplierInvoice.Status.APPROVED
    return invoice


def pain002(message_id: str, transactions: list[tuple[str, str, str]], *, group: str = "PART") -> bytes:
    """A status report: (end-to-end id, status, reason code) per payment."""
    txs = "".join(
        f"<TxInfAndSts><OrgnlEndToEndId>{e2e}</OrgnlEndToEndId><TxSts>{status}</TxSts>"
        + (
            f"<StsRsnInf><Rsn><Cd>{reason}</Cd></Rsn><AddtlInf>Konto avslutat</AddtlInf></StsRsnInf>"
            if reason
            else ""
        )
        + "</TxInfAndSts>"
        for e2e, status, reason in transactions
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt>'
        "<GrpHdr><MsgId>STS-1</MsgId><CreDtTm>2026-12-07T16:00:00</CreDtTm></GrpHdr>"
        f"<OrgnlGrpInfAndSts><OrgnlMsgId>{message_id}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>"
        f"<GrpSts>{group}</GrpSts></OrgnlGrpInfAndSts>"
        f"<OrgnlPmtInfAndSts><OrgnlPmtInfId>{message_id}-1</OrgnlPmtInfId>{txs}</OrgnlPmtInfAndSts>"
        "</CstmrPmtStsRpt></Document>"
    ).encode()


def camt054(payments: list[tuple[str, Decimal]], *, booked: dt.date) -> bytes:
    """A debit notification booking (end-to-end id, amount) per payment."""
    details = "".join(
        f"<TxDtls><Refs><EndToEndId>{e2e}</EndToEndId></Refs>"
        f'<Amt Ccy="SEK">{amount:.2f}</Amt><CdtDbtInd>DBIT</CdtDbtInd></TxDtls>'
        for e2e, amount in payments
    )
    total = sum((a for _e, a in payments), Decimal(0))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>'
        "<GrpHdr><MsgId>N-1</MsgId><CreDtTm>2026-12-08T06:00:00</CreDtTm></GrpHdr>"
        "<Ntfctn><Id>1</Id><Acct><Id><IBAN>SE4550000000058398257466</IBAN></Id></Acct>"
        f'<Ntry><Amt Ccy="SEK">{total:.2f}</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>'
        f"<BookgDt><Dt>{booked.isoformat()}</Dt></BookgDt><ValDt><Dt>{booked.isoformat()}</Dt></ValDt>"
        f"<NtryDtls>{details}</NtryDtls></Ntry></Ntfctn>"
        "</BkToCstmrDbtCdtNtfctn></Document>"
    ).encode()
