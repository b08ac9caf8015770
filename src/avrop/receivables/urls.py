from django.urls import path

from avrop.receivables import views

app_name = "receivables"
urlpatterns = [
    path("", views.invoice_list, name="invoices"),
    path("invoices/new/", views.invoice_new, name="invoice_new"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/send/", views.invoice_send, name="invoice_send"),
    path("invoices/<int:pk>/credit/", views.invoice_credit, name="invoice_credit"),
    path("invoices/<int:pk>/interest/", views.invoice_interest, name="invoice_interest"),
    path("invoices/<int:pk>/document/", views.invoice_document, name="invoice_document"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("customers/", views.customer_list, name="customers"),
    path("customers/new/", views.customer_new, name="customer_new"),
    path("payments/import/", views.payments_import, name="payments_import"),
    path("payments/files/<int:pk>/", views.payment_file, name="payment_file"),
    path("payments/unmatched/", views.unmatched, name="unmatched"),
    path("payments/<int:pk>/allocate/", views.payment_allocate, name="payment_allocate"),
    path("reminders/", views.reminders, name="reminders"),
    path("reminders/runs/<int:pk>/", views.reminder_run, name="reminder_run"),
    path("reminders/runs/<int:pk>/progress/", views.reminder_run_progress, name="reminder_run_progress"),
    path("customers/<int:pk>/", views.customer_card, name="customer"),
    path("invoices/<int:pk>/credit-part/", views.invoice_credit_partly, name="invoice_credit_partly"),
    path("invoices/<int:pk>/doubtful/", views.invoice_doubtful, name="invoice_doubtful"),
    path("aging/", views.aging_report, name="aging"),
    path("collection/", views.collection, name="collection"),
    path("collection/<int:pk>/file/", views.collection_file, name="collection_file"),
    path("refunds/", views.refunds, name="refunds"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/exports/<int:pk>/", views.ledger_export_file, name="ledger_export"),
    path("ledger/reconciliation/", views.reconciliation_view, name="reconciliation"),
]
