"""Money aggregates: tax, allowances and charges, totals, payment means and terms, exchange rates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ._model import Node, many, one, required
from ._values import Amount, Code
from .common import Address, Period, TaxScheme

__all__ = [
    "AllowanceCharge",
    "Branch",
    "CardAccount",
    "ExchangeRate",
    "FinancialAccount",
    "FinancialInstitution",
    "MonetaryTotal",
    "PaymentMandate",
    "PaymentMeans",
    "PaymentTerms",
    "TaxCategory",
    "TaxSubtotal",
    "TaxTotal",
]


@dataclass(kw_only=True, slots=True)
class TaxCategory(Node):
    """A VAT category (UNCL5305: S, Z, E, AE, K, G, O, L, M) with its rate.

    Used as ``cac:TaxCategory`` and as an item's ``cac:ClassifiedTaxCategory``.
    """

    ubl_type = "TaxCategory"

    id: str | None = one("cbc:ID")
    name: str | None = one("cbc:Name")
    percent: Decimal | None = one("cbc:Percent")
    per_unit_amount: Amount | None = one("cbc:PerUnitAmount")
    tax_exemption_reason_code: str | None = one("cbc:TaxExemptionReasonCode")
    tax_exemption_reasons: list[str] = many("cbc:TaxExemptionReason")
    tax_scheme: TaxScheme = required("cac:TaxScheme", TaxScheme)


@dataclass(kw_only=True, slots=True)
class TaxSubtotal(Node):
    """The VAT breakdown for one category and rate (BG-23)."""

    ubl_type = "TaxSubtotal"

    taxable_amount: Amount | None = one("cbc:TaxableAmount")
    tax_amount: Amount = required("cbc:TaxAmount")
    percent: Decimal | None = one("cbc:Percent")
    tax_category: TaxCategory = required("cac:TaxCategory")


@dataclass(kw_only=True, slots=True)
class TaxTotal(Node):
    ubl_type = "TaxTotal"

    tax_amount: Amount = required("cbc:TaxAmount")
    rounding_amount: Amount | None = one("cbc:RoundingAmount")
    tax_included_indicator: bool | None = one("cbc:TaxIncludedIndicator")
    subtotals: list[TaxSubtotal] = many("cac:TaxSubtotal")


@dataclass(kw_only=True, slots=True)
class MonetaryTotal(Node):
    """Document totals (``cac:LegalMonetaryTotal``, ``cac:AnticipatedMonetaryTotal``)."""

    ubl_type = "MonetaryTotal"

    line_extension_amount: Amount | None = one("cbc:LineExtensionAmount")
    tax_exclusive_amount: Amount | None = one("cbc:TaxExclusiveAmount")
    tax_inclusive_amount: Amount | None = one("cbc:TaxInclusiveAmount")
    allowance_total_amount: Amount | None = one("cbc:AllowanceTotalAmount")
    charge_total_amount: Amount | None = one("cbc:ChargeTotalAmount")
    prepaid_amount: Amount | None = one("cbc:PrepaidAmount")
    payable_rounding_amount: Amount | None = one("cbc:PayableRoundingAmount")
    payable_amount: Amount = required("cbc:PayableAmount")


@dataclass(kw_only=True, slots=True)
class AllowanceCharge(Node):
    """A discount (``charge_indicator=False``) or charge on a document, line or price."""

    ubl_type = "AllowanceCharge"

    id: str | None = one("cbc:ID")
    charge_indicator: bool = required("cbc:ChargeIndicator")
    reason_code: str | None = one("cbc:AllowanceChargeReasonCode")
    reasons: list[str] = many("cbc:AllowanceChargeReason")
    multiplier_factor: Decimal | None = one("cbc:MultiplierFactorNumeric")
    prepaid_indicator: bool | None = one("cbc:PrepaidIndicator")
    sequence_numeric: Decimal | None = one("cbc:SequenceNumeric")
    amount: Amount = required("cbc:Amount")
    base_amount: Amount | None = one("cbc:BaseAmount")
    accounting_cost_code: str | None = one("cbc:AccountingCostCode")
    accounting_cost: str | None = one("cbc:AccountingCost")
    per_unit_amount: Amount | None = one("cbc:PerUnitAmount")
    tax_categories: list[TaxCategory] = many("cac:TaxCategory")

    @property
    def reason(self) -> str | None:
        return self.reasons[0] if self.reasons else None


@dataclass(kw_only=True, slots=True)
class FinancialInstitution(Node):
    ubl_type = "FinancialInstitution"

    id: str | None = one("cbc:ID")
    name: str | None = one("cbc:Name")
    address: Address | None = one("cac:Address")


@dataclass(kw_only=True, slots=True)
class Branch(Node):
    """A bank branch; in Peppol ``id`` is the BIC of the payee's bank."""

    ubl_type = "Branch"

    id: str | None = one("cbc:ID")
    name: str | None = one("cbc:Name")
    financial_institution: FinancialInstitution | None = one("cac:FinancialInstitution")
    address: Address | None = one("cac:Address")


