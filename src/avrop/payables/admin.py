from django.contrib import admin

from avrop.payables.models import (
    InboundDocument,
    InvoiceMessage,
    ReferenceRate,
    SupplierCodingDefault,
    SupplierInvoice,
)


@admin.register(InboundDocument)
class InboundDocumentAdmin(admin.ModelAdmin):
    """Operators look at what came in, including unreadable files and invoices to unknown buyers."""

    list_display = ("created_at", "channel", "filename", "status", "receipt_count", "size")
    list_filter = ("status", "channel")
    search_fields = ("sha256", "filename")
    readonly_fields = [f.name for f in InboundDocument._meta.fields]

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


@admin.register(SupplierInvoice)
class SupplierInvoiceAdmin(admin.ModelAdmin):
    list_display = ("created_at", "number", "seller_name", "organisation", "status", "payable_amount")
    list_filter = ("status", "channel")
    search_fields = ("number", "seller_name", "buyer_reference")
    readonly_fields = [f.name for f in SupplierInvoice._meta.fields]

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


@admin.register(InvoiceMessage)
class InvoiceMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "code", "via", "recipient", "status", "valid")
    list_filter = ("status", "code", "via")
    readonly_fields = [f.name for f in InvoiceMessage._meta.fields]


admin.site.register(ReferenceRate)
admin.site.register(SupplierCodingDefault)

from avrop.payables.payments import admin as payments_admin  # noqa: E402, F401  (registers the payment models)
