from django.urls import path

from avrop.web import views

# The shell's URL names (core:home, core:audit_log) are older than this app; templates, redirects,
# LOGIN_REDIRECT_URL and the apps' tests use them, so they stay.
app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_log, name="audit_log"),
]
