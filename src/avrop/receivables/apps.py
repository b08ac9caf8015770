from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceivablesConfig(AppConfig):
    name = "avrop.receivables"
    label = "receivables"
    verbose_name = _("Customer invoices")

    def ready(self) -> None:
        from avrop.receivables import outbox

        outbox.register()
