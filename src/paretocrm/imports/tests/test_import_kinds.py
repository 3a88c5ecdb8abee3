"""Importing each kind: good files, bad files, dry run, all-or-nothing, re-import."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from paretocrm.customers.models import Contact, Customer
from paretocrm.imports.models import ImportBatch, ImportStatus
from paretocrm.imports.services import run_import
from paretocrm.sales.models import Invoice, Order, OrderLine, Payment, Product

pytestmark = pytest.mark.django_db
Writer = Callable[..., Path]

ORDER_HEADER = [
    "order_number",
    "customer_code",
    "date",
    "sku",
    "quantity",
    "unit_price",
    "unit_cost",
    "discount",
]


def messages(result) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    return [(i.row, i.column, i.message) for i in result.report.sorted_issues()]


def test_customers_good_file_then_reimport_changes_nothing(write_csv: Writer) -> None:
    path = write_csv(
        "c.csv",
        [
            ["code", "name", "industry", "country", "scope", "cooperation_level", "credit_limit"],
            ["C1", "华东贸易", "food", "CN", "全国性", "战略合作伙伴", "1,000,000.00"],
            ["C2", "Acme", "steel", "de", "global", "partner", ""],
        ],
    )
    first = run_import("customers", path)
    assert first.status == ImportStatus.COMMITTED
    assert (first.counts.created, first.counts.updated, first.counts.unchanged) == (2, 0, 0)
    c1 = Customer.objects.get(code="C1")
    assert (c1.scope, c1.cooperation_level, c1.credit_limit) == (
        "national",
        "strategic_partner",
        Decimal("1000000.00"),
    )
    assert Customer.objects.get(code="C2").country == "DE"
    second = run_import("customers", path)
    assert (second.counts.created, second.counts.updated, second.counts.unchanged) == (0, 0, 2)
    assert Customer.objects.get(code="C1").version == c1.version


def test_chinese_headers_are_mapped(write_csv: Writer) -> None:
    path = write_csv(
        "c.csv", [["客户编号", "客户名称", "行业", "币种"], ["K9", "广州果业", "水果", "usd"]]
    )
    result = run_import("customers", path)
    assert result.status == ImportStatus.COMMITTED
    customer = Customer.objects.get(code="K9")
    assert (customer.name, customer.industry, customer.currency) == ("广州果业", "水果", "USD")


def test_changed_row_is_updated_and_counted(write_csv: Writer, customers) -> None:  # type: ignore[no-untyped-def]
    path = write_csv("c.csv", [["code", "name"], ["C1", "华东贸易"], ["C2", "Acme AG"]])
    result = run_import("customers", path)
    assert (result.counts.updated, result.counts.unchanged) == (1, 1)
    assert Customer.objects.get(code="C2").name == "Acme AG"


def test_missing_required_column_rejects_the_file(write_csv: Writer) -> None:
    result = run_import("customers", write_csv("c.csv", [["code", "colour"], ["C1", "red"]]))
    assert result.status == ImportStatus.REJECTED
    assert (
        1,
        "name",
        "required column is missing (header name / customer_name / 客户名称)",
    ) in messages(result)
    assert (1, "colour", "unknown column, ignored") in messages(result)
    assert Customer.objects.count() == 0


def test_duplicate_key_in_file_is_reported_with_first_row(write_csv: Writer) -> None:
    path = write_csv("c.csv", [["code", "name"], ["C1", "A"], ["C1", "B"]])
    result = run_import("customers", path)
    assert (3, "code", "duplicate customer code 'C1' (first at row 2)") in messages(result)
    assert result.status == ImportStatus.REJECTED
    assert Customer.objects.count() == 0


def test_dry_run_validates_everything_and_writes_nothing(write_csv: Writer) -> None:
    path = write_csv("c.csv", [["code", "name", "scope"], ["C1", "A", "galactic"], ["C2", "", ""]])
    result = run_import("customers", path, dry_run=True)
    assert result.status == ImportStatus.VALIDATED
    assert (2, "scope", "is not one of global, national, regional: 'galactic'") in messages(result)
    assert (3, "name", "is required") in messages(result)
    assert Customer.objects.count() == 0
    good = run_import(
        "customers", write_csv("g.csv", [["code", "name"], ["C1", "A"]]), dry_run=True
    )
    assert good.ok and Customer.objects.count() == 0
    assert ImportBatch.objects.filter(status=ImportStatus.VALIDATED).count() == 2


def test_contacts_match_on_external_id_or_customer_and_email(write_csv: Writer, customers) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(
        "p.csv",
        [
            ["联系人编号", "客户编号", "姓名", "邮箱", "影响力", "角色"],
            ["P1", "C1", "王伟", "wang@example.cn", "5", "决策者"],
            ["", "C2", "Anna", "Anna@Example.de", "3", "influencer"],
        ],
    )
    first = run_import("contacts", path)
    assert first.counts.created == 2, messages(first)
    assert Contact.objects.get(external_id="P1").buying_role == "decision_maker"
    assert Contact.objects.get(customer__code="C2").email == "anna@example.de"
    second = run_import("contacts", path)
    assert (second.counts.created, second.counts.unchanged) == (0, 2)


def test_contact_with_unknown_customer_and_bad_influence(write_csv: Writer, customers) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(
        "p.csv",
        [["customer_code", "name", "email", "influence"], ["NOPE", "X", "x@example.com", "9"]],
    )
    result = run_import("contacts", path)
    assert (
        2,
        "customer_code",
        "unknown customer code 'NOPE' (not in the file nor in the database)",
    ) in messages(result)
    assert (2, "influence", "must be at most 5, got '9'") in messages(result)


def test_products_create_categories_and_reimport(write_csv: Writer) -> None:
    path = write_csv(
        "s.csv",
        [
            ["产品编号", "品名", "类别", "成本", "单价"],
            ["SKU-1", "苹果", "水果", "2.5", "4.0000"],
            ["SKU-2", "梨", "水果", "abc", "3"],
        ],
    )
    bad = run_import("products", path)
    assert (3, "unit_cost", "is not a number: 'abc'") in messages(bad)
    assert Product.objects.count() == 0
    skipped = run_import("products", path, skip_invalid=True)
    assert skipped.status == ImportStatus.COMMITTED and skipped.skipped_rows == [3]
    product = Product.objects.get(sku="SKU-1")
    assert (product.category.name, product.unit_cost) == ("水果", Decimal("2.5"))


def make_orders(write_csv: Writer, rows: list[list[str]], name: str = "o.csv") -> Path:
    return write_csv(name, [ORDER_HEADER, *rows])


def test_orders_flat_file_creates_orders_with_lines_and_reimport_is_noop(
    write_csv: Writer, customers
) -> None:  # type: ignore[no-untyped-def]
    Product.objects.create(sku="S1", name="Apple", unit_cost=Decimal("1.2000"))
    path = make_orders(
        write_csv,
        [
            ["O1", "C1", "2024-03-01", "S1", "10", "2.50", "", "5"],
            ["O1", "C1", "2024-03-01", "", "1", "100", "60", ""],
            ["O2", "C2", "2024/3/5", "", "2", "7.25", "", ""],
        ],
    )
    first = run_import("orders", path)
    assert first.status == ImportStatus.COMMITTED, messages(first)
    assert (first.counts.created, OrderLine.objects.count()) == (2, 3)
    order = Order.objects.get(number="O1")
    lines = list(order.lines.order_by("line_number"))
    assert [ln.line_number for ln in lines] == [1, 2]
    assert lines[0].unit_cost == Decimal("1.2000")  # copied from the product
    assert order.revenue() == Decimal("123.75")
    assert order.customer.code == "C1"
    second = run_import("orders", path)
    assert (second.counts.created, second.counts.updated, second.counts.unchanged) == (0, 0, 2)
    assert OrderLine.objects.count() == 3


def test_changed_order_gets_its_lines_replaced(write_csv: Writer, customers) -> None:  # type: ignore[no-untyped-def]
    run_import("orders", make_orders(write_csv, [["O1", "C1", "2024-03-01", "", "1", "5", "", ""]]))
    path = make_orders(
        write_csv,
        [
            ["O1", "C1", "2024-03-01", "", "2", "5", "", ""],
            ["O1", "C1", "2024-03-01", "", "1", "1", "", ""],
        ],
        "o2.csv",
    )
    result = run_import("orders", path)
    assert result.counts.updated == 1
    order = Order.objects.get(number="O1")
    assert (order.lines.count(), order.revenue(), order.version) == (2, Decimal("11.00"), 2)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            ["O1", "C1", "2024-03-01", "", "abc", "5", "", ""],
            (2, "quantity", "is not a number: 'abc'"),
        ),
        (
            ["O1", "C1", "2024-02-30", "", "1", "5", "", ""],
            (2, "ordered_at", "is not a valid date (use YYYY-MM-DD): '2024-02-30'"),
        ),
        (
            ["O1", "ZZ", "2024-03-01", "", "1", "5", "", ""],
            (
                2,
                "customer_code",
                "unknown customer code 'ZZ' (not in the file nor in the database)",
            ),
        ),
        (
            ["O1", "C1", "2024-03-01", "", "0", "5", "", ""],
            (2, "quantity", "must be greater than 0, got '0'"),
        ),
        (
            ["O1", "C1", "2024-03-01", "", "1", "5", "", "120"],
            (2, "discount", "must be at most 100, got '120'"),
        ),
        (
            ["O1", "C1", "2024-03-01", "NOSKU", "1", "5", "", ""],
            (2, "sku", "unknown product SKU 'NOSKU' (not in the file nor in the database)"),
        ),
    ],
)
def test_bad_order_values_are_reported_by_row_and_column(
    write_csv: Writer, customers, row, expected
) -> None:  # type: ignore[no-untyped-def]
    result = run_import("orders", make_orders(write_csv, [row]))
    assert expected in messages(result)
    assert result.status == ImportStatus.REJECTED
    assert Order.objects.count() == 0


def test_order_errors_are_all_or_nothing_and_skip_invalid_drops_whole_orders(
    write_csv: Writer, customers
) -> None:  # type: ignore[no-untyped-def]
    path = make_orders(
        write_csv,
        [
            ["O1", "C1", "2024-03-01", "", "1", "5", "", ""],
            ["O2", "C1", "2024-03-02", "", "1", "5", "", ""],
            ["O2", "C2", "2024-03-02", "", "x", "5", "", ""],
        ],
    )
    rejected = run_import("orders", path)
    assert rejected.status == ImportStatus.REJECTED
    assert (
        4,
        "customer_code",
        "differs from the first line of the same order (row 3)",
    ) in messages(rejected)
    assert (3, "number", "skipped with its order number 'O2': row 4 of it is invalid") in messages(
        rejected
    )
    assert Order.objects.count() == 0
    partial = run_import("orders", path, skip_invalid=True)
    assert partial.skipped_rows == [3, 4]
    assert list(Order.objects.values_list("number", flat=True)) == ["O1"]
    assert OrderLine.objects.count() == 1


def test_duplicate_order_line_in_file(write_csv: Writer, customers) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(
        "o.csv",
        [
            ["订单号", "客户编号", "日期", "行号", "数量", "金额"],
            ["O1", "C1", "2024-03-01", "1", "3", "10.00"],
            ["O1", "C1", "2024-03-01", "1", "1", "5"],
        ],
    )
    result = run_import("orders", path)
    assert (3, "line_number", "duplicate order line 'O1#1' (first at row 2)") in messages(result)


def test_amount_column_gives_unit_price_reproducing_the_amount(
    write_csv: Writer, customers
) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(
        "o.csv",
        [["订单号", "客户编号", "日期", "数量", "金额"], ["O1", "C1", "2024-03-01", "3", "11.77"]],
    )
    assert run_import("orders", path).status == ImportStatus.COMMITTED
    assert Order.objects.get().revenue() == Decimal("11.77")


def test_xlsx_orders_with_chinese_headers(tmp_path: Path, customers) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "orders.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "订单"
    sheet.append(["订单号", "客户编号", "日期", "数量", "单价", "折扣"])
    import datetime as dt

    sheet.append(["X1", "C2", dt.datetime(2024, 5, 6), 4, 2.5, 10])
    workbook.save(path)
    result = run_import("orders", path, sheet="订单")
    assert result.status == ImportStatus.COMMITTED, messages(result)
    assert Order.objects.get(number="X1").revenue() == Decimal("9.00")


def test_gb18030_file_with_explicit_encoding(write_csv: Writer) -> None:
    path = write_csv("gb.csv", [["客户编号", "客户名称"], ["G1", "深圳电子"]], encoding="gb18030")
    assert run_import("customers", path).status == ImportStatus.REJECTED
    assert run_import("customers", path, encoding="gb18030").status == ImportStatus.COMMITTED
    assert Customer.objects.get(code="G1").name == "深圳电子"


def test_invalid_bytes_are_a_row_precise_rejection_recorded_in_the_batch(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"code,name\nC1,A\nC2,\xc3\x28\n")
    result = run_import("customers", path)
    assert result.status == ImportStatus.REJECTED
    assert "row 3: invalid utf-8 bytes" in result.report.issues[0].message
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert batch.status == ImportStatus.REJECTED and batch.errors == 1


def test_invoices_and_payments_with_reimport_and_ledger_protection(
    write_csv: Writer, customers
) -> None:  # type: ignore[no-untyped-def]
    invoices = write_csv(
        "i.csv",
        [
            ["发票号", "客户编号", "开票日期", "到期日", "金额"],
            ["INV1", "C1", "2024-01-01", "2024-02-01", "500.00"],
            ["INV2", "C2", "2024-01-05", "2024-01-01", "10"],
        ],
    )
    bad = run_import("invoices", invoices)
    assert (3, "due_on", "is before the issue date") in messages(bad)
    assert run_import("invoices", invoices, skip_invalid=True).counts.created == 1
    assert Invoice.objects.get().due_on.isoformat() == "2024-02-01"
    payments = write_csv(
        "p.csv",
        [
            ["收款单号", "客户编号", "发票号", "收款日期", "金额", "付款方式"],
            ["PAY1", "C1", "INV1", "2024-01-20", "200", "电汇"],
        ],
    )
    first = run_import("payments", payments)
    assert first.counts.created == 1 and Payment.objects.get().method == "bank_transfer"
    assert run_import("payments", payments).counts.unchanged == 1
    edited = write_csv(
        "p2.csv",
        [
            ["收款单号", "客户编号", "发票号", "收款日期", "金额"],
            ["PAY1", "C1", "INV1", "2024-01-20", "250"],
        ],
    )
    refused = run_import("payments", edited)
    assert refused.status == ImportStatus.REJECTED
    assert "already recorded with other amount" in messages(refused)[0][2]
    assert Payment.objects.get().amount == Decimal("200.00")


def test_payment_for_another_customers_invoice_is_refused(write_csv: Writer, customers) -> None:  # type: ignore[no-untyped-def]
    Invoice.objects.create(
        customer=customers[0],
        number="INV1",
        issued_on="2024-01-01",
        due_on="2024-01-31",
        amount=Decimal(10),
    )
    path = write_csv(
        "p.csv",
        [
            ["number", "customer_code", "invoice_number", "received_on", "amount"],
            ["PAY9", "C2", "INV1", "2024-01-20", "5"],
        ],
    )
    assert (2, "invoice_number", "belongs to another customer") in messages(
        run_import("payments", path)
    )


def test_dur2_imported_payments_never_pay_an_invoice_more_than_is_open(  # type: ignore[no-untyped-def]
    write_csv: Writer, customers
) -> None:
    invoice = Invoice.objects.create(
        customer=customers[0], number="INV1", issued_on="2024-01-01", due_on="2024-01-31",
        amount=Decimal("500.00"),
    )  # fmt: skip
    Payment.objects.create(
        customer=customers[0], invoice=invoice, number="PAY0", received_on="2024-01-10",
        amount=Decimal("200.00"),
    )  # fmt: skip
    header = ["number", "customer_code", "invoice_number", "received_on", "amount"]
    path = write_csv(
        "p.csv",
        [
            header,
            ["PAY0", "C1", "INV1", "2024-01-10", "200.00"],  # already recorded: unchanged
            ["PAY1", "C1", "INV1", "2024-01-20", "250.00"],  # 300 open: fits
            ["PAY2", "C1", "INV1", "2024-01-25", "100.00"],  # only 50 left after PAY1
        ],
    )
    refused = run_import("payments", path)
    assert refused.status == ImportStatus.REJECTED
    assert messages(refused) == [
        (4, "amount", "100.00 is more than the 50.00 still open on the invoice (after the rows "
         "above it)")
    ]  # fmt: skip
    assert Payment.objects.count() == 1
    skipped = run_import("payments", path, skip_invalid=True)
    assert (skipped.counts.created, skipped.counts.unchanged) == (1, 1)
    assert sorted(Payment.objects.values_list("number", flat=True)) == ["PAY0", "PAY1"]
    invoice.refresh_from_db()
    assert invoice.status == "issued"  # 50.00 still open


def test_an_import_that_pays_an_invoice_in_full_marks_it_paid(  # type: ignore[no-untyped-def]
    write_csv: Writer, customers
) -> None:
    invoice = Invoice.objects.create(
        customer=customers[0], number="INV1", issued_on="2024-01-01", due_on="2024-01-31",
        amount=Decimal("500.00"),
    )  # fmt: skip
    header = ["number", "customer_code", "invoice_number", "received_on", "amount"]
    path = write_csv(
        "p.csv",
        [
            header,
            ["PAY1", "C1", "INV1", "2024-01-20", "300.00"],
            ["PAY2", "C1", "INV1", "2024-01-25", "200.00"],
            ["PAY3", "C1", "", "2024-01-26", "10.00"],  # on account: no invoice
        ],
    )
    assert run_import("payments", path).counts.created == 3
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_dur2_the_payment_import_rechecks_under_lock_and_writes_nothing_if_overpaid(  # type: ignore[no-untyped-def]
    write_csv: Writer, customers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As if a payment arrived between the validation and the write: the write locks the
    invoices, sees the over-allocation and the whole import fails, nothing written."""
    from paretocrm.imports.kinds.billing import PaymentKind

    Invoice.objects.create(
        customer=customers[0], number="INV1", issued_on="2024-01-01", due_on="2024-01-31",
        amount=Decimal("100.00"),
    )  # fmt: skip
    monkeypatch.setattr(PaymentKind, "_check_allocation", lambda self, out, report: None)
    path = write_csv(
        "p.csv",
        [
            ["number", "customer_code", "invoice_number", "received_on", "amount"],
            ["PAY1", "C1", "INV1", "2024-01-20", "60.00"],
            ["PAY2", "C1", "INV1", "2024-01-21", "60.00"],
        ],
    )
    result = run_import("payments", path)
    assert result.status == ImportStatus.FAILED
    assert "more than the 100.00 still open" in messages(result)[0][2]
    assert not Payment.objects.exists()


