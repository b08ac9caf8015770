from django.contrib.admin.apps import AdminConfig


class OperatorAdminConfig(AdminConfig):
    """django.contrib.admin with the operators' console as its default site (every change audited)."""

    default_site = "avrop.core.admin_audit.OperatorSite"
