"""Billing kinds: invoices (upsert on number) and payments (an append-only ledger)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import pandas as pd
from django.db import IntegrityError

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
    upsert,
)
from paretocrm.imports.kinds.master import currency_check, records
from paretocrm.sales.choices import InvoiceStatus, PaymentMethod
from paretocrm.sales.models import Invoice, Order, Payment
from paretocrm.sales.services import (
    lock_open_amounts,
    open_amounts,
    paid_by_number,
    settle_invoices,
)


def _customer(kind: ImportKind, frame: pd.DataFrame, report: check.Report) -> pd.Series:
    """The customer of each row, in the importer's scope (others are unknown codes)."""
    code = check.text(column(frame, "customer_code"), "customer_code", report, required=True)
    ids = key_to_id(kind.scoped(Customer), "code", code)
    check.reference(code, "customer_code", report, ids.keys(), what="customer code")
    return lookup(code, ids)


def _currency(frame: pd.DataFrame, report: check.Report, model: Any) -> pd.Series:
    currency = currency_check(column(frame, "currency"), "currency", report)
    return currency.where(currency != "", model._meta.get_field("currency").get_default())


def _dates(parsed: pd.Series) -> pd.Series:
    """datetime64 values to Python dates (None where missing)."""
    return pd.Series([d.date() if pd.notna(d) else None for d in parsed], index=parsed.index)


class InvoiceKind(ImportKind):
    """Invoices, matched on invoice number."""

    name = "invoices"
    model = Invoice
    key_column = "number"
    key_label = "invoice number"
    columns: ClassVar[dict[str, tuple[str, ...]]] = {
        "number": ("invoice_number", "invoice_no", "发票号", "发票号码", "发票编号"),
        "customer_code": ("customer", "客户编号", "客户代码"),
        "order_number": ("order", "order_no", "订单号", "订单编号"),
        "issued_on": ("date", "invoice_date", "issue_date", "开票日期", "日期"),
        "due_on": ("due_date", "到期日", "付款期限"),
        "amount": ("total", "金额", "发票金额"),
        "currency": ("币种", "货币"),
        "status": ("状态",),
    }
    required = frozenset({"number", "customer_code", "issued_on", "amount"})

    def prepare(self, frame: pd.DataFrame, report: check.Report) -> pd.DataFrame:
        """Validate invoice rows; the customer (and order, if given) must exist."""
        out = pd.DataFrame(index=frame.index)
        out["number"] = check.text(
            column(frame, "number"), "number", report, required=True, max_length=64
        )
        check.unique(out["number"], "number", report, what="invoice number")
        out["customer_id"] = _customer(self, frame, report)
        self._orders(frame, out, report)
        issued = check.date(column(frame, "issued_on"), "issued_on", report, required=True)
        due = check.date(column(frame, "due_on"), "due_on", report)
        check.flag_code(report, due < issued, "due_on", "before_issue_date")
        due = due.where(due.notna(), issued)
        out["issued_on"] = _dates(issued)
        out["due_on"] = _dates(due)
        amount = check.decimal(
            column(frame, "amount"), "amount", report, required=True, min_value=0
        )
        out["amount"] = amount.map(lambda t: Decimal(t) if t else None)
        self._not_below_paid(out, report)
        out["currency"] = _currency(frame, report, Invoice)
        out["status"] = check.choice(
            column(frame, "status"), "status", report,
            choice_map(InvoiceStatus, {"草稿": "draft", "已开票": "issued", "已付款": "paid",
                                       "已作废": "cancelled", "作废": "cancelled"}),
            default=InvoiceStatus.ISSUED,
        )  # fmt: skip
        self.present = {c for c in out.columns if c in set(frame.columns) or c in self.required}
        self.present |= {"customer_id", "due_on"} | (
            {"order_id"} if "order_number" in frame else set()
        )
        return out

    def _not_below_paid(self, out: pd.DataFrame, report: check.Report) -> None:
        """An invoice's amount never below what has been paid on it (``update_invoice``'s
        rule on the API, the page and the admin); only invoices in scope are looked at."""
        numbers = sorted(set(out["number"]) - {""})
        in_scope = [
            number
            for part in chunks(numbers)
            for number in self.scoped(Invoice)
            .filter(number__in=part)
            .values_list("number", flat=True)
        ]
        paid = {n: p for part in chunks(in_scope) for n, p in paid_by_number(part).items()}
        already = [paid.get(number) for number in out["number"]]
        below = pd.Series(
            [
                bool(amount is not None and done is not None and amount < done)
                for amount, done in zip(out["amount"], already, strict=True)
            ],
            index=out.index,
        )
        per_row = {
            "value": out["amount"].astype(str),
            "paid": pd.Series([str(done) for done in already], index=out.index),
        }
        check.flag_code(report, below, "amount", "below_paid", per_row=per_row)

    def _orders(self, frame: pd.DataFrame, out: pd.DataFrame, report: check.Report) -> None:
        """The order of each invoice: in the importer's scope, and the invoice customer's.

        As on the API (``InvoiceSerializer.validate``). Without an order column, an invoice
        matched in the database keeps its order, so moving it to another customer is
        refused while that order belongs to the old one.
        """
        order = check.text(column(frame, "order_number"), "order_number", report)
        orders = {
            number: (pk, customer)
            for part in chunks(sorted(set(order) - {""}))
            for number, pk, customer in self.scoped(Order)
            .filter(number__in=part)
            .values_list("number", "pk", "customer_id")
        }
        check.reference(order, "order_number", report, orders.keys(), what="order number")
        out["order_id"] = lookup(order, {k: v[0] for k, v in orders.items()})
        owner = lookup(order, {k: v[1] for k, v in orders.items()})
        if "order_number" not in frame.columns:
            kept = {
                number: customer
                for part in chunks(sorted(set(out["number"]) - {""}))
                for number, customer in self.scoped(Invoice)
                .filter(number__in=part, order__isnull=False)
                .values_list("number", "order__customer_id")
            }
            owner = lookup(out["number"], kept)
        mismatch = owner.notna() & out["customer_id"].notna() & (owner != out["customer_id"])
        column_name = "order_number" if "order_number" in frame.columns else "customer_code"
        check.flag_code(report, mismatch, column_name, "other_customers_order")

    def write(self, rows: pd.DataFrame, progress: ProgressCallback | None = None) -> WriteCounts:
        """Upsert invoices on their number (those in the importer's scope)."""
        return upsert(
            Invoice,
            "number",
            records(rows, self.present),
            within=self.scoped(Invoice),
            progress=progress,
        )


