from django.contrib import admin

from avrop.agreements.models import Agreement, AgreementParty


class PartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("reference", "title", "owner", "supplier", "valid_from", "valid_to")
    list_filter = ("kind", "owner")
    inlines = [PartyInline]
