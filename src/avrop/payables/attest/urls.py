"""Attest routes, part of the ``payables`` namespace (included by ``payables/urls.py``)."""

from django.urls import path

from avrop.payables.attest import views

urlpatterns = [
    path("<int:pk>/hold/", views.hold, name="hold"),
    path("<int:pk>/release/", views.release, name="release"),
    path("<int:pk>/dispute/", views.dispute, name="dispute"),
    path("<int:pk>/recode/", views.recode, name="recode"),
    path("<int:pk>/periodise/", views.periodise, name="periodise"),
]
