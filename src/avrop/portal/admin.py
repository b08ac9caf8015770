from django.contrib import admin

from avrop.portal.models import InvoiceDraft


@admin.register(InvoiceDraft)
class InvoiceDraftAdmin(admin.ModelAdmin):
    """Operators may read a supplier's drafts when helping by phone; suppliers edit them in the portal."""

    list_display = ("updated_at", "organisation", "relation", "kind", "number", "status")
    list_filter = ("status", "kind")
    search_fields = ("number", "organisation__name", "order_reference")
    readonly_fields = [f.name for f in InvoiceDraft._meta.fields]

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False
