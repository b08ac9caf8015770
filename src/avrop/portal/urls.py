"""The supplier portal under /portal/. Each area keeps its routes in its own module (``urls_<area>.py``)."""

from importlib import import_module

from django.urls import path

from avrop.portal.views import start

app_name = "portal"
urlpatterns = [path("", start.start, name="start")]

for _area in ("onboarding", "orders", "invoices", "catalogue"):
    try:
        _module = import_module(f"avrop.portal.urls_{_area}")
    except ModuleNotFoundError as exc:
        if exc.name != f"avrop.portal.urls_{_area}":
            raise
        continue
    urlpatterns += _module.urlpatterns
