"""State-changing actions of the organisations app, one module per family; each writes an audit event.

The names below are the public surface; other apps import them from ``avrop.organisations.services``.
"""

from avrop.organisations.services.approval import (
    approval_limit_create,
    approval_limit_end,
    approval_limit_update,
    delegation_create,
    delegation_end,
)
from avrop.organisations.services.chart import (
    account_save,
    chart_bulk_upsert,
    chart_create,
    chart_use,
    dimension_create,
    dimension_object_save,
)
from avrop.organisations.services.departments import (
    delivery_address_update,
    department_request_approve,
    department_request_assign_gln,
    department_request_cancel,
    department_request_complete,
    department_request_customer_number,
    department_request_notify_suppliers,
    department_request_reject,
    department_request_steps_answer,
    department_request_submit,
    department_update,
)
from avrop.organisations.services.imports import (
    import_job_create,
    import_job_import_valid_rows,
    import_job_run,
)
from avrop.organisations.services.people import (
    member_add,
    member_move,
    member_role_grant,
    membership_end,
    user_deactivate,
)
from avrop.organisations.services.tenancy import (
    delivery_address_create,
    department_create,
    membership_grant,
    organisation_create,
    user_create,
)

__all__ = [
    "account_save",
    "approval_limit_create",
    "approval_limit_end",
    "approval_limit_update",
    "chart_bulk_upsert",
    "chart_create",
    "chart_use",
    "delegation_create",
    "delegation_end",
    "delivery_address_create",
    "delivery_address_update",
    "department_create",
    "department_request_approve",
    "department_request_assign_gln",
    "department_request_cancel",
    "department_request_complete",
    "department_request_customer_number",
    "department_request_steps_answer",
    "department_request_notify_suppliers",
    "department_request_reject",
    "department_request_submit",
    "department_update",
    "dimension_create",
    "dimension_object_save",
    "import_job_create",
    "import_job_import_valid_rows",
    "import_job_run",
    "member_add",
    "member_move",
    "member_role_grant",
    "membership_end",
    "membership_grant",
    "organisation_create",
    "user_create",
    "user_deactivate",
]
