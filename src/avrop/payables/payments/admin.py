"""Operators see payment proposals, files and bank files read-only; settings and terms are editable."""

from django.contrib import admin

from avrop.payables.payments.models import (
    BankFeedbackFile,
    PaymentFile,
    PaymentProposal,
    PaymentSettings,
    SupplierPaymentTerms,
)


@admin.register(PaymentSettings)
class PaymentSettingsAdmin(admin.ModelAdmin):
    list_display = ("organisation", "debtor_kind", "debtor_account", "debtor_bic")


@admin.register(SupplierPaymentTerms)
class SupplierPaymentTermsAdmin(admin.ModelAdmin):
    list_display = ("supplier", "discount_percent", "discount_days")


@admin.register(PaymentProposal)
class PaymentProposalAdmin(admin.ModelAdmin):
    list_display = ("id", "organisation", "kind", "status", "line_count", "total_amount", "created_at")
    list_filter = ("status", "kind")
    readonly_fields = [f.name for f in PaymentProposal._meta.fields]


@admin.register(PaymentFile)
class PaymentFileAdmin(admin.ModelAdmin):
    list_display = ("filename", "transaction_count", "control_sum", "created_at")
    exclude = ("content",)
    readonly_fields = [f.name for f in PaymentFile._meta.fields if f.name != "content"]


@admin.register(BankFeedbackFile)
class BankFeedbackFileAdmin(admin.ModelAdmin):
    list_display = ("filename", "organisation", "kind", "receipt_count", "created_at")
    exclude = ("content",)
    readonly_fields = [f.name for f in BankFeedbackFile._meta.fields if f.name != "content"]
