from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfilmentConfig(AppConfig):
    name = "avrop.fulfilment"
    label = "fulfilment"
    verbose_name = _("Deliveries")

    def ready(self) -> None:
        # Ordering never imports fulfilment: fulfilment hands it its T16 intake, its order-page part,
        # what the cart shows (machines to pick, delivery days) and the routing of orders through a
        # distribution centre.
        from avrop.fulfilment import selectors_cart, views
        from avrop.fulfilment.services import despatch, distribution
        from avrop.ordering import cart_parts, delivery_routes, inbound, page_parts

        inbound.register("DespatchAdvice", despatch.despatch_advices_intake)
        page_parts.register(views.order_part, position=50)
        delivery_routes.register(distribution.route_orders)
        cart_parts.register_machines(selectors_cart.cart_machines)
        cart_parts.register_delivery_days(selectors_cart.cart_delivery_days)
