from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from avrop.web import views as web_views
from avrop.web.api import api
from avrop.web.forms import LoginForm

# The ordinary 500 page, or the 503 page while the database cannot be reached (avrop.web.outage).
handler500 = "avrop.web.outage.server_error"

urlpatterns = [
    path("healthz", web_views.healthz, name="healthz"),
    path("api/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("operator/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("password_reset/", web_views.PasswordResetView.as_view(), name="password_reset"),
    path("", include("django.contrib.auth.urls")),
    path("organisations/", include("avrop.organisations.urls")),
    path("suppliers/", include("avrop.suppliers.urls")),
    path("agreements/", include("avrop.agreements.urls")),
    path("catalogue/", include("avrop.catalogue.urls")),
    path("cases/", include("avrop.cases.urls")),
    path("payables/", include("avrop.payables.urls")),
    path("receivables/", include("avrop.receivables.urls")),
    path("ordering/", include("avrop.ordering.urls")),
    path("fulfilment/", include("avrop.fulfilment.urls")),
    path("serviceorders/", include("avrop.serviceorders.urls")),
    path("reports/", include("avrop.reports.urls")),
    path("portal/", include("avrop.portal.urls")),
    path("", include("avrop.web.urls")),
]
