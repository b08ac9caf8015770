from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayablesConfig(AppConfig):
    name = "avrop.payables"
    label = "payables"
    verbose_name = _("Supplier invoices")

    def ready(self) -> None:
        from avrop.payables import outbox

        outbox.register()
