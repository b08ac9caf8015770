from django.contrib import admin

from avrop.suppliers.models import CustomerNumber, Supplier, SupplierContact


class ContactInline(admin.TabularInline):
    model = SupplierContact
    extra = 0


class CustomerNumberInline(admin.TabularInline):
    model = CustomerNumber
    extra = 0


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("organisation", "buyer", "connection", "is_active")
    list_filter = ("connection", "buyer")
    inlines = [ContactInline, CustomerNumberInline]
