"""Fast inserts for big tables (demo load, score snapshots): COPY on PostgreSQL, executemany
on SQLite.

Django's ``bulk_create`` spends most of its time preparing each value through the field
machinery (about 90% of a 2,000-customer load in a profile). Here model instances are still
built normally (so Python defaults apply), but their column values are read once and sent
with ``COPY ... FROM STDIN`` (PostgreSQL) or ``executemany`` (SQLite).

With ``assign_ids=True`` primary keys are assigned by us (current maximum + 1, then the
PostgreSQL identity sequence is moved past them), so callers get ids back without a RETURNING
round trip. This assumes nobody else inserts into the same tables during the load, which holds
for a demo or benchmark database being seeded; with ``assign_ids=False`` the database assigns
them (safe alongside other writers; the objects' ``pk`` stays unset).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

Converter = Callable[[Any], Any]


def _converter(field: models.Field[Any, Any]) -> Converter | None:
    """How a Python value becomes a database value for this backend (None = unchanged)."""
    ops = connection.ops
    if isinstance(field, models.JSONField):
        # COPY and executemany take JSON as text; the column parses it (jsonb / JSON_VALID).
        return lambda v: None if v is None else json.dumps(v, cls=field.encoder)
    if isinstance(field, models.DateTimeField):
        return lambda v: ops.adapt_datetimefield_value(v) if isinstance(v, datetime) else v
    if isinstance(field, models.DateField):
        return lambda v: ops.adapt_datefield_value(v) if isinstance(v, date) else v
    return None


def _auto_time_fields(model: type[models.Model]) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]


def next_id(model: type[models.Model]) -> int:
    """The first free primary key of ``model``'s table."""
    current = model.objects.aggregate(top=Max("pk"))["top"]
    return int(current or 0) + 1


def fast_insert(
    model: type[models.Model],
    objs: Sequence[models.Model],
    *,
    assign_ids: bool = True,
    batch_size: int = 5000,
) -> Sequence[models.Model]:
    """Insert ``objs`` (unsaved instances) and return them, with ``pk`` set if assigned."""
    if not objs:
        return objs
    auto_pk = isinstance(model._meta.pk, models.AutoField)
    assign_ids = assign_ids and auto_pk
    now = timezone.now()
    for name in _auto_time_fields(model):
        for obj in objs:
            setattr(obj, name, now)
    if assign_ids:
        first = next_id(model)
        for offset, obj in enumerate(objs):
            obj.pk = first + offset
    fields = [
        f for f in model._meta.concrete_fields if assign_ids or not auto_pk or not f.primary_key
    ]
    converters = [_converter(f) for f in fields]
    attnames = [f.attname for f in fields]
    rows = [_row(obj, attnames, converters) for obj in objs]
    insert_rows(model, attnames, rows, batch_size=batch_size)
    if assign_ids and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The table name comes from the model's Meta, never from user input.
            table = connection.ops.quote_name(model._meta.db_table)
            pk_column = connection.ops.quote_name(model._meta.pk.column)
            top = f"SELECT MAX({pk_column}) FROM {table}"  # noqa: S608
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), ({top}))",
                [model._meta.db_table, model._meta.pk.column],
            )
    return objs


def insert_rows(
    model: type[models.Model],
    attnames: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    batch_size: int = 5000,
) -> None:
    """Insert plain tuples of database values for ``attnames`` (COPY on PostgreSQL).

    For rows made in bulk, e.g. a million peak-season cells of a scoring run: building a
    model instance per row cost more than writing it. The values must be what the column
    takes (numbers, text, ``None``); nothing is converted.
    """
    fields = {f.attname: f for f in model._meta.concrete_fields}
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(fields[name].column) for name in attnames)
    for start in range(0, len(rows), batch_size):
        _write(table, columns, len(attnames), list(rows[start : start + batch_size]))


def _row(
    obj: models.Model, attnames: list[str], converters: list[Converter | None]
) -> tuple[Any, ...]:
    values = []
    for name, convert in zip(attnames, converters, strict=True):
        value = getattr(obj, name)
        if convert is not None:
            value = convert(value)
        values.append(value)
    return tuple(values)


def _write(table: str, columns: str, width: int, rows: list[tuple[Any, ...]]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * width)
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608


def refresh_statistics(*tables: type[models.Model]) -> None:
    """Fresh planner statistics for tables that just took a bulk load (PostgreSQL).

    Autovacuum analyses a table only some time after a large insert; until then the
    planner believes e.g. a new score snapshot holds a few hundred rows and picks nested
    loops over it (the customer list took 3x longer right after a scoring run, B7).
    SQLite's planner needs no statistics for these queries.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
