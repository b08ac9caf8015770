from django.urls import path

from avrop.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("statistics/", views.statistics, name="statistics"),
    path("loyalty/", views.loyalty, name="loyalty"),
    path("spend/", views.spend, name="spend"),
    path("volumes/", views.service_volumes, name="volumes"),
    path("agreements/", views.agreements, name="agreements"),
    path("agreements/<int:pk>/", views.agreement, name="agreement"),
    path("runs/<int:pk>/", views.run, name="run"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("lines/", views.lines, name="lines"),
    path("subscriptions/", views.subscribe, name="subscribe"),
    path("subscriptions/<int:pk>/stop/", views.unsubscribe, name="unsubscribe"),
    path("invoices/", views.invoices, name="invoices"),
    path("volumes/orders/", views.volume_orders, name="volume_orders"),
    path("volumes/invoices/", views.volume_invoices, name="volume_invoices"),
]
