"""File-level checks: extensions, magic bytes, limits, zip bombs, encodings, row numbers."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from paretocrm.imports.parsing import ImportFileError, Limits, read_table


def test_wrong_extension_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "customers.txt"
    path.write_text("code,name\nC1,A\n")
    with pytest.raises(ImportFileError, match=r"customers.txt: unsupported file type '.txt'"):
        read_table(path)


def test_fake_xlsx_with_wrong_magic_bytes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("code,name\nC1,A\n")
    with pytest.raises(ImportFileError, match=r"not a real \.xlsx file"):
        read_table(path)


def test_zip_renamed_to_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "x")
    with pytest.raises(ImportFileError, match="not a CSV text file"):
        read_table(path)


def test_zip_bomb_is_rejected_fast_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    started = time.perf_counter()
    with pytest.raises(ImportFileError, match="possible decompression bomb"):
        read_table(path)
    assert time.perf_counter() - started < 2.0


def test_uncompressed_total_over_the_limit_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/a.xml", b"a" * 5000)
    with pytest.raises(ImportFileError, match="unpacks to 5,000 bytes"):
        read_table(path, limits=Limits(max_uncompressed_bytes=1000))


def test_size_and_row_limits_are_checked_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("code,name\n" + "C,A\n" * 20)
    with pytest.raises(ImportFileError, match="20 rows, more than the limit of 10"):
        read_table(path, limits=Limits(max_rows=10))
    with pytest.raises(ImportFileError, match="more than the limit of 50"):
        read_table(path, limits=Limits(max_bytes=50))


def test_invalid_utf8_bytes_name_the_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes("code,name\nC1,好\nC2,".encode() + b"\xff\xfe" + b"\nC3,x\n")
    with pytest.raises(ImportFileError, match=r"bad.csv: row 3: invalid utf-8 bytes"):
        read_table(path)


def test_utf8_bom_is_tolerated_and_gb18030_is_read_by_choice(tmp_path: Path) -> None:
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeff客户编号,客户名称\nC1,华东\n".encode())
    assert read_table(bom).headers == ["客户编号", "客户名称"]
    gb = tmp_path / "gb.csv"
    gb.write_bytes("客户编号,客户名称\nC1,华东贸易\n".encode("gb18030"))
    table = read_table(gb, encoding="gb18030").table
    assert table.column("客户名称").to_pylist() == ["华东贸易"]
    with pytest.raises(ImportFileError, match="try --encoding gb18030"):
        read_table(gb)


def test_row_numbers_survive_blank_and_malformed_lines(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text("code,name\nC1,A\n\nC2,B,extra\nC3,C\n")
    raw = read_table(path)
    assert raw.row_numbers == [2, 5]
    assert raw.table.column("code").to_pylist() == ["C1", "C3"]
    assert raw.malformed_rows == [(4, 3)]  # row 4 has 3 fields where the header has 2


def test_duplicate_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("code,code\n1,2\n")
    with pytest.raises(ImportFileError, match="row 1: column header 'code' appears twice"):
        read_table(path)


def test_xlsx_is_read_with_sheet_choice_and_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "other"
    sheet = workbook.create_sheet("orders")
    sheet.append(["code", "qty"])
    sheet.append(["C1", 3.0])
    sheet.append([None, None])
    sheet.append(["C2", 2.5])
    workbook.save(path)
    raw = read_table(path, sheet="orders")
    assert raw.table.column("qty").to_pylist() == ["3", "2.5"]
    assert raw.row_numbers == [2, 4]
    with pytest.raises(ImportFileError, match="--sheet 'nope' not found; sheets: other, orders"):
        read_table(path, sheet="nope")


LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>\n"
)


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_imp2_an_xml_entity_bomb_inside_an_xlsx_is_refused_fast(tmp_path: Path, part: str) -> None:
    """Billion laughs (10^9 "lol"s from a few hundred bytes) in a part of a real workbook:
    defusedxml refuses the DOCTYPE, so it is a named file error within 2 s, not a hang."""
    source = tmp_path / "ok.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["code", "name"])
    workbook.active.append(["C1", "&lol9;"])
    workbook.save(source)
    bomb = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(bomb, "w") as out:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == part:
                body = data.decode("utf-8")
                body = body.split("?>", 1)[1] if body.startswith("<?xml") else body
                data = (LAUGHS + body.replace("&amp;lol9;", "&lol9;")).encode("utf-8")
            out.writestr(item, data)
    started = time.perf_counter()
    with pytest.raises(ImportFileError, match=r"laughs\.xlsx"):
        read_table(bomb)
    assert time.perf_counter() - started < 2.0
