"""Exports of customers, contacts, orders and payments to CSV or XLSX (EXP-1).

One module the CLI and, later, the web app use: ``export_rows`` gives headers and a row
iterator for a (scoped) queryset; ``csv_lines`` streams CSV text (for a
StreamingHttpResponse), ``write_csv`` / ``write_xlsx`` write files (XLSX through openpyxl's
write-only mode, so memory stays flat). Every text cell that a spreadsheet would read as a
formula (starting with = + - @ tab or CR) gets a leading apostrophe; numbers and dates are
written as values. The headers are the import headers, so an export imports back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.utils import timezone

from paretocrm.audit.choices import SecurityEventKind
from paretocrm.audit.services import record_event
from paretocrm.core.masking import mask_free_text
from paretocrm.core.policy import Function, has_function
from paretocrm.customers.masking import CONTACT_MASKS
from paretocrm.customers.models import Contact, Customer
from paretocrm.sales.models import OrderLine, Payment
from paretocrm.users.permissions import require_function

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ITERATOR_CHUNK = 2_000
Accessor = Callable[[Any], Any]


def neutralise(value: Any) -> Any:
    """Make a text cell inert in spreadsheets; other values pass through unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _local(value: dt.datetime | None) -> str:
    return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


COLUMNS: dict[str, list[tuple[str, Accessor]]] = {
    "customers": [
        ("code", lambda c: c.code),
        ("name", lambda c: c.name),
        ("industry", lambda c: c.industry),
        ("region", lambda c: c.region),
        ("country", lambda c: c.country),
        ("scale", lambda c: c.scale),
        ("scope", lambda c: c.scope),
        ("cooperation_level", lambda c: c.cooperation_level),
        ("credit_rating", lambda c: c.credit_rating),
        ("credit_limit", lambda c: c.credit_limit),
        ("channel", lambda c: c.channel),
        ("currency", lambda c: c.currency),
        ("parent_code", lambda c: c.parent.code if c.parent_id else ""),
        ("owner", lambda c: c.owner.username if c.owner_id else ""),
        ("notes", lambda c: c.notes),
    ],
    "contacts": [
        ("external_id", lambda c: c.external_id),
        ("customer_code", lambda c: c.customer.code),
        ("name", lambda c: c.name),
        ("title", lambda c: c.title),
        ("buying_role", lambda c: c.buying_role),
        ("influence", lambda c: c.influence),
        ("relationship_strength", lambda c: c.relationship_strength),
        ("phone", lambda c: c.phone),
        ("mobile", lambda c: c.mobile),
        ("email", lambda c: c.email),
        ("notes", lambda c: c.notes),
    ],
    "orders": [
        ("number", lambda ln: ln.order.number),
        ("customer_code", lambda ln: ln.order.customer.code),
        ("ordered_at", lambda ln: _local(ln.order.ordered_at)),
        ("currency", lambda ln: ln.order.currency),
        ("status", lambda ln: ln.order.status),
        ("channel", lambda ln: ln.order.channel),
        ("line_number", lambda ln: ln.line_number),
        ("sku", lambda ln: ln.product.sku if ln.product_id else ""),
        ("description", lambda ln: ln.description),
        ("quantity", lambda ln: ln.quantity),
        ("unit_price", lambda ln: ln.unit_price),
        ("unit_cost", lambda ln: ln.unit_cost),
        ("discount", lambda ln: ln.discount),
    ],
    "payments": [
        ("number", lambda p: p.number),
        ("customer_code", lambda p: p.customer.code),
        ("invoice_number", lambda p: p.invoice.number if p.invoice_id else ""),
        ("received_on", lambda p: p.received_on),
        ("amount", lambda p: p.amount),
        ("currency", lambda p: p.currency),
        ("method", lambda p: p.method),
        ("reference", lambda p: p.reference),
    ],
}


#: Columns exported only for users with a function (QUALITY.md field permissions).
FUNCTION_COLUMNS: dict[str, Function] = {"credit_limit": Function.VIEW_CREDIT}

#: Free-text columns about people: masked for users without view-unmasked (PRIV-5).
PERSONAL_TEXT_COLUMNS: frozenset[str] = frozenset({"notes"})


def columns_for(kind: str, user: Any = None) -> list[tuple[str, Accessor]]:
    """The columns of ``kind`` as ``user`` may export them (all of them without a user).

    ``paretocrm export --as-system`` exports as the operator (no user); the web and
    ``--user`` pass the person, so a role without the credit function gets no credit column,
    and a role without view-unmasked gets contacts' phones and e-mails masked and the phone,
    e-mail and ID numbers inside free text masked.
    """
    columns = COLUMNS[kind]
    if user is None:
        return columns
    columns = [
        (name, accessor)
        for name, accessor in columns
        if name not in FUNCTION_COLUMNS or has_function(user, FUNCTION_COLUMNS[name])
    ]
    if has_function(user, Function.VIEW_UNMASKED):
        return columns
    return [(name, _masked(name, accessor)) for name, accessor in columns]


