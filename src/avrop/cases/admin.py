from django.contrib import admin

from avrop.cases.models import Case, CaseMessage, CaseStep


class StepInline(admin.TabularInline):
    model = CaseStep
    extra = 0


class MessageInline(admin.TabularInline):
    model = CaseMessage
    extra = 0


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("pk", "subject", "organisation", "case_type", "status", "requester")
    list_filter = ("status", "case_type", "organisation")
    inlines = [StepInline, MessageInline]
