from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceOrdersConfig(AppConfig):
    name = "avrop.serviceorders"
    label = "serviceorders"
    verbose_name = _("Service-partner orders")
