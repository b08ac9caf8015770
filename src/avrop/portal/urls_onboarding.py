"""Portal onboarding routes: customers, departments and customer numbers, contacts, notifications, bank."""

from django.urls import path

from avrop.portal.views import onboarding

urlpatterns = [
    path("customers/", onboarding.customers, name="customers"),
    path("customers/<int:pk>/", onboarding.customer, name="customer"),
    path("customers/<int:pk>/customer-numbers/", onboarding.customer_numbers, name="customer_numbers"),
    path("customers/<int:pk>/contacts/new/", onboarding.contact_add, name="customer_contact_add"),
    path("customers/<int:pk>/notifications/", onboarding.notifications, name="customer_notifications"),
    path("contacts/<int:pk>/edit/", onboarding.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/remove/", onboarding.contact_remove, name="contact_remove"),
    path("bank-details/", onboarding.bank_details, name="bank_details"),
    path("bank-details/new/", onboarding.bank_change_propose, name="bank_change_propose"),
    path("bank-details/<int:pk>/confirm/", onboarding.bank_change_confirm, name="bank_change_confirm"),
    path("bank-details/<int:pk>/withdraw/", onboarding.bank_change_withdraw, name="bank_change_withdraw"),
]
