"""System checks: the archive's contact and the alert recipients must be real in production.

OAI-PMH's Identify must name an ``adminEmail`` matching ``\\S+@(\\S+\\.)+\\S+``, and the fixity
job and the package checks mail their alerts to ``ADMINS``: a production site without them
serves an invalid Identify and loses every alert. Production settings set
``CMS_ARCHIVE_CONTACTS_REQUIRED``; elsewhere a missing contact falls back to the demo address,
but a malformed one is still an error.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from cms.archive import conf


@register("archive")
def check_contacts(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    required = bool(getattr(settings, "CMS_ARCHIVE_CONTACTS_REQUIRED", False))
    contacts = conf.configured_contacts()
    admins = conf.admin_addresses()
    if required and not contacts:
        errors.append(
            Error(
                "The archive has no contact address (OAI-PMH Identify adminEmail).",
                hint="Set CMS_ARCHIVE_OAI_ADMIN_EMAILS (comma-separated) or DJANGO_ADMINS.",
                id="archive.E001",
            )
        )
    if required and not admins:
        errors.append(
            Error(
                "ADMINS is empty: the fixity job's and the package checks' alerts reach nobody.",
                hint="Set DJANGO_ADMINS to the addresses that receive alerts (comma-separated).",
                id="archive.E002",
            )
        )
    for email in [*contacts, *admins]:
        if not conf.EMAIL_PATTERN.match(email):
            errors.append(
                Error(
                    f"{email!r} is not an e-mail address OAI-PMH accepts (\\S+@(\\S+\\.)+\\S+).",
                    hint="Use a full address with a dotted domain, e.g. luutru@so.gov.vn.",
                    id="archive.E003",
                )
            )
    return errors
