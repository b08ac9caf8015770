from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "avrop.organisations"
    label = "organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from avrop.core import tenancy
        from avrop.organisations.selectors import roles_in

        # Core asks who is a member where; this app answers (decision 0011).
        tenancy.provide_roles_in(roles_in)
