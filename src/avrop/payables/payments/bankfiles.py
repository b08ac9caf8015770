"""Read the bank's answers to a payment file: pain.002 (payment status report) and camt.054 (debit
notification). Elements are found by local name, so the message versions the Swedish banks send (pain.002
.001.03/.10, camt.054.001.02/.08) all read the same way. Parsed without DTDs, entities or network.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from lxml import etree

PAIN002 = "pain.002"
CAMT054 = "camt.054"

# PART (partly accepted) says nothing about one payment: the payments' own statuses follow.
ACCEPTED_CODES = frozenset({"ACCP", "ACTC", "ACSP", "ACWC", "PDNG", "RCVD"})
PAID_CODES = frozenset({"ACSC", "ACCC"})


class BankFileError(ValueError):
    """The file is not a pain.002 or camt.054 we can read; the message says why, for people."""


@dataclass(frozen=True)
class Event:
    """What the bank says about one payment, one payment block or the whole file."""

    outcome: str  # accepted / rejected / paid
    message_id: str = ""
    payment_info_id: str = ""
    end_to_end_id: str = ""
    code: str = ""
    reason: str = ""
    booked_on: dt.date | None = None
    amount: Decimal | None = None


def reason_text(code: str) -> str:
    """The ISO 20022 status reason in plain words (the code stays beside it)."""
    texts = {
        "AC01": _("The account number is wrong."),
        "AC04": _("The account is closed."),
        "AC06": _("The account is blocked."),
        "AC13": _("The debtor account type is not allowed."),
        "AG01": _("The bank does not allow this payment on the account."),
        "AM04": _("There is not enough money on the account."),
        "AM05": _("The payment is a duplicate."),
        "BE04": _("The supplier's address is missing."),
        "DUPL": _("The payment is a duplicate."),
        "FF01": _("The file format is not valid."),
        "MS03": _("The bank gave no reason."),
        "NARR": _("See the bank's text."),
        "RC01": _("The bank identifier (BIC or clearing number) is wrong."),
        "RR01": _("The debtor's account or identification is missing."),
    }
    return texts.get(code, _("Reason code %(code)s.") % {"code": code} if code else "")


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _child(element: etree._Element | None, *names: str) -> etree._Element | None:
    for name in names:
        if element is None:
            return None
        element = next((c for c in element if isinstance(c.tag, str) and _local(c) == name), None)
    return element


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str) and _local(c) == name]


def _text(element: etree._Element | None, *names: str) -> str:
    found = _child(element, *names)
    return (found.text or "").strip() if found is not None else ""


def _reason(element: etree._Element) -> tuple[str, str]:
    """The first status reason's code and its words (the bank's own text after ours)."""
    info = _child(element, "StsRsnInf")
    if info is None:
        return "", ""
    code = _text(info, "Rsn", "Cd") or _text(info, "Rsn", "Prtry")
    extra = " ".join((e.text or "").strip() for e in _children(info, "AddtlInf") if (e.text or "").strip())
    words = " ".join(part for part in (reason_text(code), extra) if part)
    return code, words


def _outcome(code: str) -> str | None:
    if code == "RJCT":
        return "rejected"
    if code in PAID_CODES:
        return "paid"
    if code in ACCEPTED_CODES:
        return "accepted"
    return None


def parse(content: bytes) -> tuple[str, list[Event]]:
    """The file's kind (``pain.002`` or ``camt.054``) and its events, in file order."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise BankFileError(
            _("The file is not readable XML (line %(line)s: %(error)s).")
            % {"line": exc.lineno, "error": exc.msg}
        ) from None
    body = next((c for c in root if isinstance(c.tag, str)), None)
    name = _local(body) if body is not None else ""
    if body is not None and name == "CstmrPmtStsRpt":
        return PAIN002, _pain002(body)
    if body is not None and name == "BkToCstmrDbtCdtNtfctn":
        return CAMT054, _camt054(body)
    raise BankFileError(
        _(
            "This is not a payment status report (pain.002) or a debit notification (camt.054): its "
            "first element is %(name)s."
        )
        % {"name": name or _local(root)}
    )


def _pain002(body: etree._Element) -> list[Event]:
    events = []
    group = _child(body, "OrgnlGrpInfAndSts")
    message_id = _text(group, "OrgnlMsgId")
    if not message_id:
        raise BankFileError(_("The status report does not name the payment file (OrgnlMsgId is missing)."))
    group_status = _text(group, "GrpSts")
    outcome = _outcome(group_status)
    if outcome is not None and group is not None:
        code, words = _reason(group)
        events.append(Event(outcome, message_id=message_id, code=code or group_status, reason=words))
    for block in _children(body, "OrgnlPmtInfAndSts"):
        block_id = _text(block, "OrgnlPmtInfId")
        block_outcome = _outcome(_text(block, "PmtInfSts"))
        if block_outcome is not None:
            code, words = _reason(block)
            events.append(
                Event(block_outcome, message_id=message_id, payment_info_id=block_id, code=code, reason=words)
            )
        for tx in _children(block, "TxInfAndSts"):
            tx_outcome = _outcome(_text(tx, "TxSts"))
            if tx_outcome is None:
                continue
            code, words = _reason(tx)
            events.append(
                Event(
                    tx_outcome,
                    message_id=message_id,
                    payment_info_id=block_id,
                    end_to_end_id=_text(tx, "OrgnlEndToEndId"),
                    code=code,
                    reason=words,
                )
            )
    return events


def _date(element: etree._Element | None) -> dt.date | None:
    raw = _text(element, "Dt") or _text(element, "DtTm")[:10]
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _amount(element: etree._Element | None) -> Decimal | None:
    raw = _text(element, "Amt")
    try:
        return Decimal(raw) if raw else None
    except InvalidOperation:
        return None


def _camt054(body: etree._Element) -> list[Event]:
    events = []
    for notification in _children(body, "Ntfctn"):
        for entry in _children(notification, "Ntry"):
            status = _text(entry, "Sts", "Cd") or _text(entry, "Sts")
            if status and status != "BOOK":
                continue
            booked = _date(_child(entry, "BookgDt"))
            debit = _text(entry, "CdtDbtInd") == "DBIT"
            for details in _children(entry, "NtryDtls"):
                for tx in _children(details, "TxDtls"):
                    end_to_end_id = _text(tx, "Refs", "EndToEndId")
                    if not end_to_end_id:
                        continue
                    returned = _child(tx, "RtrInf")
                    if returned is not None:
                        code = _text(returned, "Rsn", "Cd")
                        extra = _text(returned, "AddtlInf")
                        words = " ".join(p for p in (reason_text(code), extra) if p)
                        events.append(Event("rejected", end_to_end_id=end_to_end_id, code=code, reason=words))
                    elif debit:
                        events.append(
                            Event(
                                "paid",
                                end_to_end_id=end_to_end_id,
                                code="BOOK",
                                booked_on=booked,
                                amount=_amount(tx) or _amount(entry),
                            )
                        )
    return events
