from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfilmentConfig(AppConfig):
    name = "avrop.fulfilment"
    label = "fulfilment"
    verbose_name = _("Deliveries")

    def ready(self) -> None:
        # Ordering never imports fulfilment: fulfilment hands it its T16 intake, its order-page part
        # and the routing of orders through a distribution centre.
        from avrop.fulfilment import views
        from avrop.fulfilment.services import despatch, distribution
        from avrop.ordering import delivery_routes, inbound, page_parts

        inbound.register("DespatchAdvice", despatch.despatch_advices_intake)
        page_parts.register(views.order_part, position=50)
        delivery_routes.register(distribution.route_orders)
