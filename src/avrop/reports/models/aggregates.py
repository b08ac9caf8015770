"""Monthly pre-aggregates of the counted order lines and orders for closed months (decision 0017).

``LineMonth`` holds, per buyer organisation and calendar month, the counted order lines summed at the finest
grain any report groups or filters by; ``OrderMonth`` the counted orders per delivery address. ``MonthState``
says which (organisation, month) pairs are built and still valid: only a built, non-stale month is read from
the tables; every other day of a period (the open month, partial months at the edges of the period, stale
and never-built months) is read from the lines. The tables are filled set-based by
``reports.aggregates.build`` (``INSERT … SELECT … GROUP BY`` in ``reports/queries.py``).
"""

from __future__ import annotations

from django.db import models


class MonthState(models.Model):
    """One built organisation-month. ``stale`` is set when a counted order, order line or requisition line of
    that month is saved or deleted after the build (``reports.aggregates``' signal handlers); the next build
    of stale months clears it. Builders lock this row, so a change that commits during a build marks the
    month stale after it."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    stale = models.BooleanField(default=False)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="reports_monthstate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month:%Y-%m}{' (stale)' if self.stale else ''}"


class LineMonth(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()
    department_id = models.BigIntegerField(null=True)
    supplier_org_id = models.BigIntegerField(null=True)
    category = models.CharField(max_length=120, blank=True)
    how = models.CharField(max_length=20)
    reason = models.TextField(blank=True)
    article_number = models.CharField(max_length=60, blank=True)
    name = models.CharField(max_length=300)
    unit = models.CharField(max_length=3)
    quantity = models.DecimalField(max_digits=18, decimal_places=3)
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    lines = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "month"], name="reports_linemonth_org_month")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month:%Y-%m} {self.article_number}"


class OrderMonth(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()
    department_id = models.BigIntegerField(null=True)
    supplier_org_id = models.BigIntegerField(null=True)
    delivery_address_id = models.BigIntegerField(null=True)
    orders = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "month"], name="reports_ordermonth_org_month")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month:%Y-%m} {self.orders}"