def _masked(name: str, accessor: Accessor) -> Accessor:
    """The column as a role without view-unmasked reads it: phone, mobile and e-mail as on
    the contact's page (``138****5678``), free text with the personal data in it masked."""
    if name in CONTACT_MASKS:
        mask = CONTACT_MASKS[name]
        return lambda obj: mask(accessor(obj))
    if name in PERSONAL_TEXT_COLUMNS:
        return lambda obj: mask_free_text(accessor(obj))
    return accessor


#: The model behind each export kind (orders: one row per order line).
MODELS: dict[str, type[Any]] = {
    "customers": Customer,
    "contacts": Contact,
    "orders": OrderLine,
    "payments": Payment,
}


def default_queryset(kind: str, user: Any = None) -> QuerySet[Any]:
    """Everything of a kind, with the joins the columns need (no N+1 queries).

    With ``user``: only the rows in their scope (``visible_to``, EXP-2); without, everything
    (the operator's ``--as-system``).
    """
    if kind not in MODELS:
        raise ValueError(f"unknown export kind {kind!r}; choose from {', '.join(sorted(COLUMNS))}")
    manager = MODELS[kind].objects
    rows = manager.all() if user is None else manager.visible_to(user)
    if kind == "customers":
        return rows.select_related("parent", "owner").order_by("code")
    if kind == "contacts":
        return rows.select_related("customer").order_by("customer__code", "id")
    if kind == "orders":
        return rows.select_related("order__customer", "product").order_by(
            "order__number", "line_number"
        )
    return rows.select_related("customer", "invoice").order_by("number")


def export_file(kind: str, path: Path, file_format: str, *, user: Any) -> int:
    """Write ``kind`` to ``path`` as ``user`` (None: an unrestricted system export).

    The user's export function is checked first (a refusal is logged and raises
    ``PermissionDenied``); then their scope, field permissions and masking apply, and the
    export is a security event in their name (EXP-2, AUD-3). Returns the number of rows.
    """
    if user is not None:
        require_function(user, Function.EXPORT, what=kind)
    headers, rows = export_rows(kind, default_queryset(kind, user), user=user)
    writer = write_csv if file_format == "csv" else write_xlsx
    count = writer(path, headers, rows)
    record_event(
        SecurityEventKind.EXPORT,
        actor=user,
        detail={
            "kind": kind,
            "format": file_format,
            "file": path.name,
            "rows": count,
            # No user: the operator's unrestricted export (--as-system).
            "system": user is None,
        },
    )
    return count


def export_rows(
    kind: str,
    queryset: QuerySet[Any] | None = None,
    *,
    user: Any = None,
    labelled: bool = False,
) -> tuple[list[str], Iterator[list[Any]]]:
    """Headers and neutralised rows for ``kind`` (from ``queryset`` or everything).

    ``user``: the person exporting; the columns follow their role (:func:`columns_for`).
    ``labelled`` (the pages): headers and choice values in the active language - the
    import's Chinese headers and the choices' translated labels, which the import accepts
    again. Without it (the CLI) the canonical English codes.
    """
    if kind not in COLUMNS:
        raise ValueError(f"unknown export kind {kind!r}; choose from {', '.join(sorted(COLUMNS))}")
    columns = columns_for(kind, user)
    queryset = default_queryset(kind) if queryset is None else queryset
    names = [name for name, _ in columns]
    if not labelled:
        labels: list[dict[str, Any]] = [{} for _ in columns]
        headers = names
    else:
        labels = [_choice_labels(queryset.model, name) for name in names]
        headers = [_header(kind, name) for name in names]
    rows = (
        [
            neutralise(label.get(value, value) if label else value)
            for (_, accessor), label in zip(columns, labels, strict=True)
            for value in (accessor(obj),)
        ]
        for obj in queryset.iterator(chunk_size=ITERATOR_CHUNK)
    )
    return headers, rows


def _header(kind: str, name: str) -> str:
    """The import's header of a column in the active language (the name when unknown)."""
    from paretocrm.imports.kinds import KINDS

    kind_class = KINDS.get(kind)
    return kind_class.header(name) if kind_class and name in kind_class.columns else name


def _choice_labels(model: type[Any], name: str) -> dict[str, str]:
    """Code -> translated label of a model field with choices (empty for other columns)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a column computed from a relation (owner, parent_code)
        return {}
    return {code: str(label) for code, label in (getattr(field, "flatchoices", None) or [])}


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def csv_lines(headers: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text one line at a time (BOM first, so Excel reads Chinese as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
    yield buffer.getvalue()


def write_csv(path: Path, headers: list[str], rows: Iterable[list[Any]]) -> int:
    """Write a CSV file; returns the number of data rows."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        handle.write("\ufeff")
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_csv_value(v) for v in row])
            count += 1
    return count


def write_xlsx(path: Path | BinaryIO, headers: list[str], rows: Iterable[list[Any]]) -> int:
    """Write an XLSX file in openpyxl write-only mode; returns the number of data rows."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("export")
    sheet.append(headers)
    count = 0
    for row in rows:
        sheet.append(row)  # Decimal cells stay exact numbers
        count += 1
    workbook.save(path)
    return count
