"""Payables tasks: poll the access point, remind reviewers. Ids in, idempotent. (Invoice responses go out
through the core outbox: ``avrop.payables.outbox``.)"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(minute="*"))
def peppol_intake_poll() -> int:
    """Take in what the access point delivered. Several workers may run this at once: files are claimed."""
    from avrop.payables.services import intake_poll

    return intake_poll(max_seconds=50).processed


@db_periodic_task(crontab(minute="*/5"))
def inbound_documents_sweep() -> int:
    """Process documents left "received" by a killed worker or web process (each poll sweeps as well)."""
    from avrop.payables.services.intake import inbound_documents_sweep as sweep

    return sweep().swept


@db_periodic_task(crontab(hour="7", minute="15"))
def review_reminders_send() -> int:
    """Remind reviewers (and later their managers) of invoices waiting past the configured business days."""
    from avrop.payables.services.reminders import reminders_send

    return reminders_send()


@db_task()
def payment_proposal_build_task(proposal_id: int) -> int:
    """Build a payment proposal (progress on the proposal, shown on its page). A built one is left alone."""
    from avrop.payables.payments.services import proposal_build

    return proposal_build(proposal_id=proposal_id).line_count


@db_task()
def invoices_touchless_task(invoice_ids: list[int]) -> int:
    """Move matched invoices on by the organisation's rule (after intake has committed them)."""
    from avrop.payables.attest.services import disputes_resolve_by_credit
    from avrop.payables.matching.touchless import invoices_touchless
    from avrop.payables.subscriptions.services import invoices_by_subscription

    disputes_resolve_by_credit(invoice_ids=invoice_ids)
    moved = invoices_touchless(invoice_ids=invoice_ids)
    return moved + invoices_by_subscription(invoice_ids=invoice_ids)


@db_periodic_task(crontab(day="1", hour="6", minute="30"))
def post_check_monthly() -> int:
    """Draw last month's post-check sample for every organisation (the page can draw any period as well)."""
    from avrop.payables.postcheck.services import post_check_draw_last_month

    return post_check_draw_last_month()


@db_periodic_task(crontab(minute="*"))
def subscriptions_match() -> int:
    """Match new invoices that name no order to their suppliers' subscriptions (approved by the rule inside
    the tolerance, else to the subscription's attestant)."""
    from avrop.payables.subscriptions.services import subscriptions_sweep

    return subscriptions_sweep()


@db_periodic_task(crontab(hour="6", minute="45"))
def subscriptions_missing() -> int:
    """Flag every subscription period that ended without its invoice (shown on the AP start page)."""
    from avrop.payables.subscriptions.services import subscriptions_flag_missing

    return subscriptions_flag_missing()
