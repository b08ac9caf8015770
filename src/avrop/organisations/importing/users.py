"""Validate rows of a user import: every problem is reported with its row and column."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _

from avrop.organisations.importing.tabular import RowError, Table
from avrop.organisations.models import Department, Membership, Organisation, User
from avrop.organisations.roles import Role
from avrop.organisations.services.tenancy import _roles_for

ALIASES = {
    "username": ["användarnamn", "anvandarnamn", "user name", "login", "användare"],
    "first_name": ["förnamn", "fornamn", "first name", "given name"],
    "last_name": ["efternamn", "last name", "surname", "family name"],
    "email": ["e-post", "epost", "e-mail", "mail", "e post"],
    "phone": ["telefon", "tel", "mobil", "phone number"],
    "role": ["roll", "behörighet"],
    "department": ["avdelning", "avdelningskod", "beställningsavdelning", "department code"],
}
REQUIRED = ["username", "first_name", "last_name", "email", "role"]


@dataclass(frozen=True)
class UserRow:
    row: int
    username: str
    first_name: str
    last_name: str
    email: str
    phone: str
    role: str
    department_id: int | None
    existing_user_id: int | None


def role_lookup() -> dict[str, str]:
    """Role by its code, its English or its Swedish name, in lower case."""
    lookup: dict[str, str] = {}
    for role in Role:
        lookup[role.value] = role.value
        for language in ("en", "sv"):
            with translation.override(language):
                lookup[str(role.label).lower()] = role.value
    lookup.update(
        {
            "beställare": Role.REQUISITIONER,
            "attestant": Role.APPROVER,
            "varumottagare": Role.GOODS_RECEIVER,
            "e-handelssamordnare": Role.COORDINATOR,
            "upphandlare": Role.PROCUREMENT_OFFICER,
            "ekonom": Role.AP_CLERK,
            "revisor": Role.AUDITOR,
            "systemförvaltare": Role.ADMIN,
        }
    )
    return lookup


def validate_user_rows(
    organisation: Organisation, table: Table, progress: Callable[[int], None] | None = None
) -> tuple[list[UserRow], list[RowError]]:
    """Check every row against the file and the database with a fixed number of queries."""
    roles = role_lookup()
    allowed = _roles_for(organisation.kind)
    departments: dict[str, int] = {}
    for pk, name, code, gln in Department.objects.filter(
        organisation=organisation, is_active=True
    ).values_list("pk", "name", "code", "gln"):
        for key in (name, code, gln):
            if key:
                departments[key.lower()] = pk
    usernames = {values.get("username", "").strip().lower() for _row, values in table.rows}
    # User names are compared case-insensitively, as the login does.
    existing = {
        u.username.lower(): u
        for u in User.objects.annotate(lowered=Lower("username")).filter(
            lowered__in=[u for u in usernames if u]
        )
    }
    members = set(
        Membership.objects.filter(
            organisation=organisation, user__in=[u.pk for u in existing.values()]
        ).values_list("user_id", flat=True)
    )
    active_roles = set(
        Membership.objects.filter(
            organisation=organisation, is_active=True, user__in=[u.pk for u in existing.values()]
        ).values_list("user_id", "role")
    )
    username_validator = UnicodeUsernameValidator()
    seen: dict[str, int] = {}
    valid: list[UserRow] = []
    errors: list[RowError] = []
    for index, (number, values) in enumerate(table.rows):
        if progress is not None and index % 500 == 0:
            progress(index)
        row_errors: list[RowError] = []
        for column in REQUIRED:
            if not values.get(column, "").strip():
                row_errors.append(RowError(number, column, _("This column is required.")))
        username = values.get("username", "").strip()
        email = values.get("email", "").strip()
        if username:
            try:
                username_validator(username)
                if len(username) > 150:
                    raise ValidationError("")
            except ValidationError:
                row_errors.append(
                    RowError(
                        number,
                        "username",
                        _(
                            "A user name may contain letters, digits and @ . + - _ only, "
                            "at most 150 characters."
                        ),
                        username,
                    )
                )
            if username.lower() in seen:
                row_errors.append(
                    RowError(
                        number,
                        "username",
                        _("The user name also appears in row %(row)s.") % {"row": seen[username.lower()]},
                        username,
                    )
                )
            else:
                seen[username.lower()] = number
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row_errors.append(RowError(number, "email", _("This is not an e-mail address."), email))
        role_text = values.get("role", "").strip()
        role = roles.get(role_text.lower(), "")
        if role_text and not role:
            row_errors.append(
                RowError(
                    number,
                    "role",
                    _("Unknown role. Use e.g. requisitioner, approver, goods_receiver, coordinator."),
                    role_text,
                )
            )
        elif role and role not in allowed:
            row_errors.append(
                RowError(
                    number, "role", _("This role does not exist in this kind of organisation."), role_text
                )
            )
        department_text = values.get("department", "").strip()
        department_id = departments.get(department_text.lower()) if department_text else None
        if department_text and department_id is None:
            row_errors.append(
                RowError(
                    number,
                    "department",
                    _("No active department with this name, code or GLN."),
                    department_text,
                )
            )
        user = existing.get(username.lower()) if username else None
        if user is not None and user.pk not in members:
            row_errors.append(
                RowError(
                    number,
                    "username",
                    _("This user name is taken by someone outside your organisation."),
                    username,
                )
            )
        elif user is not None and (user.pk, role) in active_roles:
            row_errors.append(
                RowError(number, "role", _("%(user)s already has this role.") % {"user": username}, role_text)
            )
        if row_errors:
            errors.extend(row_errors)
            continue
        valid.append(
            UserRow(
                row=number,
                username=username,
                first_name=values["first_name"].strip(),
                last_name=values["last_name"].strip(),
                email=email,
                phone=values.get("phone", "").strip(),
                role=role,
                department_id=department_id,
                existing_user_id=user.pk if user is not None else None,
            )
        )
    return valid, errors
