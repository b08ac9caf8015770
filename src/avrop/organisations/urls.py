from django.urls import path

from avrop.organisations import views

app_name = "organisations"
urlpatterns = [
    path("switch/", views.switch_organisation, name="switch"),
    path("departments/", views.departments, name="departments"),
    path("departments/<int:pk>/", views.department_detail, name="department_detail"),
]
