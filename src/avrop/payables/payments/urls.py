"""Payment and accounting routes, part of the ``payables`` namespace (included by ``payables/urls.py``)."""

from django.urls import path

from avrop.payables.payments import views

urlpatterns = [
    path("payments/", views.payments, name="payments"),
    path("payments/new/", views.proposal_start, name="payment_start"),
    path("payments/<int:pk>/", views.proposal_detail, name="payment_proposal"),
    path("payments/<int:pk>/approve/", views.proposal_approve, name="payment_approve"),
    path("payments/<int:pk>/release/", views.proposal_release, name="payment_release"),
    path("payments/<int:pk>/cancel/", views.proposal_cancel, name="payment_cancel"),
    path("payments/<int:pk>/file/", views.payment_file, name="payment_file"),
    path("payments/express/<int:invoice_pk>/", views.express, name="payment_express"),
    path("payments/feedback/", views.feedback, name="payment_feedback"),
    path("payments/settings/", views.payment_settings, name="payment_settings"),
    path("accounting/", views.exports, name="accounting"),
    path("accounting/<int:pk>/", views.export_download, name="accounting_download"),
]
