"""Operator screens for ordering master data: free-text forms per category and each organisation's policy.
Orders themselves change only through the services, so they are not editable here."""

from django.contrib import admin

from avrop.ordering.models import FreeTextForm, OrderingPolicy


@admin.register(FreeTextForm)
class FreeTextFormAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "category", "kind", "account_code", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "category", "organisation__name")


@admin.register(OrderingPolicy)
class OrderingPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "organisation",
        "reapproval_tolerance_percent",
        "price_increase_tolerance_percent",
        "reminder_business_days",
        "escalation_business_days",
        "response_business_days",
    )
