"""Validate rows of an accounts / dimension objects file (CSV or XLSX).

Columns: ``type`` (``account``/``konto`` or a dimension key, number or name such as ``cost_centre``,
``kostnadsställe``, ``projekt``), ``code``, ``name``, optional ``valid_from``, ``valid_to`` and
``account_type``
(T, S, K, I).
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from avrop.organisations.importing.tabular import RowError, Table, parse_date
from avrop.organisations.models import Dimension
from avrop.organisations.services.chart import AccountRow, ObjectRow

ALIASES = {
    "type": ["typ", "kind", "dimension", "slag"],
    "code": ["kod", "nummer", "number", "konto", "kontonr", "id"],
    "name": ["namn", "benämning", "benamning", "description"],
    "valid_from": ["giltig från", "giltig fran", "från", "from", "start"],
    "valid_to": ["giltig till", "till", "to", "end", "slut"],
    "account_type": ["kontotyp", "ktyp"],
}
REQUIRED = ["type", "code", "name"]
ACCOUNT_WORDS = {"account", "konto", "k"}


def validate_chart_rows(
    table: Table, dimensions: list[Dimension], *, owner: bool, progress: Callable[[int], None] | None = None
) -> tuple[list[AccountRow], list[ObjectRow], list[RowError]]:
    by_word: dict[str, Dimension] = {}
    for known in dimensions:
        for word in (known.code, str(known.number), known.name, known.get_kind_display()):
            by_word[str(word).lower()] = known
    accounts: list[AccountRow] = []
    objects: list[ObjectRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    for index, (number, values) in enumerate(table.rows):
        if progress is not None and index % 500 == 0:
            progress(index)
        row_errors: list[RowError] = []
        for column in REQUIRED:
            if not values.get(column, "").strip():
                row_errors.append(RowError(number, column, _("This column is required.")))
        kind_text = values.get("type", "").strip()
        code = values.get("code", "").strip()
        name = values.get("name", "").strip()
        is_account = kind_text.lower() in ACCOUNT_WORDS
        dimension = None if is_account else by_word.get(kind_text.lower())
        if kind_text and not is_account and dimension is None:
            row_errors.append(
                RowError(
                    number,
                    "type",
                    _("Neither account nor a dimension of the chart (%(known)s).")
                    % {"known": ", ".join(sorted(d.code for d in dimensions)) or "–"},
                    kind_text,
                )
            )
        if is_account and not owner:
            row_errors.append(
                RowError(number, "type", _("Accounts of a shared chart are kept by its owner."), kind_text)
            )
        if is_account and code and not code.isdigit():
            row_errors.append(RowError(number, "code", _("The account number must be digits only."), code))
        if len(code) > 40:
            row_errors.append(RowError(number, "code", _("At most 40 characters."), code))
        if len(name) > 200:
            row_errors.append(RowError(number, "name", _("At most 200 characters."), name))
        dates = {}
        for column in ("valid_from", "valid_to"):
            try:
                dates[column] = parse_date(values.get(column, ""))
            except ValueError:
                row_errors.append(
                    RowError(number, column, _("Write the date as YYYY-MM-DD."), values[column])
                )
                dates[column] = None
        if dates["valid_from"] and dates["valid_to"] and dates["valid_to"] < dates["valid_from"]:
            row_errors.append(
                RowError(
                    number,
                    "valid_to",
                    _("The end date is before the start date (dates out of order)."),
                    values.get("valid_to", ""),
                )
            )
        account_type = values.get("account_type", "").strip().upper()
        if account_type and account_type not in {"T", "S", "K", "I"}:
            row_errors.append(
                RowError(number, "account_type", _("The account type must be T, S, K or I."), account_type)
            )
        key = ("account" if is_account else str(dimension.pk if dimension else kind_text), code)
        if code and key in seen:
            row_errors.append(
                RowError(
                    number,
                    "code",
                    _("%(code)s also appears in row %(row)s.") % {"code": code, "row": seen[key]},
                    code,
                )
            )
        elif code:
            seen[key] = number
        if row_errors:
            errors.extend(row_errors)
        elif is_account:
            accounts.append(
                AccountRow(
                    number=code,
                    name=name,
                    kind=account_type,
                    valid_from=dates["valid_from"],
                    valid_to=dates["valid_to"],
                )
            )
        else:
            assert dimension is not None  # the type column is required and names a dimension here
            objects.append(
                ObjectRow(
                    dimension=dimension.number,
                    code=code,
                    name=name,
                    valid_from=dates["valid_from"],
                    valid_to=dates["valid_to"],
                )
            )
    return accounts, objects, errors
