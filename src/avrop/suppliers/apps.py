from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    name = "avrop.suppliers"
    label = "suppliers"
    verbose_name = _("Suppliers")

    def ready(self) -> None:
        from avrop.organisations import supplier_directory
        from avrop.suppliers.directory import SupplierDirectory

        # Organisations declares what it needs from its suppliers; this app provides it (decision 0011).
        supplier_directory.provide(SupplierDirectory())
