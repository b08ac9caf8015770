from django.urls import path

from avrop.agreements import views

app_name = "agreements"
urlpatterns = [
    path("", views.agreements, name="list"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
]
