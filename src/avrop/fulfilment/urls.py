from django.urls import path

from avrop.fulfilment import views

app_name = "fulfilment"
urlpatterns = [
    path("deliveries/", views.deliveries, name="deliveries"),
    path("orders/<int:pk>/receive/", views.receive, name="receive"),
    path("orders/<int:pk>/despatch/", views.despatch, name="despatch"),
    path("orders/<int:pk>/attempt/", views.attempt, name="attempt"),
    path("orders/<int:pk>/supplier-attempt/", views.supplier_attempt, name="supplier_attempt"),
    path("orders/<int:pk>/tasks/<str:kind>/", views.task, name="task"),
    path("orders/<int:pk>/supplier-certificate/", views.supplier_certificate, name="supplier_certificate"),
    path("orders/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("orders/<int:pk>/machines/", views.machine_register, name="machine_register"),
    path("machines/", views.machines, name="machines"),
    path("centres/", views.centres, name="centres"),
    path("centres/<int:pk>/", views.centre, name="centre"),
    path("centres/register/", views.centre_register, name="centre_register"),
    path("centres/register/new/", views.centre_edit, name="centre_new"),
    path("centres/register/<int:pk>/", views.centre_edit, name="centre_edit"),
    path("supplier/machines/", views.supplier_machines, name="supplier_machines"),
]
