from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The web shell: start page, audit trail page, login and password reset, the JSON API's wiring and the
    demo loader. It puts the bounded contexts together, so it may import every app and no app imports it."""

    name = "avrop.web"
    label = "web"
    verbose_name = _("Web")
