from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrderingConfig(AppConfig):
    name = "avrop.ordering"
    label = "ordering"
    verbose_name = _("Ordering")

    def ready(self) -> None:
        from avrop.ordering import outbox

        outbox.register()
