from django.contrib import admin
from django.http import HttpRequest

from avrop.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: operators may look, nobody may change history."""

    list_display = ("occurred_at", "actor_name", "organisation", "action", "object_repr", "request_id")
    list_filter = ("action",)
    search_fields = ("actor_name", "object_repr", "request_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
