from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FulfilmentConfig(AppConfig):
    name = "avrop.fulfilment"
    label = "fulfilment"
    verbose_name = _("Deliveries")

    def ready(self) -> None:
        # Ordering never imports fulfilment: fulfilment hands it its T16 intake and its order-page part.
        from avrop.fulfilment import views
        from avrop.fulfilment.services import despatch
        from avrop.ordering import inbound, page_parts

        inbound.register("DespatchAdvice", despatch.despatch_advices_intake)
        page_parts.register(views.order_part, position=50)
