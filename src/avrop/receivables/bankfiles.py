"""Incoming payment files: Bankgirot BgMax and ISO 20022 camt.054, read into one shape.

Both readers check the whole file before anything is booked: a file that is truncated, whose counts or
sums disagree with its closing records, or that is for another bankgiro number is refused with the line
(BgMax) or element (camt.054) where the problem is. Framework-free: no Django here.

BgMax (Bankgirot, "BgMax – Technical manual"): fixed records of 80 characters, the record type in the
first two positions. 01 start (layout name "BGMAX", version, timestamp, P/T), 05 opening of a deposit
(receiving bankgiro, currency), 20 payment (payer's bankgiro, reference, amount in öre, reference code,
channel, BGC serial number), 21 deduction, 22/23 extra references, 25 information text, 26 name,
27–28 address, 29 payer's organisation number, 15 deposit (account, payment date, deposit serial number,
amount, currency, number of payments), 70 end (counts of 20, 21, 22/23 and 15 records).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lxml import etree

from avrop.edi import xmlsafe

RECORD_LENGTH = 80
HUNDRED = Decimal(100)


class PaymentFileError(ValueError):
    """The file cannot be booked. ``line`` is the line (BgMax) or ``where`` the element (camt.054)."""

    def __init__(self, message: str, *, line: int | None = None, where: str = "") -> None:
        self.message = message
        self.line = line
        self.where = where
        location = f"line {line}: " if line else f"{where}: " if where else ""
        super().__init__(f"{location}{message}")


@dataclass
class IncomingPayment:
    line: int
    payment_date: dt.date
    amount: Decimal
    currency: str
    reference: str = ""
    reference_is_ocr: bool = False  # the bank says the reference passed its OCR check
    payer_name: str = ""
    payer_org_number: str = ""
    bank_reference: str = ""
    information: list[str] = field(default_factory=list)


@dataclass
class ParsedFile:
    format: str
    account: str  # the receiving bankgiro (digits) or account id
    payments: list[IncomingPayment]
    test: bool = False

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal("0.00"))


def detect(content: bytes) -> str:
    head = content[:2048].lstrip(b"\xef\xbb\xbf \r\n\t")
    if head.startswith(b"01BGMAX"):
        return "bgmax"
    if head.startswith(b"<") and b"BkToCstmrDbtCdtNtfctn" in content[:4096]:
        return "camt054"
    raise PaymentFileError(
        "This is neither a BgMax file (first line starting with 01BGMAX) nor a camt.054 notification."
    )


def parse(content: bytes, *, account: str) -> ParsedFile:
    """Read a BgMax or camt.054 file for the receiving ``account`` (a bankgiro number)."""
    kind = detect(content)
    return (
        parse_bgmax(content, account=account) if kind == "bgmax" else parse_camt054(content, account=account)
    )


# --- BgMax -------------------------------------------------------------------------------------------


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _number(field_text: str, line: int, what: str) -> int:
    text = field_text.strip()
    if not text.isdigit():
        raise PaymentFileError(f"{what} must be digits, not {field_text!r}.", line=line)
    return int(text)


def _date(text: str, line: int, what: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise PaymentFileError(f"{what} is not a date (YYYYMMDD): {text!r}.", line=line) from None


def parse_bgmax(content: bytes, *, account: str) -> ParsedFile:
    try:
        text = content.decode("iso-8859-1")
    except UnicodeDecodeError:  # pragma: no cover - every byte decodes in Latin-1
        raise PaymentFileError("The file is not text.") from None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise PaymentFileError("The file is empty.")
    wanted = _digits(account).lstrip("0")
    payments: list[IncomingPayment] = []
    section: list[IncomingPayment] = []
    counts = {"20": 0, "21": 0, "22": 0, "15": 0}
    test = False
    opened = False
    ended = False
    current: IncomingPayment | None = None
    for number, raw in enumerate(lines, start=1):
        if ended:
            raise PaymentFileError("There are records after the end record (70).", line=number)
        if len(raw) > RECORD_LENGTH:
            raise PaymentFileError(
                f"A record has {RECORD_LENGTH} characters, this one {len(raw)}.", line=number
            )
        record = raw.ljust(RECORD_LENGTH)
        kind = record[:2]
        if number == 1:
            if kind != "01" or record[2:22].strip() != "BGMAX":
                raise PaymentFileError("The first record must be the start record 01 with BGMAX.", line=1)
            test = record[44] == "T"
            continue
        if kind == "05":
            if opened:
                raise PaymentFileError(
                    "A deposit is opened (05) before the last one was closed (15).", line=number
                )
            receiver = _digits(record[2:12]).lstrip("0")
            if receiver != wanted:
                raise PaymentFileError(
                    f"The file is for bankgiro {receiver}, not for this organisation's {wanted}.", line=number
                )
            opened, section, current = True, [], None
            currency = record[22:25].strip() or "SEK"
        elif kind in {"20", "21"}:
            if not opened:
                raise PaymentFileError(
                    "A payment comes before its deposit's opening record (05).", line=number
                )
            amount = Decimal(_number(record[37:55], number, "The amount")) / HUNDRED
            code = record[55]
            current = IncomingPayment(
                line=number,
                payment_date=dt.date.min,  # set by the deposit record
                amount=amount if kind == "20" else -amount,
                currency=currency,
                reference=record[12:37].strip(),
                reference_is_ocr=code == "2",
                bank_reference=record[57:69].strip(),
            )
            section.append(current)
            counts[kind] += 1
        elif kind in {"22", "23"}:
            if current is None:
                raise PaymentFileError("An extra reference comes before any payment.", line=number)
            counts["22"] += 1
            extra = record[12:37].strip()
            if extra:
                current.information.append(extra)
        elif kind == "25":
            if current is not None and record[2:52].strip():
                current.information.append(record[2:52].strip())
        elif kind == "26":
            if current is not None:
                current.payer_name = record[2:37].strip()
        elif kind in {"27", "28"}:
            continue
        elif kind == "29":
            if current is not None:
                current.payer_org_number = record[2:14].strip()
        elif kind == "15":
            if not opened:
                raise PaymentFileError("A deposit record (15) without its opening record (05).", line=number)
            day = _date(record[37:45], number, "The payment date")
            amount = Decimal(_number(record[50:68], number, "The deposit amount")) / HUNDRED
            count = _number(record[71:79], number, "The number of payments")
            booked = sum((p.amount for p in section), Decimal("0.00"))
            found = sum(1 for p in section if p.amount >= 0)
            if count != found:
                raise PaymentFileError(
                    f"The deposit says {count} payments, its section has {found}.",
                    line=number,
                )
            if amount != booked:
                raise PaymentFileError(
                    f"The deposit amount {amount} differs from the sum of its payments {booked}.", line=number
                )
            for payment in section:
                payment.payment_date = day
            payments.extend(section)
            counts["15"] += 1
            opened, section, current = False, [], None
        elif kind == "70":
            expected = {
                "20": _number(record[2:10], number, "The number of payment records"),
                "21": _number(record[10:18], number, "The number of deduction records"),
                "22": _number(record[18:26], number, "The number of extra reference records"),
                "15": _number(record[26:34], number, "The number of deposit records"),
            }
            for key, value in expected.items():
                if counts[key] != value:
                    raise PaymentFileError(
                        f"The end record counts {value} records of type {key}, the file has {counts[key]}.",
                        line=number,
                    )
            ended = True
        else:
            raise PaymentFileError(f"Unknown record type {kind!r}.", line=number)
    if opened:
        raise PaymentFileError(
            "The file ends inside a deposit (no deposit record 15): it is truncated.", line=len(lines)
        )
    if not ended:
        raise PaymentFileError("The file has no end record (70): it is truncated.", line=len(lines))
    return ParsedFile(format="bgmax", account=wanted, payments=payments, test=test)


# --- camt.054 ----------------------------------------------------------------------------------------


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _child(element: etree._Element | None, *path: str) -> etree._Element | None:
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if isinstance(c.tag, str) and _local(c) == name), None)
    return element


def _children(element: etree._Element | None, name: str) -> list[etree._Element]:
    if element is None:
        return []
    return [c for c in element if isinstance(c.tag, str) and _local(c) == name]


def _text(element: etree._Element | None, *path: str) -> str:
    found = _child(element, *path)
    return (found.text or "").strip() if found is not None else ""


def _amount(element: etree._Element | None, where: str) -> tuple[Decimal, str]:
    if element is None:
        raise PaymentFileError("The amount is missing.", where=where)
    try:
        value = Decimal((element.text or "").strip())
    except InvalidOperation:
        raise PaymentFileError(f"The amount {element.text!r} is not a number.", where=where) from None
    return value, element.get("Ccy", "")


def parse_camt054(content: bytes, *, account: str) -> ParsedFile:
    try:
        tree = xmlsafe.parse_bytes(content)
    except xmlsafe.XmlSafetyError as exc:
        raise PaymentFileError(f"The XML cannot be read: {exc}") from None
    root = tree.getroot()
    body = _child(root, "BkToCstmrDbtCdtNtfctn")
    if body is None:
        raise PaymentFileError("This is not a camt.054 notification (no BkToCstmrDbtCdtNtfctn).")
    wanted = _digits(account).lstrip("0")
    payments: list[IncomingPayment] = []
    for n, notification in enumerate(_children(body, "Ntfctn"), start=1):
        where = f"Ntfctn[{n}]"
        account_id = _text(notification, "Acct", "Id", "Othr", "Id") or _text(
            notification, "Acct", "Id", "IBAN"
        )
        if _digits(account_id).lstrip("0") != wanted:
            raise PaymentFileError(
                f"The notification is for account {account_id}, "
                f"not for this organisation's bankgiro {wanted}.",
                where=f"{where}/Acct",
            )
        entries = _children(notification, "Ntry")
        credits = 0
        credit_sum = Decimal("0")
        for e, entry in enumerate(entries, start=1):
            entry_where = f"{where}/Ntry[{e}]"
            status = _text(entry, "Sts", "Cd") or _text(entry, "Sts")  # version 02 has no Cd level
            if _text(entry, "CdtDbtInd") != "CRDT" or status not in {"BOOK", ""}:
                continue
            entry_amount, currency = _amount(_child(entry, "Amt"), entry_where)
            credits += 1
            credit_sum += entry_amount
            day_text = _text(entry, "BookgDt", "Dt") or _text(entry, "ValDt", "Dt")
            try:
                day = dt.date.fromisoformat(day_text[:10])
            except ValueError:
                raise PaymentFileError(
                    f"The booking date {day_text!r} is not a date.", where=entry_where
                ) from None
            details = [tx for block in _children(entry, "NtryDtls") for tx in _children(block, "TxDtls")] or [
                entry
            ]
            parts = Decimal("0")
            for t, tx in enumerate(details, start=1):
                tx_where = f"{entry_where}/NtryDtls/TxDtls[{t}]"
                amount_element = _child(tx, "AmtDtls", "TxAmt", "Amt")
                if amount_element is None:  # an element without children is falsy: compare with None
                    amount_element = _child(tx, "Amt")
                amount, tx_currency = (
                    _amount(amount_element, tx_where) if tx is not entry else (entry_amount, currency)
                )
                parts += amount
                structured = _text(tx, "RmtInf", "Strd", "CdtrRefInf", "Ref")
                unstructured = " ".join(
                    (u.text or "").strip() for u in _children(_child(tx, "RmtInf"), "Ustrd")
                ).strip()
                payments.append(
                    IncomingPayment(
                        line=t,
                        payment_date=day,
                        amount=amount,
                        currency=tx_currency or currency,
                        reference=structured or unstructured,
                        reference_is_ocr=bool(structured),
                        payer_name=_text(tx, "RltdPties", "Dbtr", "Nm")
                        or _text(tx, "RltdPties", "Dbtr", "Pty", "Nm"),
                        payer_org_number=_text(tx, "RltdPties", "Dbtr", "Id", "OrgId", "Othr", "Id")
                        or _text(tx, "RltdPties", "Dbtr", "Pty", "Id", "OrgId", "Othr", "Id"),
                        bank_reference=_text(tx, "Refs", "AcctSvcrRef") or _text(entry, "AcctSvcrRef"),
                    )
                )
            if parts != entry_amount:
                raise PaymentFileError(
                    f"The entry's amount {entry_amount} differs from the sum of its transactions {parts}.",
                    where=entry_where,
                )
        summary = _child(notification, "TxsSummry", "TtlCdtNtries")
        if summary is not None:
            declared = _text(summary, "NbOfNtries")
            if declared and int(declared) != credits:
                raise PaymentFileError(
                    f"The summary counts {declared} credit entries, the notification has {credits}.",
                    where=f"{where}/TxsSummry",
                )
            total = _text(summary, "Sum")
            if total and Decimal(total) != credit_sum:
                raise PaymentFileError(
                    f"The summary's sum {total} differs from the credit entries' {credit_sum}.",
                    where=f"{where}/TxsSummry",
                )
    if not payments and not _children(body, "Ntfctn"):
        raise PaymentFileError("The notification has no Ntfctn: it is empty or truncated.")
    for index, payment in enumerate(payments, start=1):
        payment.line = index
    return ParsedFile(format="camt054", account=wanted, payments=payments)
