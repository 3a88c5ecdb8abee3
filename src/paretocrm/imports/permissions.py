"""Imports obey the importing user's scope and field permissions (QUALITY.md IMP-5).

Run after the rows are validated and before anything is written; every refusal is a
row / column / message in the dry-run report like any other error, so a file touching a
record outside the user's scope writes nothing (unless the user skips invalid rows).
The commit validates the file again, so the same checks hold when it writes.
An import without a user (``paretocrm import ... --as-system``, the operator's explicit
bulk load) is a system import: not restricted, and audited as one.

The scope of every record an import touches (issue 14):

* a record it LINKS to (the customer of a row, a parent customer, the order of an
  invoice, the invoice of a payment) is looked up by the kind in the importer's scope
  (``ImportKind.scoped``), so a key outside it is "unknown", word for word the message
  of a key that does not exist;
* a record it MATCHES by the kind's key (customer code, contact id, order, invoice and
  payment number) is refused here when it exists outside the scope
  (:func:`_check_matched`). Keys are unique, so that refusal cannot hide that the key is
  taken; it says nothing more (not whose record, nor what it holds);
* a matched record may move to another customer only when both are in the scope (the
  old one because the record is matched in the scope, the new one because it is linked);
* the owner a customer row names must be one the user may assign (:func:`_check_owner`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from paretocrm.core.policy import is_administrator
from paretocrm.imports import validation as check
from paretocrm.imports.kinds.base import ImportKind, chunks
from paretocrm.users.models import User
from paretocrm.users.permissions import Function, has_function

#: Company-wide reference data: only administrators import it (as on the API).
ADMIN_KINDS: frozenset[str] = frozenset({"products", "cdnow"})
#: Columns only administrators may set (protected fields, AUTHZ-8).
ADMIN_COLUMNS: frozenset[str] = frozenset({"credit_limit"})


def check_permissions(
    kind: ImportKind, rows: pd.DataFrame, report: check.Report, user: Any
) -> None:
    """Add a report error for every row or column ``user`` may not import."""
    if user is None or not getattr(user, "pk", None):
        return
    kind_name = kind.name
    if not has_function(user, Function.IMPORT) or (
        kind_name in ADMIN_KINDS and not is_administrator(user)
    ):
        _log_denied(user, kind_name)
        report.add_coded(0, "", "role_may_not_import", {"kind": kind_name})
        return
    if rows.empty:
        return
    _check_matched(kind, rows, report)
    _check_owner(rows, report, user)
    if not is_administrator(user):
        for name in sorted(ADMIN_COLUMNS & set(rows.columns)):
            filled = rows[name].notna() & (rows[name].astype(str) != "")
            _refuse(report, rows.index[filled.to_numpy()], name, "administrators_only")


def _check_matched(kind: ImportKind, rows: pd.DataFrame, report: check.Report) -> None:
    """Rows whose key matches an existing record outside the user's scope are refused."""
    keys = rows[kind.key_column].astype(str)
    hidden = kind.hidden_keys(kind.model, kind.key_column, keys)
    if hidden:
        bad = keys.isin(list(hidden))
        params = {"what": kind.key_label}
        _refuse(report, rows.index[bad.to_numpy()], kind.key_column, kind.out_of_scope_code, params)


def _check_owner(rows: pd.DataFrame, report: check.Report, user: Any) -> None:
    """An owner outside the users this user may assign to is refused (AUTHZ-4)."""
    if "owner_id" not in rows.columns or user.has_full_scope:
        return
    # The rule of the customer scope's owner arm, asked only about the owners the file names.
    in_scope = User.objects.in_scope_of(user)
    named = sorted({int(v) for v in rows["owner_id"].dropna()})
    allowed: set[int] = set()
    for part in chunks(named):
        allowed.update(in_scope.filter(pk__in=part).values_list("pk", flat=True))
    bad = rows["owner_id"].notna() & ~rows["owner_id"].isin(list(allowed))
    _refuse(report, rows.index[bad.to_numpy()], "owner", "owner_not_allowed")


def _refuse(
    report: check.Report, index: Any, column: str, code: str, params: dict[str, Any] | None = None
) -> None:
    """Refuse each row of ``index`` with the message ``code`` (imports.messages)."""
    if len(index):
        report.add_rows_coded(index, column, code, params)


def _log_denied(user: Any, kind_name: str) -> None:
    from paretocrm.audit.services import record_event

    record_event("access_denied", actor=user, detail={"function": "import", "kind": kind_name})
