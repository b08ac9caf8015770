from django.contrib import admin

from avrop.agreements.models import Agreement, AgreementDocument, AgreementParty, FollowUpMeeting


class PartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 0


class MeetingInline(admin.StackedInline):
    model = FollowUpMeeting
    extra = 0


class DocumentInline(admin.TabularInline):
    model = AgreementDocument
    extra = 0
    fields = ("title", "kind", "original_name", "size", "sha256", "uploaded_by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("reference", "title", "owner", "supplier", "valid_from", "valid_to")
    list_filter = ("kind", "owner")
    inlines = [PartyInline, DocumentInline, MeetingInline]
