"""The payables app's access point: the adapter ``PAYABLES_ACCESS_POINT`` names, else the folder.

The interface and the file adapter live in ``avrop.core.transport.access_point`` (shared with ordering);
they are re-exported here so that existing imports keep working.
"""

from __future__ import annotations

from avrop.core.transport.access_point import HEARTBEAT, AccessPoint, FileAccessPoint, InboundFile

__all__ = ["HEARTBEAT", "AccessPoint", "FileAccessPoint", "InboundFile", "default_access_point"]


def default_access_point() -> AccessPoint:
    """The configured adapter: ``PAYABLES_ACCESS_POINT`` is a dotted path to a factory, else the folder."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    from avrop.payables import conf

    factory = getattr(settings, "PAYABLES_ACCESS_POINT", None)
    if factory:
        return import_string(factory)()
    return FileAccessPoint(conf.peppol_dir(), claim_timeout=conf.claim_timeout_seconds())
