"""CDNOW import counts, the CLI commands, and exports with formula neutralisation."""

from __future__ import annotations

import csv
import gzip
from decimal import Decimal
from importlib import resources
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from paretocrm.customers.models import Customer
from paretocrm.imports.exports import export_rows, neutralise
from paretocrm.imports.models import ImportStatus
from paretocrm.imports.services import run_import
from paretocrm.sales.models import Order, OrderLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def cdnow(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The CDNOW files as the package ships them (gzip), written out as the plain text files
    a user downloads. Read as package data, not imported: imports must not use analytics."""
    data = resources.files("paretocrm.analytics") / "data"

    def write(name: str) -> Path:
        target = tmp_path / name
        target.write_bytes(gzip.decompress((data / f"{name.lower()}.gz").read_bytes()))
        return target

    return write


def test_cdnow_sample_imports_2357_customers_and_6919_orders(cdnow) -> None:  # type: ignore[no-untyped-def]
    result = run_import("cdnow", cdnow("CDNOW_sample.txt"))
    assert result.status == ImportStatus.COMMITTED
    assert (Customer.objects.count(), Order.objects.count()) == (2357, 6919)
    assert result.related["customers"].created == 2357
    first = Order.objects.get(number="CDNOW-00004-1")
    assert (first.customer.code, first.revenue(), first.currency) == (
        "CDNOW-4",
        Decimal("29.33"),
        "USD",
    )


def test_an_import_is_recorded_as_a_security_event(cdnow) -> None:  # type: ignore[no-untyped-def]
    from paretocrm.audit.models import AuditEvent

    run_import("cdnow", cdnow("CDNOW_sample.txt"))
    event = AuditEvent.objects.get(kind="import")
    assert event.detail == {
        "kind": "cdnow",
        "file": "CDNOW_sample.txt",
        "status": "committed",
        "system": True,
    }


@pytest.mark.slow
def test_cdnow_master_imports_23570_customers_and_69659_orders(cdnow) -> None:  # type: ignore[no-untyped-def]
    result = run_import("cdnow", cdnow("CDNOW_master.txt"))
    assert result.status == ImportStatus.COMMITTED
    assert (Customer.objects.count(), Order.objects.count()) == (23570, 69659)
    assert OrderLine.objects.count() == 69659


def test_cdnow_file_with_a_bad_row_names_it(tmp_path: Path) -> None:
    path = tmp_path / "cd.txt"
    path.write_text(" 00001 19970101  1   11.77\n 00002 19971332  1   12.00\n")
    result = run_import("cdnow", path, dry_run=True)
    assert result.report.sorted_issues()[0].row == 2
    assert "is not a valid date" in result.report.sorted_issues()[0].message


def test_import_command_prints_report_and_fails_without_traceback(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "c.csv"
    path.write_text("code,name\nC1,\n")
    with pytest.raises(CommandError, match=r"c\.csv: rejected"):
        call_command("import_data", "customers", str(path), as_system=True)
    out = capsys.readouterr().out
    assert "is required" in out and "Nothing was written" in out
    path.write_text("code,name\nC1,Alpha\n")
    call_command("import_data", "customers", str(path), as_system=True)
    assert "1 created, 0 updated, 0 unchanged" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        (Decimal("-5.00"), Decimal("-5.00")),
    ],
)
def test_neutralise_prefixes_formula_starts_only_in_text(text: object, expected: object) -> None:
    assert neutralise(text) == expected


def test_literal_text_round_trip_is_exported_neutralised(tmp_path: Path) -> None:
    nasty = ["'; DROP TABLE x;--", "<script>", "{{7*7}}", "=1+1"]
    source = tmp_path / "n.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [["code", "name"], *[[f"N{i}", t] for i, t in enumerate(nasty)]]
        )
    assert run_import("customers", source).status == ImportStatus.COMMITTED
    out_csv, out_xlsx = tmp_path / "c.csv", tmp_path / "c.xlsx"
    system = ("--as-system",)
    call_command("export_data", "customers", *system, "--format", "csv", "--out", str(out_csv))
    call_command("export_data", "customers", "--as-system", "--out", str(out_xlsx))
    with out_csv.open(encoding="utf-8-sig", newline="") as handle:
        names = [row["name"] for row in csv.DictReader(handle)]
    assert names == ["'; DROP TABLE x;--", "<script>", "{{7*7}}", "'=1+1"]
    sheet = openpyxl.load_workbook(out_xlsx, read_only=True).worksheets[0]
    cells = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert cells == names  # a string, not a formula, in the workbook too


def test_orders_export_imports_back_unchanged(tmp_path: Path) -> None:
    Customer.objects.create(code="C1", name="A")
    source = tmp_path / "o.csv"
    source.write_text(
        "订单号,客户编号,日期,数量,单价,折扣\n"
        "O1,C1,2024-03-01 10:30,2,9.99,5\n"
        "O1,C1,2024-03-01 10:30,1,1,\n"
    )
    assert run_import("orders", source).counts.created == 1
    headers, rows = export_rows("orders")
    out = tmp_path / "back.csv"
    from paretocrm.imports.exports import write_csv

    assert write_csv(out, headers, rows) == 2
    again = run_import("orders", out)
    assert (again.counts.created, again.counts.updated, again.counts.unchanged) == (0, 0, 1)


def test_export_command_refuses_bad_output(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="give --format csv or xlsx"):
        call_command("export_data", "customers", "--as-system", "--out", str(tmp_path / "x.json"))
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "export_data", "customers", "--as-system", "--out", str(tmp_path / "no" / "x.csv")
        )
