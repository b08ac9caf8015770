"""Subscription routes, part of the ``payables`` namespace (included by ``payables/urls.py``)."""

from django.urls import path

from avrop.payables.subscriptions import views

urlpatterns = [
    path("subscriptions/", views.subscription_list, name="subscriptions"),
    path("subscriptions/new/", views.subscription_edit, name="subscription_new"),
    path("subscriptions/<int:pk>/", views.subscription_detail, name="subscription"),
    path("subscriptions/<int:pk>/edit/", views.subscription_edit, name="subscription_edit"),
]
