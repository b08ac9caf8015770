from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceOrdersConfig(AppConfig):
    name = "avrop.serviceorders"
    label = "serviceorders"
    verbose_name = _("Service-partner orders")

    def ready(self) -> None:
        # Fulfilment never imports serviceorders: it tells this app about despatches through its registry.
        from avrop.fulfilment import despatch_listeners
        from avrop.serviceorders import services

        despatch_listeners.register(services.service_orders_goods_despatched)
