from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from avrop.organisations.models import (
    Account,
    ApprovalDelegation,
    ApprovalLimit,
    Chart,
    DeliveryAddress,
    Department,
    DepartmentRequest,
    DimensionObject,
    ImportJob,
    Membership,
    Organisation,
    User,
)

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


# Master data is changed through the pages (services with audit); the operator console only looks.
class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201, ARG002
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201, ARG002
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201, ARG002
        return False


@admin.register(Chart)
class ChartAdmin(ReadOnlyAdmin):
    list_display = ("name", "owner", "is_shared")


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ("number", "name", "chart", "kind", "valid_from", "valid_to", "is_active")
    list_filter = ("chart",)
    search_fields = ("number", "name")


@admin.register(DimensionObject)
class DimensionObjectAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "dimension", "organisation", "valid_from", "valid_to", "is_active")
    list_filter = ("dimension__chart", "dimension")
    search_fields = ("code", "name")


@admin.register(ApprovalLimit)
class ApprovalLimitAdmin(ReadOnlyAdmin):
    list_display = (
        "approver",
        "organisation",
        "document_kind",
        "amount_limit",
        "all_cost_centres",
        "is_active",
    )
    list_filter = ("organisation", "document_kind")


@admin.register(ApprovalDelegation)
class ApprovalDelegationAdmin(ReadOnlyAdmin):
    list_display = ("deputy", "principal", "organisation", "valid_from", "valid_to", "is_active")


@admin.register(DepartmentRequest)
class DepartmentRequestAdmin(ReadOnlyAdmin):
    list_display = ("name", "organisation", "status", "requested_by", "requested_at")
    list_filter = ("organisation", "status")


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("filename", "kind", "organisation", "status", "error_count", "created_at")
    list_filter = ("kind", "status")
    exclude = ("content",)
