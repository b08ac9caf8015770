from django.contrib import admin

from avrop.suppliers.models import BankAccount, CustomerNumber, PortalInvitation, Supplier, SupplierContact


class ContactInline(admin.TabularInline):
    model = SupplierContact
    extra = 0


class CustomerNumberInline(admin.TabularInline):
    model = CustomerNumber
    extra = 0


class BankAccountInline(admin.TabularInline):
    """Read-only here: bank details change only through the audited service with its second-person check."""

    model = BankAccount
    extra = 0
    can_delete = False
    fields = ("kind", "number", "bic", "status", "registered_by", "verified_by", "verified_at", "retired_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("organisation", "buyer", "connection", "is_active")
    list_filter = ("connection", "buyer")
    inlines = [ContactInline, CustomerNumberInline, BankAccountInline]


@admin.register(PortalInvitation)
class PortalInvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "supplier", "status", "expires_at", "accepted_by")
    list_filter = ("status",)
    readonly_fields = ("token_hash",)
