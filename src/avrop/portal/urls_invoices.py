"""Routes of the portal's invoice pages (included by ``avrop.portal.urls``)."""

from django.urls import path

from avrop.portal.views import disputes, invoices

urlpatterns = [
    path("invoices/", invoices.invoice_list, name="invoices"),
    path("invoices/new/", invoices.invoice_new, name="invoice_new"),
    path("invoices/orders/", invoices.orders_to_invoice, name="invoice_orders"),
    path("invoices/orders/<int:pk>/invoice/", invoices.invoice_from_order, name="invoice_from_order"),
    path("invoices/<int:pk>/", invoices.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/pdf/", invoices.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/credit/", invoices.invoice_credit, name="invoice_credit"),
    path("invoices/<int:pk>/answer/", disputes.dispute_answer, name="invoice_answer"),
    path("invoices/drafts/<int:pk>/", invoices.invoice_draft, name="invoice_draft"),
    path("invoices/drafts/<int:pk>/pdf/", invoices.invoice_draft_pdf, name="invoice_draft_pdf"),
    path("invoices/drafts/<int:pk>/xml/", invoices.invoice_draft_xml, name="invoice_draft_xml"),
]
