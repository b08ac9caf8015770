from django.urls import path

from avrop.suppliers import views

app_name = "suppliers"
urlpatterns = [
    path("", views.suppliers, name="list"),
    path("<int:pk>/", views.supplier_detail, name="detail"),
]
