from django.urls import path

from avrop.payables.scanning import views

urlpatterns = [
    path("<int:pk>/pdf-reading/", views.pdf_reading, name="pdf_reading"),
    path("<int:pk>/pdf-reading/again/", views.pdf_reading_retry, name="pdf_reading_retry"),
]
