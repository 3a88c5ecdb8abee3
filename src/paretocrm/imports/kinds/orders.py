"""Orders from a flat file (one row per order line, order columns repeated): the bulk path.

Validation is column-wise (see ``validation``); references are resolved with one query per
2,000 distinct keys. New orders get their ids up front (a PostgreSQL sequence block, or
max(id) under SQLite's write lock), so headers and lines are written with PostgreSQL
``COPY`` or one ``executemany`` per table on SQLite, inside the caller's transaction.
Orders already in the database are compared line by line: identical ones are left alone
(unchanged), different ones get their header updated and their lines replaced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection
from django.utils import timezone

from paretocrm.core import bounds
from paretocrm.customers.models import Customer
from paretocrm.imports import validation as check
from paretocrm.imports.kinds.base import (
    ImportKind,
    ProgressCallback,
    WriteCounts,
    choice_map,
    chunks,
    column,
    key_to_id,
    lookup,
)
from paretocrm.imports.kinds.master import currency_check
from paretocrm.sales.choices import OrderChannel, OrderStatus
from paretocrm.sales.models import Order, OrderLine, Product

LINE_FIELDS = ("line_number", "product_id", "description", "quantity", "unit_price",
               "unit_cost", "discount")  # fmt: skip
HEADER_FIELDS = ("customer_id", "ordered_at", "currency", "status", "channel")
COPY_BLOCK = 50_000
STATUS_ZH = {"草稿": "draft", "已确认": "confirmed", "已发货": "shipped", "已送达": "delivered",
             "已完成": "completed", "已取消": "cancelled"}  # fmt: skip
CHANNEL_ZH = {"直销": "direct", "经销商": "distributor", "分销": "distributor", "线上": "online",
              "网上": "online", "其他": "other"}  # fmt: skip


def _places(text: str, places: int) -> str:
    """Canonical decimal text with a fixed number of places, for comparisons."""
    return "" if text in ("", None) else f"{Decimal(text):.{places}f}"


class OrderKind(ImportKind):
    """Order lines with their order header repeated, matched on order number."""

    name = "orders"
    model = Order
    key_column = "number"
    key_label = "order number"
    group_column = "number"
    columns: ClassVar[dict[str, tuple[str, ...]]] = {
        "number": ("order_number", "order_no", "订单号", "订单编号", "单号"),
        "customer_code": ("customer", "客户编号", "客户代码", "客户编码"),
        "ordered_at": ("date", "order_date", "日期", "订单日期", "下单日期"),
        "currency": ("币种", "货币"),
        "status": ("状态", "订单状态"),
        "channel": ("渠道", "销售渠道"),
        "line_number": ("line", "line_no", "行号"),
        "sku": ("product", "product_code", "产品编号", "产品编码", "物料编码", "货号"),
        "description": ("product_name", "描述", "品名", "产品名称"),
        "quantity": ("qty", "数量"),
        "unit_price": ("price", "单价"),
        "unit_cost": ("cost", "成本", "单位成本"),
        "discount": ("discount_percent", "折扣"),
        "amount": ("line_amount", "total", "金额", "行金额"),
    }
    required = frozenset({"number", "customer_code", "ordered_at", "quantity"})

    # --- validation ----------------------------------------------------------------------

    def customer_ids(self, codes: pd.Series, report: check.Report) -> pd.Series:
        """Customer ids for the codes (CDNOW overrides: its customers come with the file)."""
        ids = key_to_id(self.scoped(Customer), "code", codes)
        check.reference(codes, "customer_code", report, ids.keys(), what="customer code")
        return lookup(codes, ids)

    def prepare(self, frame: pd.DataFrame, report: check.Report) -> pd.DataFrame:
        """Validate all lines column by column; one bad line invalidates its whole order."""
        out = pd.DataFrame(index=frame.index)
        number = check.text(column(frame, "number"), "number", report, required=True, max_length=64)
        out["number"] = number
        code = check.text(column(frame, "customer_code"), "customer_code", report, required=True)
        out["customer_code"] = code
        out["customer_id"] = self.customer_ids(code, report)
        ordered = check.date(column(frame, "ordered_at"), "ordered_at", report, required=True)
        out["ordered_at"] = ordered
        currency = currency_check(column(frame, "currency"), "currency", report)
        out["currency"] = currency.where(currency != "", str(settings.BASE_CURRENCY))
        statuses = choice_map(OrderStatus, STATUS_ZH)
        out["status"] = check.choice(
            column(frame, "status"), "status", report, statuses, default=OrderStatus.CONFIRMED
        )
        channels = choice_map(OrderChannel, CHANNEL_ZH)
        out["channel"] = check.choice(
            column(frame, "channel"), "channel", report, channels, default=OrderChannel.DIRECT
        )
        repeated = ["customer_code", "ordered_at"]
        repeated += [c for c in ("currency", "status", "channel") if c in frame.columns]
        self._consistent(out, repeated, report)
        self._lines(frame, out, report)
        self.header_present = {"customer_id", "ordered_at"} | {
            c for c in ("currency", "status", "channel") if c in frame.columns
        }
        return out

    def _lines(self, frame: pd.DataFrame, out: pd.DataFrame, report: check.Report) -> None:
        if "line_number" in frame.columns:
            line = check.integer(column(frame, "line_number"), "line_number", report, required=True,
                                 min_value=1, max_value=2_000_000_000)  # fmt: skip
            out["line_number"] = line.fillna(0).astype("int64")
        else:
            out["line_number"] = out.groupby("number", sort=False).cumcount().astype("int64") + 1
        key = out["number"] + "#" + out["line_number"].astype(str)
        check.unique(key.where(out["number"] != "", ""), "line_number", report, what="order line")
        sku = check.text(column(frame, "sku"), "sku", report)
        products = {
            s: (pk, cost)
            for part in chunks(sorted(set(sku) - {""}))
            for s, pk, cost in Product.objects.filter(sku__in=part).values_list(
                "sku", "pk", "unit_cost"
            )
        }
        check.reference(sku, "sku", report, products.keys(), what="product SKU")
        out["product_id"] = lookup(sku, {k: v[0] for k, v in products.items()})
        out["description"] = check.text(
            column(frame, "description"), "description", report, max_length=300
        )
        quantity = check.decimal(column(frame, "quantity"), "quantity", report, required=True,
                                 decimal_places=4, min_value=0, min_inclusive=False)  # fmt: skip
        out["quantity"] = quantity
        price = check.decimal(
            column(frame, "unit_price"), "unit_price", report, decimal_places=4, min_value=0
        )
        amount = check.decimal(column(frame, "amount"), "amount", report, min_value=0)
        if "unit_price" not in frame.columns and "amount" not in frame.columns:
            accepted = "unit_price / 单价, or amount / 金额"
            report.add_coded(1, "unit_price", "missing_column", {"accepted": accepted})
        missing = (price == "") & (amount == "") & (quantity != "")
        check.flag_code(report, missing, "unit_price", "price_or_amount")
        out["unit_price"] = price.where(price != "", self._price_from_amount(amount, quantity))
        self._line_totals(out, report)
        cost = check.decimal(
            column(frame, "unit_cost"), "unit_cost", report, decimal_places=4, min_value=0
        )
        product_cost = lookup(
            sku, {k: "" if v[1] is None else str(v[1]) for k, v in products.items()}
        )
        out["unit_cost"] = cost.where(cost != "", product_cost.fillna(""))
        discount = check.decimal(column(frame, "discount"), "discount", report, decimal_places=4,
                                 min_value=0, max_value=100)  # fmt: skip
        out["discount"] = discount.where(discount != "", "0")

    @staticmethod
    def _line_totals(out: pd.DataFrame, report: check.Report) -> None:
        """Quantity x unit price within the largest amount (each is bounded on its own; the
        API's line check, ``core.bounds.line_total_error``, is the same rule)."""
        limit = bounds.limits().max_amount
        usable = (out["quantity"] != "") & (out["unit_price"] != "")
        total = pd.Series(
            [
                Decimal(q) * Decimal(p) if ok else Decimal(0)
                for q, p, ok in zip(out["quantity"], out["unit_price"], usable, strict=True)
            ],
            index=out.index,
        )
        beyond = usable & (total > limit)
        per_row = {"total": total.map(lambda t: f"{t:,f}")}
        params = {"max": f"{limit:,f}"}
        check.flag_code(report, beyond, "unit_price", "line_total", params, per_row=per_row)

    @staticmethod
    def _price_from_amount(amount: pd.Series, quantity: pd.Series) -> pd.Series:
        """Unit price = amount / quantity to 4 places (reproduces the amount to the cent)."""
        usable = (amount != "") & (quantity != "")
        value = pd.to_numeric(amount.where(usable), errors="coerce") / pd.to_numeric(
            quantity.where(usable), errors="coerce"
        )
        text = pd.Series(np.char.mod("%.4f", value.fillna(0).to_numpy()), index=amount.index)
        return text.where(usable & value.notna(), "")

    def _consistent(self, out: pd.DataFrame, names: Sequence[str], report: check.Report) -> None:
        """Order columns repeated on every line must agree with the order's first line."""
        codes, _ = pd.factorize(out["number"])
        # Position of each order's first line, spread to all its lines (no groupby needed).
        _, first_position = np.unique(codes, return_index=True)
        first_of_row = first_position[codes]
        has_number = (out["number"] != "").to_numpy()
        for name in names:
            values = out[name].to_numpy()
            first = values[first_of_row]
            differs = (values != first) & has_number & pd.notna(first)
            if differs.any():
                mask = pd.Series(differs, index=out.index)
                first_rows = pd.Series(out.index.to_numpy()[first_of_row], index=out.index)[mask]
                per_row = {"first": first_rows.astype(int)}
                check.flag_code(report, mask, name, "differs_in_order", per_row=per_row)

    # --- writing -------------------------------------------------------------------------

    def write(self, rows: pd.DataFrame, progress: ProgressCallback | None = None) -> WriteCounts:
        """Insert new orders in bulk; update changed existing ones; skip identical ones."""
        rows = rows.sort_values(["number", "line_number"], kind="stable")
        headers = rows.drop_duplicates("number").set_index("number")
        # Only orders in the importer's scope are updated; an order number taken outside it
        # is refused by the validation (and would break the unique number here).
        existing = key_to_id(self.scoped(Order), "number", headers.index)
        is_new = ~headers.index.isin(list(existing))
        counts = WriteCounts(created=int(is_new.sum()))
        new_ids = self._allocate_ids(int(is_new.sum()))
        ids = dict(zip(headers.index[is_new], new_ids, strict=True))
        self._insert_headers(headers[is_new], new_ids)
        changed = self._changed_orders(headers[~is_new], rows, existing, counts)
        ids.update({n: existing[n] for n in changed})
        revenue_before = _revenues([existing[n] for n in changed])
        if changed:
            self._update_headers(headers.loc[changed], existing)
            for part in chunks([existing[n] for n in changed]):
                OrderLine.objects.filter(order_id__in=part).delete()
        lines = rows[rows["number"].isin(list(ids))]
        self._insert_lines(lines, lines["number"].map(ids).to_numpy(), progress)
        _record_revenue_changes(revenue_before)
        return counts

    @staticmethod
    def _allocate_ids(count: int) -> list[int]:
        if count == 0:
            return []
        table = Order._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [row[0] for row in cursor.fetchall()]
            # SQLite: the import transaction holds the write lock, so max(id) cannot move.
            quoted = connection.ops.quote_name(table)  # from model meta, not user input
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quoted}")  # noqa: S608
            start = int(cursor.fetchone()[0]) + 1
        return list(range(start, start + count))

    @staticmethod
    def _utc_text(values: pd.Series) -> pd.Series:
        """Local wall-clock datetimes (settings.TIME_ZONE) as UTC text for the database."""
        utc = values.dt.tz_localize(
            settings.TIME_ZONE, ambiguous="NaT", nonexistent="shift_forward"
        )
        text = utc.dt.tz_convert("UTC").dt.strftime("%Y-%m-%d %H:%M:%S")
        return text + "+00:00" if connection.vendor == "postgresql" else text

    def _insert_headers(self, headers: pd.DataFrame, ids: list[int]) -> None:
        if not ids:
            return
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        data = {
            "id": pd.Series(ids, index=headers.index).astype(str),
            "customer_id": headers["customer_id"].astype("int64").astype(str),
            "number": pd.Series(headers.index, index=headers.index),
            "ordered_at": self._utc_text(headers["ordered_at"]),
            "currency": headers["currency"],
            "status": headers["status"],
            "channel": headers["channel"],
            "notes": pd.Series("", index=headers.index),
            "created_at": pd.Series(now, index=headers.index),
            "updated_at": pd.Series(now, index=headers.index),
            "version": pd.Series("1", index=headers.index),
        }
        _bulk_insert(Order, pd.DataFrame(data))

    def _insert_lines(
        self, lines: pd.DataFrame, order_ids: np.ndarray, progress: ProgressCallback | None
    ) -> None:
        data = pd.DataFrame(
            {
                "order_id": order_ids.astype("int64").astype(str),
                "line_number": lines["line_number"].astype(str).to_numpy(),
                "product_id": _id_text(lines["product_id"]),
                "description": lines["description"].to_numpy(),
                "quantity": lines["quantity"].to_numpy(),
                "unit_price": lines["unit_price"].to_numpy(),
                "unit_cost": lines["unit_cost"].to_numpy(),
                "discount": lines["discount"].to_numpy(),
            }
        )
        nullable = {"product_id", "unit_cost"}
        for start in range(0, len(data), COPY_BLOCK):
            block = data.iloc[start : start + COPY_BLOCK]
            _bulk_insert(OrderLine, block, nullable=nullable)
            if progress:
                progress(len(block))

    def _changed_orders(
        self,
        headers: pd.DataFrame,
        rows: pd.DataFrame,
        existing: dict[str, int],
        counts: WriteCounts,
    ) -> list[str]:
        """Numbers of existing orders whose header or lines differ from the file."""
        if headers.empty:
            return []
        changed: list[str] = []
        by_id = {existing[n]: n for n in headers.index}
        file_lines = rows[rows["number"].isin(list(headers.index))].groupby("number", sort=False)
        for part in chunks(sorted(by_id)):
            stored_headers = {
                o["id"]: o for o in Order.objects.filter(id__in=part).values("id", *HEADER_FIELDS)
            }
            stored_lines: dict[int, list[tuple[Any, ...]]] = {}
            for line in (
                OrderLine.objects.filter(order_id__in=part)
                .order_by("order_id", "line_number")
                .values("order_id", *LINE_FIELDS)
            ):
                stored_lines.setdefault(line["order_id"], []).append(_line_key(line))
            for order_id in part:
                number = by_id[order_id]
                wanted = [_line_key(r) for r in file_lines.get_group(number).to_dict("records")]
                header = headers.loc[number]
                if stored_lines.get(order_id, []) != wanted or not self._same_header(
                    stored_headers[order_id], header
                ):
                    changed.append(number)
                else:
                    counts.unchanged += 1
        counts.updated += len(changed)
        return changed

    def _same_header(self, stored: dict[str, Any], header: pd.Series) -> bool:
        for name in self.header_present:
            new = header[name]
            old = stored[name]
            if name == "ordered_at":
                local = timezone.make_aware(new.to_pydatetime()) if pd.notna(new) else None
                if local != old:
                    return False
            elif old != new:
                return False
        return True

    def _update_headers(self, headers: pd.DataFrame, existing: dict[str, int]) -> None:
        """Save each changed order header, so its field history is written as for an edit
        on the order page (the audit receivers compare the stored row and record changes).
        """
        orders = self.scoped(Order).in_bulk([existing[n] for n in headers.index])
        for number, header in headers.iterrows():
            order = orders[existing[number]]
            values = {name: header[name] for name in self.header_present}
            values["ordered_at"] = timezone.make_aware(header["ordered_at"].to_pydatetime())
            for name, value in values.items():
                setattr(order, name, value)
            order.save(update_fields=list(values))  # bumps version and updated_at


