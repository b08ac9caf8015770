"""Reading BgMax and camt.054: the hand-written files in ``files/``, the sample writer, and every way a file
is refused (with the line or element), before anything is booked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from avrop.receivables import bankfiles, samples

FILES = Path(__file__).parent / "files"
BANKGIRO = "5050-1055"


def test_bgmax_file_with_two_deposits():
    parsed = bankfiles.parse((FILES / "bgmax_two_deposits.txt").read_bytes(), account=BANKGIRO)
    assert parsed.format == "bgmax" and not parsed.test
    assert [p.amount for p in parsed.payments] == [
        Decimal("4068.75"),
        Decimal("1000.00"),
        Decimal("500.00"),
        Decimal("4068.75"),
    ]
    first, second, wrong, blank = parsed.payments
    assert (first.reference, first.reference_is_ocr, first.payer_name) == ("1000173", True, "TESTKOMMUN")
    assert first.payer_org_number == "002120007774"
    assert first.payment_date == dt.date(2026, 11, 20) and first.bank_reference == "261120000001"
    assert second.information == ["DELBETALNING ENLIGT AVTAL"]
    assert wrong.payment_date == dt.date(2026, 11, 21) and not wrong.reference_is_ocr
    assert blank.reference == "" and blank.payer_name == "FRISKOLAN AB"
    assert blank.information == ["FAKTURA FRISKOLAN NOV"]
    assert parsed.total == Decimal("9637.50")


def test_camt054_with_a_batch_entry():
    parsed = bankfiles.parse((FILES / "camt054_bankgiro.xml").read_bytes(), account=BANKGIRO)
    assert parsed.format == "camt054"
    assert [(p.amount, p.reference, p.reference_is_ocr) for p in parsed.payments] == [
        (Decimal("4068.75"), "1000173", True),
        (Decimal("600.00"), "Faktura 10002 del 1", False),
        (Decimal("400.00"), "1000274", True),
    ]
    assert parsed.payments[0].payer_org_number == "2120007774"
    assert parsed.payments[1].payer_name == "Okänd betalare AB"
    assert parsed.payments[0].payment_date == dt.date(2026, 11, 20)


def test_the_sample_writers_are_read_back():
    payments = [
        samples.SamplePayment(amount=Decimal("125.50"), reference="1000173", payer_name="Kund AB"),
        samples.SamplePayment(amount=Decimal("99.00"), payer_org_number="556677-8899", ocr_checked=False),
    ]
    day = dt.date(2026, 11, 25)
    for content in (
        samples.bgmax(payments, bankgiro=BANKGIRO, day=day),
        samples.camt054(payments, bankgiro=BANKGIRO, day=day),
    ):
        parsed = bankfiles.parse(content, account=BANKGIRO)
        assert [p.amount for p in parsed.payments] == [Decimal("125.50"), Decimal("99.00")]
        assert parsed.payments[0].reference == "1000173"
        assert parsed.payments[1].payer_org_number.replace("-", "").endswith("5566778899")
        assert {p.payment_date for p in parsed.payments} == {day}


def _lines() -> list[str]:
    return (FILES / "bgmax_two_deposits.txt").read_bytes().decode("iso-8859-1").split("\r\n")


def _refused(lines: list[str]) -> bankfiles.PaymentFileError:
    with pytest.raises(bankfiles.PaymentFileError) as caught:
        bankfiles.parse("\r\n".join(lines).encode("iso-8859-1"), account=BANKGIRO)
    return caught.value


def test_a_truncated_bgmax_file_is_refused_at_its_last_line():
    error = _refused(_lines()[:12])
    assert error.line == 12 and "truncated" in error.message
    error = _refused(_lines()[:18])
    assert "no end record (70)" in error.message


def test_a_wrong_count_in_the_end_record_is_refused_with_its_line():
    lines = _lines()
    lines[18] = "70" + "00000005" + lines[18][10:]
    error = _refused(lines)
    assert error.line == 19 and "counts 5 records of type 20, the file has 4" in error.message


def test_a_deposit_whose_sum_differs_is_refused():
    lines = _lines()
    lines[9] = lines[9][:50] + "000000000000506876" + lines[9][68:]
    error = _refused(lines)
    assert error.line == 10 and "5068.76" in error.message and "5068.75" in error.message


def test_a_file_for_another_bankgiro_is_refused():
    with pytest.raises(bankfiles.PaymentFileError) as caught:
        bankfiles.parse((FILES / "bgmax_two_deposits.txt").read_bytes(), account="5555-5555")
    assert caught.value.line == 2 and "bankgiro 50501055" in caught.value.message


def test_a_bad_amount_and_an_unknown_record_are_refused_with_their_lines():
    lines = _lines()
    lines[2] = lines[2][:37] + "0000000000004068X5" + lines[2][55:]
    assert _refused(lines).line == 3
    lines = _lines()
    lines[4] = "99" + lines[4][2:]
    assert "Unknown record type '99'" in _refused(lines).message


def test_camt054_sum_or_account_that_disagree_are_refused():
    content = (FILES / "camt054_bankgiro.xml").read_bytes()
    with pytest.raises(bankfiles.PaymentFileError, match="TxsSummry"):
        bankfiles.parse(
            content.replace(b"<Sum>5068.75</Sum></TtlCdtNtries>", b"<Sum>5068.70</Sum></TtlCdtNtries>"),
            account=BANKGIRO,
        )
    with pytest.raises(bankfiles.PaymentFileError, match="differs from the sum of its transactions"):
        bankfiles.parse(
            content.replace(b'<Amt Ccy="SEK">400.00</Amt>', b'<Amt Ccy="SEK">300.00</Amt>'), account=BANKGIRO
        )
    with pytest.raises(bankfiles.PaymentFileError, match="not for this organisation"):
        bankfiles.parse(content, account="5555-5555")
    with pytest.raises(bankfiles.PaymentFileError, match="cannot be read"):
        bankfiles.parse(content[: len(content) // 2], account=BANKGIRO)


def test_something_else_is_neither_format():
    with pytest.raises(bankfiles.PaymentFileError, match="neither a BgMax file"):
        bankfiles.parse(b"%PDF-1.7 ...", account=BANKGIRO)
