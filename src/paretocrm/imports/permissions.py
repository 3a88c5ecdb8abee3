"""Imports obey the importing user's scope and field permissions (QUALITY.md IMP-5).

Run after the rows are validated and before anything is written; every refusal is a
row / column / message in the dry-run report like any other error, so a file touching a
customer outside the user's scope writes nothing (unless the user skips invalid rows).
An import without a user (``paretocrm import ... --as-system``, the operator's explicit
bulk load) is a system import: not restricted, and audited as one.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from paretocrm.core.views import is_administrator
from paretocrm.customers.models import Customer
from paretocrm.imports import validation as check
from paretocrm.imports.kinds.base import chunks
from paretocrm.users.models import User
from paretocrm.users.permissions import Function, has_function

#: Company-wide reference data: only administrators import it (as on the API).
ADMIN_KINDS: frozenset[str] = frozenset({"products", "cdnow"})
#: Columns only administrators may set (protected fields, AUTHZ-8).
ADMIN_COLUMNS: frozenset[str] = frozenset({"credit_limit"})


def check_permissions(kind_name: str, rows: pd.DataFrame, report: check.Report, user: Any) -> None:
    """Add a report error for every row or column ``user`` may not import."""
    if user is None or not getattr(user, "pk", None):
        return
    if not has_function(user, Function.IMPORT) or (
        kind_name in ADMIN_KINDS and not is_administrator(user)
    ):
        _log_denied(user, kind_name)
        report.add_coded(0, "", "role_may_not_import", {"kind": kind_name})
        return
    if rows.empty:
        return
    _check_customers(kind_name, rows, report, user)
    _check_owner(rows, report, user)
    if not is_administrator(user):
        for name in sorted(ADMIN_COLUMNS & set(rows.columns)):
            filled = rows[name].notna() & (rows[name].astype(str) != "")
            _refuse(report, rows.index[filled.to_numpy()], name, "administrators_only")


def _check_customers(kind_name: str, rows: pd.DataFrame, report: check.Report, user: Any) -> None:
    """Rows about an existing customer outside the user's scope are refused."""
    visible = Customer.objects.visible_to(user)
    if kind_name == "customers":
        codes = rows["code"].astype(str)
        existing = set(Customer.objects.filter(code__in=list(codes)).values_list("code", flat=True))
        mine = set(visible.filter(code__in=list(existing)).values_list("code", flat=True))
        bad = codes.isin(list(existing - mine))
        _refuse(report, rows.index[bad.to_numpy()], "code", "customer_out_of_scope")
    elif "customer_id" in rows.columns:
        ids = {int(v) for v in rows["customer_id"].dropna()}
        mine = set(visible.filter(id__in=ids).values_list("id", flat=True))
        bad = rows["customer_id"].notna() & ~rows["customer_id"].isin(list(mine))
        _refuse(
            report,
            rows.index[bad.to_numpy()],
            "customer_code",
            "customer_out_of_scope",
        )


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


def _refuse(report: check.Report, index: Any, column: str, code: str) -> None:
    """Refuse each row of ``index`` with the message ``code`` (imports.messages)."""
    if len(index):
        report.add_rows_coded(index, column, code)


def _log_denied(user: Any, kind_name: str) -> None:
    from paretocrm.audit.services import record_event

    record_event("access_denied", actor=user, detail={"function": "import", "kind": kind_name})