def _revenues(order_ids: list[int]) -> dict[int, tuple[int | None, Decimal]]:
    """Customer and revenue (sum of the lines) of each order, one query per chunk."""
    found: dict[int, tuple[int | None, Decimal]] = {}
    for part in chunks(order_ids):
        rows = Order.objects.filter(pk__in=part).with_totals()
        found.update({pk: (c, r) for pk, c, r in rows.values_list("pk", "customer_id", "revenue")})
    return found


def _record_revenue_changes(before: dict[int, tuple[int | None, Decimal]]) -> None:
    """Field history for replaced order lines: the order's revenue, old -> new.

    Lines are no field of the order, so the audit receivers never see them; without this
    an import that rewrote an order's lines (989.96 -> 0.01) left no trace. Written with
    the actor and channel of the audit context, as ``audit.services.record_changes`` does.
    """
    from django.contrib.contenttypes.models import ContentType

    from paretocrm.audit.context import current
    from paretocrm.audit.models import FieldChange

    if not before:
        return
    after = _revenues(list(before))
    context, content_type = current(), ContentType.objects.get_for_model(Order)
    FieldChange.objects.bulk_create(
        FieldChange(
            actor_id=context.actor_id(),
            channel=context.channel,
            content_type=content_type,
            object_id=order_id,
            customer_id=after[order_id][0],
            field="revenue",
            old_value=f"{old:.2f}",
            new_value=f"{after[order_id][1]:.2f}",
        )
        for order_id, (_customer, old) in before.items()
        if old != after[order_id][1]
    )


