from django.urls import path

from avrop.agreements import views

app_name = "agreements"
urlpatterns = [
    path("", views.agreements, name="list"),
    path("expiring/", views.expiring, name="expiring"),
    path("new/", views.agreement_new, name="new"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
    path("<int:pk>/edit/", views.agreement_edit, name="edit"),
    path("<int:pk>/parties/", views.parties_edit, name="parties"),
    path("parties/<int:pk>/departments/", views.party_restrict, name="party_restrict"),
    path("<int:pk>/introduction/", views.introduction_plan, name="introduction"),
    path("<int:pk>/documents/new/", views.document_add, name="document_add"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("<int:pk>/meetings/new/", views.meeting_add, name="meeting_add"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
]
