from django.urls import path

from avrop.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.cases, name="list"),
    path("new/", views.case_new, name="new"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/steps/<int:position>/", views.case_step, name="step"),
    path("<int:pk>/<slug:action>/", views.case_action, name="action"),
]