def _id_text(ids: pd.Series) -> np.ndarray:
    """Optional ids as text, "" for missing (NULL when written)."""
    present = ids.notna().to_numpy()
    text = np.full(len(ids), "", dtype=object)
    text[present] = ids[present].astype("int64").astype(str).to_numpy()
    return text


def _line_key(line: dict[str, Any]) -> tuple[Any, ...]:
    """A line as comparable canonical values (decimals to 4 places, None vs "" unified)."""
    return (
        int(line["line_number"]),
        line["product_id"] if line["product_id"] not in ("", None) else None,
        line["description"] or "",
        _places(str(line["quantity"]), 4),
        _places(str(line["unit_price"]), 4),
        _places("" if line["unit_cost"] is None else str(line["unit_cost"]), 4),
        _places(str(line["discount"]), 4),
    )


def _bulk_insert(model: Any, data: pd.DataFrame, nullable: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """Insert text columns: PostgreSQL COPY, else one executemany (same transaction)."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = list(data.columns)
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor.cursor, table, quoted, data, nullable)
            return
        values = [
            data[n].where(data[n] != "", None).tolist() if n in nullable else data[n].tolist()
            for n in names
        ]
        placeholders = ", ".join(["%s"] * len(names))
        cursor.executemany(
            f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})",  # noqa: S608 - names from model meta
            list(zip(*values, strict=True)),
        )


def _copy(raw_cursor: Any, table: str, quoted: str, data: pd.DataFrame, nullable: set[str]) -> None:
    """COPY ... FROM STDIN in text format; text is escaped so no value can break a row."""
    parts = []
    for name in data.columns:
        text = data[name].astype(str)
        text = (
            text.str.replace("\\", "\\\\", regex=False)
            .str.replace("\t", "\\t", regex=False)
            .str.replace("\n", "\\n", regex=False)
            .str.replace("\r", "\\r", regex=False)
        )
        if name in nullable:
            text = text.where(text != "", "\\N")
        parts.append(text)
    body = parts[0].str.cat(parts[1:], sep="\t") + "\n"
    payload = "".join(body.tolist()).encode("utf-8")
    with raw_cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        copy.write(payload)