def test_unknown_kind_and_literal_text_round_trip(write_csv: Writer) -> None:
    from paretocrm.imports.services import ImportRefused

    with pytest.raises(ImportRefused, match="unknown kind 'widgets'"):
        run_import("widgets", "x.csv")
    nasty = ["'; DROP TABLE x;--", "<script>alert(1)</script>", "{{7*7}}", "=1+1"]
    rows = [["code", "name"]] + [[f"N{i}", text] for i, text in enumerate(nasty)]
    assert run_import("customers", write_csv("n.csv", rows)).status == ImportStatus.COMMITTED
    stored = list(Customer.objects.order_by("code").values_list("name", flat=True))
    assert stored == nasty


def test_an_invoice_import_never_sets_an_amount_below_what_is_paid(
    write_csv: Writer, customers
) -> None:  # type: ignore[no-untyped-def]
    """Issue 14 finding 6 on the import path: the money rule of the API and the page."""
    header = ["number", "customer_code", "issued_on", "amount"]
    run_import("invoices", write_csv("i.csv", [header, ["INV9", "C1", "2024-01-01", "4365.32"]]))
    payments = [["number", "customer_code", "invoice_number", "received_on", "amount"]]
    payments.append(["PAY9", "C1", "INV9", "2024-01-20", "4365.32"])
    assert run_import("payments", write_csv("p.csv", payments)).status == ImportStatus.COMMITTED
    lowered = run_import(
        "invoices", write_csv("i2.csv", [header, ["INV9", "C1", "2024-01-01", "0.01"]])
    )
    assert lowered.status == ImportStatus.REJECTED
    [(row, column_name, message)] = messages(lowered)
    assert (row, column_name) == (2, "amount") and "4365.32" in message
    invoice = Invoice.objects.get(number="INV9")
    assert (invoice.amount, invoice.status) == (Decimal("4365.32"), "paid")