@dataclass(kw_only=True, slots=True)
class FinancialAccount(Node):
    """A payment account: IBAN, bankgiro or plusgiro number in ``id``."""

    ubl_type = "FinancialAccount"

    id: str | None = one("cbc:ID")
    name: str | None = one("cbc:Name")
    alias_name: str | None = one("cbc:AliasName")
    account_type_code: str | None = one("cbc:AccountTypeCode")
    account_format_code: str | None = one("cbc:AccountFormatCode")
    currency_code: str | None = one("cbc:CurrencyCode")
    payment_notes: list[str] = many("cbc:PaymentNote")
    financial_institution_branch: Branch | None = one("cac:FinancialInstitutionBranch")

    @property
    def bic(self) -> str | None:
        branch = self.financial_institution_branch
        return branch.id if branch else None


@dataclass(kw_only=True, slots=True)
class CardAccount(Node):
    ubl_type = "CardAccount"

    primary_account_number_id: str = required("cbc:PrimaryAccountNumberID")
    network_id: str = required("cbc:NetworkID")
    card_type_code: str | None = one("cbc:CardTypeCode")
    validity_start_date: date | None = one("cbc:ValidityStartDate")
    expiry_date: date | None = one("cbc:ExpiryDate")
    holder_name: str | None = one("cbc:HolderName")


@dataclass(kw_only=True, slots=True)
class PaymentMandate(Node):
    """A direct debit mandate."""

    ubl_type = "PaymentMandate"

    id: str | None = one("cbc:ID")
    mandate_type_code: str | None = one("cbc:MandateTypeCode")
    payer_financial_account: FinancialAccount | None = one("cac:PayerFinancialAccount")
    validity_period: Period | None = one("cac:ValidityPeriod")


@dataclass(kw_only=True, slots=True)
class PaymentMeans(Node):
    """How to pay (BG-16): UNCL4461 code (30 credit transfer, 58 SEPA, 48 card, 49 direct debit …)."""

    ubl_type = "PaymentMeans"

    id: str | None = one("cbc:ID")
    payment_means_code: Code = required("cbc:PaymentMeansCode")
    payment_due_date: date | None = one("cbc:PaymentDueDate")
    payment_channel_code: str | None = one("cbc:PaymentChannelCode")
    instruction_id: str | None = one("cbc:InstructionID")
    instruction_notes: list[str] = many("cbc:InstructionNote")
    payment_ids: list[str] = many("cbc:PaymentID")
    card_account: CardAccount | None = one("cac:CardAccount")
    payer_financial_account: FinancialAccount | None = one("cac:PayerFinancialAccount")
    payee_financial_account: FinancialAccount | None = one("cac:PayeeFinancialAccount")
    payment_mandate: PaymentMandate | None = one("cac:PaymentMandate")

    @property
    def payment_id(self) -> str | None:
        """The remittance information (OCR reference) the payer must quote (BT-83)."""
        return self.payment_ids[0] if self.payment_ids else None


@dataclass(kw_only=True, slots=True)
class PaymentTerms(Node):
    ubl_type = "PaymentTerms"

    id: str | None = one("cbc:ID")
    payment_means_ids: list[str] = many("cbc:PaymentMeansID")
    notes: list[str] = many("cbc:Note")
    settlement_discount_percent: Decimal | None = one("cbc:SettlementDiscountPercent")
    penalty_surcharge_percent: Decimal | None = one("cbc:PenaltySurchargePercent")
    payment_percent: Decimal | None = one("cbc:PaymentPercent")
    amount: Amount | None = one("cbc:Amount")
    settlement_discount_amount: Amount | None = one("cbc:SettlementDiscountAmount")
    penalty_amount: Amount | None = one("cbc:PenaltyAmount")
    payment_due_date: date | None = one("cbc:PaymentDueDate")
    installment_due_date: date | None = one("cbc:InstallmentDueDate")
    settlement_period: Period | None = one("cac:SettlementPeriod")
    penalty_period: Period | None = one("cac:PenaltyPeriod")
    validity_period: Period | None = one("cac:ValidityPeriod")


@dataclass(kw_only=True, slots=True)
class ExchangeRate(Node):
    ubl_type = "ExchangeRate"

    source_currency_code: str = required("cbc:SourceCurrencyCode")
    source_currency_base_rate: Decimal | None = one("cbc:SourceCurrencyBaseRate")
    target_currency_code: str = required("cbc:TargetCurrencyCode")
    target_currency_base_rate: Decimal | None = one("cbc:TargetCurrencyBaseRate")
    calculation_rate: Decimal | None = one("cbc:CalculationRate")
    mathematic_operator_code: str | None = one("cbc:MathematicOperatorCode")
    rate_date: date | None = one("cbc:Date")
