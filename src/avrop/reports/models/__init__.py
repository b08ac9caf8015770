"""The app's models, one module per family; every model is imported here so Django finds it."""

from avrop.reports.models.aggregates import LineMonth, MonthState, OrderMonth
from avrop.reports.models.mailing import Mailing, ReportKind, Subscription
from avrop.reports.models.runs import ReportRun

__all__ = ["LineMonth", "Mailing", "MonthState", "OrderMonth", "ReportKind", "ReportRun", "Subscription"]
