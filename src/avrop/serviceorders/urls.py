from django.urls import path

from avrop.serviceorders import views

app_name = "serviceorders"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/accept/", views.accept, name="accept"),
    path("orders/<int:pk>/check/", views.check, name="check"),
    path("orders/<int:pk>/requirements-met/", views.requirements_met, name="requirements_met"),
    path("orders/<int:pk>/appointment/", views.appointment, name="appointment"),
    path("orders/<int:pk>/execute/", views.execute, name="execute"),
    path("orders/<int:pk>/ship/", views.ship, name="ship"),
    path("orders/<int:pk>/paid/", views.paid, name="paid"),
    path("orders/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("billing/", views.billing, name="billing"),
    path("statements/", views.statement_list, name="statements"),
    path("statements/<int:pk>/", views.statement_detail, name="statement"),
    path("statements/<int:pk>/invoice/", views.statement_invoice, name="statement_invoice"),
    path("statements/<int:pk>/pdf/", views.statement_pdf, name="statement_pdf"),
    path("sla/", views.sla, name="sla"),
    path("supplier/", views.supplier_orders, name="supplier_orders"),
    path("supplier/new/", views.supplier_new, name="supplier_new"),
]
