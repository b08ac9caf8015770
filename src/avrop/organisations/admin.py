from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from avrop.organisations.models import DeliveryAddress, Department, Membership, Organisation, User

admin.site.register(User, UserAdmin)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "org_number", "peppol_id", "is_active")
    list_filter = ("kind", "country")
    search_fields = ("name", "org_number")


class DeliveryAddressInline(admin.TabularInline):
    model = DeliveryAddress
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "gln", "town")
    list_filter = ("organisation",)
    inlines = [DeliveryAddressInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "department", "is_active")
    list_filter = ("role", "organisation")