class PaymentKind(ImportKind):
    """Payments received. A payment is never edited: a re-imported number must match exactly."""

    name = "payments"
    model = Payment
    key_column = "number"
    key_label = "payment number"
    columns: ClassVar[dict[str, tuple[str, ...]]] = {
        "number": ("payment_number", "payment_no", "收款单号", "付款单号", "回款单号"),
        "customer_code": ("customer", "客户编号", "客户代码"),
        "invoice_number": ("invoice", "invoice_no", "发票号", "发票号码"),
        "received_on": ("date", "payment_date", "收款日期", "回款日期", "日期"),
        "amount": ("金额", "收款金额", "回款金额"),
        "currency": ("币种", "货币"),
        "method": ("payment_method", "付款方式", "收款方式"),
        "reference": ("银行流水号", "参考号"),
    }
    required = frozenset({"number", "customer_code", "received_on", "amount"})
    compared = ("customer_id", "invoice_id", "received_on", "amount", "currency")

    def prepare(self, frame: pd.DataFrame, report: check.Report) -> pd.DataFrame:
        """Validate payment rows, including against payments already recorded."""
        out = pd.DataFrame(index=frame.index)
        out["number"] = check.text(
            column(frame, "number"), "number", report, required=True, max_length=64
        )
        check.unique(out["number"], "number", report, what="payment number")
        out["customer_id"] = _customer(self, frame, report)
        invoice = check.text(column(frame, "invoice_number"), "invoice_number", report)
        invoices = {
            number: (pk, customer)
            for part in chunks(sorted(set(invoice) - {""}))
            for number, pk, customer in self.scoped(Invoice)
            .filter(number__in=part)
            .values_list("number", "pk", "customer_id")
        }
        check.reference(invoice, "invoice_number", report, invoices.keys(), what="invoice number")
        out["invoice_id"] = lookup(invoice, {k: v[0] for k, v in invoices.items()})
        other = lookup(invoice, {k: v[1] for k, v in invoices.items()})
        mismatch = other.notna() & out["customer_id"].notna() & (other != out["customer_id"])
        check.flag_code(report, mismatch, "invoice_number", "other_customers_invoice")
        received = check.date(column(frame, "received_on"), "received_on", report, required=True)
        out["received_on"] = _dates(received)
        amount = check.decimal(
            column(frame, "amount"), "amount", report, required=True, min_value=0,
            min_inclusive=False,
        )  # fmt: skip
        out["amount"] = amount.map(lambda t: Decimal(t) if t else None)
        out["currency"] = _currency(frame, report, Payment)
        out["method"] = check.choice(
            column(frame, "method"), "method", report,
            choice_map(PaymentMethod, {"银行转账": "bank_transfer", "电汇": "bank_transfer",
                                       "信用证": "letter_of_credit", "现金": "cash",
                                       "支票": "cheque", "刷卡": "card", "在线支付": "online",
                                       "其他": "other"}),
            default=PaymentMethod.BANK_TRANSFER,
        )  # fmt: skip
        out["reference"] = check.text(
            column(frame, "reference"), "reference", report, max_length=200
        )
        self._check_ledger(out, report)
        self._check_allocation(out, report)
        return out

    def _new_allocations(self, rows: pd.DataFrame) -> pd.DataFrame:
        """New payments (not in the ledger yet) allocated to an invoice, in file order."""
        new = ~rows["number"].isin(list(self.known))
        return rows[new & rows["invoice_id"].notna() & rows["amount"].notna()]

    def _check_allocation(self, out: pd.DataFrame, report: check.Report) -> None:
        """New payments never pay an invoice more than is still open on it (DUR-2)."""
        new = self._new_allocations(out)
        if new.empty:
            return
        remaining = open_amounts(set(new["invoice_id"]))
        for row, invoice_id, amount in zip(
            new.index, new["invoice_id"], new["amount"], strict=True
        ):
            if amount > remaining[invoice_id]:
                report.add(
                    int(row),
                    "amount",
                    f"{amount} is more than the {remaining[invoice_id]} still open on the "
                    "invoice (after the rows above it)",
                )
            else:
                remaining[invoice_id] -= amount

    def _check_ledger(self, out: pd.DataFrame, report: check.Report) -> None:
        """A payment number already in the ledger must carry the same values (no edits).

        Compared in the importer's scope only: a number taken outside it is refused by the
        permission check, without telling which of its values differ.
        """
        self.known: set[str] = set()
        for part in chunks(sorted(set(out["number"]) - {""})):
            for payment in self.scoped(Payment).filter(number__in=part):
                self.known.add(payment.number)
                rows = out.index[(out["number"] == payment.number).to_numpy()]
                for row in rows:
                    record = out.loc[row]
                    differs = [f for f in self.compared if getattr(payment, f) != record[f]]
                    if differs:
                        params = {"value": repr(payment.number), "fields": ", ".join(differs)}
                        report.add_coded(int(row), "number", "payment_differs", params)

    def _recheck_locked(self, rows: pd.DataFrame) -> None:
        """Lock the invoices paid and check again: a payment recorded since the validation
        (API, another import) must not let this file over-allocate. Raised as a database
        integrity error, so the import fails as a whole and writes nothing."""
        new = self._new_allocations(rows)
        if new.empty:
            return
        remaining = lock_open_amounts(set(new["invoice_id"]))
        totals = new.groupby("invoice_id")["amount"].agg(lambda amounts: sum(amounts, Decimal(0)))
        for invoice_id, total in totals.items():
            if total > remaining[invoice_id]:
                raise IntegrityError(
                    f"the payments for invoice id {invoice_id} ({total}) are more than the "
                    f"{remaining[invoice_id]} still open: a payment was recorded meanwhile"
                )

    def write(self, rows: pd.DataFrame, progress: ProgressCallback | None = None) -> WriteCounts:
        """Append new payments; identical ones already recorded count as unchanged."""
        new = rows[~rows["number"].isin(list(self.known))]
        self._recheck_locked(new)
        fields = ("number", *self.compared, "method", "reference")
        Payment.objects.bulk_create([Payment(**r) for r in new[list(fields)].to_dict("records")])
        settle_invoices({int(i) for i in new["invoice_id"].dropna()})
        if progress:
            progress(len(rows))
        return WriteCounts(created=len(new), unchanged=len(rows) - len(new))
