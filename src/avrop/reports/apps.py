from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "avrop.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # Registers the outbox transport of reports sent by e-mail.
        from avrop.reports import aggregates, mailing  # noqa: F401

        # Marks a closed month's pre-aggregates stale when one of its orders changes.
        aggregates.connect()
