from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "avrop.portal"
    label = "portal"
    verbose_name = _("Supplier portal")

    def ready(self) -> None:
        from avrop.payables import signals
        from avrop.portal.services import invoice_notifications

        signals.invoice_disputed.connect(
            invoice_notifications.on_invoice_disputed, dispatch_uid="portal-disputed"
        )
        signals.invoice_paid.connect(invoice_notifications.on_invoice_paid, dispatch_uid="portal-paid")