def test_an_order_line_whose_total_is_beyond_the_largest_amount_is_refused(
    write_csv: Writer, customers
) -> None:  # type: ignore[no-untyped-def]
    """Each column within its bound, their product not: refused on its row like the API."""
    path = make_orders(write_csv, [["O9", "C1", "2024-03-01", "", "1000000", "10000000", "", ""]])
    result = run_import("orders", path)
    assert result.status == ImportStatus.REJECTED
    assert [(r, c) for r, c, _m in messages(result)] == [(2, "unit_price")]
    assert not Order.objects.filter(number="O9").exists()


def test_a_masked_export_imported_back_keeps_the_stored_numbers(  # type: ignore[no-untyped-def]
    write_csv: Writer, customers
) -> None:
    """Export (masked) -> edit a title -> import: the full phone and e-mail stay stored."""
    first = write_csv(
        "p.csv",
        [["联系人编号", "客户编号", "姓名", "手机", "邮箱"],
         ["P1", "C1", "陈静", "13812345678", "chenjing@xianguo.cn"]],
    )  # fmt: skip
    assert run_import("contacts", first).counts.created == 1
    edited = write_csv(
        "p2.csv",
        [["联系人编号", "客户编号", "姓名", "职务", "手机", "邮箱"],
         ["P1", "C1", "陈静", "采购经理", "138****5678", "c***@xianguo.cn"]],
    )  # fmt: skip
    result = run_import("contacts", edited)
    assert result.counts.updated == 1, messages(result)
    contact = Contact.objects.get(external_id="P1")
    assert (contact.title, contact.mobile, contact.email) == (
        "采购经理",
        "13812345678",
        "chenjing@xianguo.cn",
    )


def test_a_masked_value_that_matches_no_stored_one_is_refused(write_csv: Writer, customers) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(
        "p.csv",
        [["external_id", "customer_code", "name", "mobile"], ["P9", "C1", "陈静", "138****5678"]],
    )
    result = run_import("contacts", path)
    assert result.counts.created == 0
    [(row, column, message)] = messages(result)
    assert (row, column) == (2, "mobile")
    assert "masked" in message
    assert not Contact.objects.filter(external_id="P9").exists()
