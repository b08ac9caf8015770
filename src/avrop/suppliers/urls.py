from django.urls import path

from avrop.suppliers import views

app_name = "suppliers"
urlpatterns = [
    path("", views.suppliers, name="list"),
    path("new/", views.supplier_new, name="new"),
    path("contacts/", views.contacts, name="contacts"),
    path("<int:pk>/", views.supplier_detail, name="detail"),
    path("<int:pk>/edit/", views.supplier_edit, name="edit"),
    path("<int:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/remove/", views.contact_remove, name="contact_remove"),
    path("<int:pk>/customer-numbers/", views.customer_numbers, name="customer_numbers"),
    path("<int:pk>/bank-accounts/new/", views.bank_account_add, name="bank_account_add"),
    path("bank-accounts/<int:pk>/verify/", views.bank_account_verify, name="bank_account_verify"),
    path("bank-accounts/<int:pk>/retire/", views.bank_account_retire, name="bank_account_retire"),
    path("<int:pk>/invitations/new/", views.invitation_send, name="invitation_send"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitation/<str:key>/", views.invitation_accept, name="invitation_accept"),
]
