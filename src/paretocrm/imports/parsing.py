"""Reading an uploaded CSV or XLSX file into a table of strings, safely.

Everything that can be checked before parsing is checked first (QUALITY.md IMP-1, IMP-2):
the extension (.csv, .xlsx only), the size, the magic bytes, the number of lines, and for
XLSX the zip directory (member count, total uncompressed size, compression ratio) before
openpyxl opens it. openpyxl reads in read-only (streaming) mode and parses XML through
defusedxml, so entity-expansion bombs are refused too.

The result is a :class:`RawTable`: header names as written and a pyarrow table whose
columns are all strings ("" for an empty cell). Types are the validator's job.
Row numbers follow the spreadsheet convention: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from paretocrm.imports import messages as texts

SUPPORTED_EXTENSIONS = (".csv", ".xlsx")
ENCODINGS = ("utf-8", "gb18030")
ZIP_MAGIC = b"PK\x03\x04"
# Signatures of binary formats people rename to .csv by mistake (or on purpose).
BINARY_MAGICS = {
    ZIP_MAGIC: "a zip/xlsx file",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) or other OLE file",
    b"%PDF": "a PDF file",
    b"\x1f\x8b": "a gzip file",
    b"\x89PNG": "a PNG image",
}


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why and where.

    Errors made by :func:`file_error` also carry a message code and its parameters
    (:mod:`paretocrm.imports.messages`), so the report words them in the reader's language;
    ``str(error)`` is the English text (the command line, the logs).
    """

    def __init__(self, message: str, *, code: str = "", params: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code
        self.params = dict(params or {})


def file_error(code: str, **params: Any) -> ImportFileError:
    """An :class:`ImportFileError` with a message code (see ``messages.MESSAGES``)."""
    return ImportFileError(texts.english(code, params), code=code, params=params)


@dataclass(frozen=True)
class Limits:
    """Upper bounds checked before (or while) parsing, so a hostile file fails fast."""

    max_bytes: int = 512 * 1024 * 1024
    max_rows: int = 5_000_000
    max_columns: int = 200
    max_zip_members: int = 1_000
    max_uncompressed_bytes: int = 2 * 1024 * 1024 * 1024
    # Real spreadsheets compress 5-30x; a bomb compresses 1000x or more.
    max_compression_ratio: float = 200.0


@dataclass
class RawTable:
    """A parsed file: original header names and a string-only table of the records."""

    source: str
    headers: list[str]
    table: pa.Table
    # Spreadsheet row number of each record (header = 1), aligned with ``table``.
    row_numbers: list[int] = field(default_factory=list)
    # Rows that could not be split into the header's number of fields: (row, fields found).
    malformed_rows: list[tuple[int, int]] = field(default_factory=list)

    @property
    def num_rows(self) -> int:
        """Number of well-formed records (header excluded)."""
        return int(self.table.num_rows)


def read_table(
    path: Path | str,
    *,
    encoding: str = "utf-8",
    sheet: str | None = None,
    limits: Limits | None = None,
) -> RawTable:
    """Check and read ``path`` (.csv or .xlsx) into a :class:`RawTable` of strings."""
    path = Path(path)
    limits = limits or Limits()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise file_error("unsupported_type", file=path.name, suffix=repr(suffix or "(none)"))
    if not path.is_file():
        raise ImportFileError(f"{path}: file not found.")
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise file_error(
            "too_large", file=path.name, size=f"{size:,}", limit=f"{limits.max_bytes:,}"
        )
    if size == 0:
        raise file_error("file_empty", file=path.name)
    with path.open("rb") as handle:
        head = handle.read(8)
    if suffix == ".xlsx":
        if sheet is not None and not sheet.strip():
            raise ImportFileError("--sheet: the sheet name is empty.")
        return _read_xlsx(path, head, sheet=sheet, limits=limits)
    if sheet is not None:
        raise ImportFileError(f"{path.name}: --sheet applies to .xlsx files only.")
    return _read_csv(path, head, encoding=encoding, limits=limits)


# --- CSV --------------------------------------------------------------------------------


def _read_csv(path: Path, head: bytes, *, encoding: str, limits: Limits) -> RawTable:
    for magic, what in BINARY_MAGICS.items():
        if head.startswith(magic):
            raise file_error("not_csv", file=path.name, what=what)
    if encoding.lower().replace("_", "-") not in ENCODINGS:
        raise ImportFileError(f"--encoding: {encoding!r} is not supported; use utf-8 or gb18030.")
    data = path.read_bytes()
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if lines - 1 > limits.max_rows:
        rows, limit = f"{lines - 1:,}", f"{limits.max_rows:,}"
        raise file_error("too_many_rows", file=path.name, rows=rows, limit=limit)
    if b"\x00" in data[:65536]:
        raise file_error("nul_bytes", file=path.name)
    text = _decode(path.name, data, encoding)
    del data
    header_line = text.split("\n", 1)[0]
    headers = next(csv.reader([header_line]), [])
    headers = [h.strip() for h in headers]
    _check_headers(path.name, headers, limits)
    if "\n\n" in text or "\n\r\n" in text:
        # Blank lines: the fast tokenizer drops them silently, which would shift row numbers.
        return _parse_csv_slow(path.name, text, headers)
    utf8 = text.encode("utf-8")
    del text
    return _parse_csv_bytes(path.name, utf8, headers)


def _decode(name: str, data: bytes, encoding: str) -> str:
    """Decode strictly; a bad byte is reported with its line number, not a traceback."""
    codec = "gb18030" if encoding.lower() == "gb18030" else "utf-8"
    if codec == "utf-8" and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        raise file_error(
            "bad_bytes" if codec == "gb18030" else "bad_utf8_bytes",
            file=name,
            row=line,
            codec=codec,
            data=repr(data[exc.start : exc.end]),
            offset=exc.start - line_start + 1,
        ) from None


def _parse_csv_bytes(name: str, utf8: bytes, headers: list[str]) -> RawTable:
    malformed: list[str] = []

    def on_invalid(row: Any) -> str:
        malformed.append(row.text)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(utf8),
            read_options=pacsv.ReadOptions(
                column_names=[f"c{i}" for i in range(len(headers))], skip_rows=1
            ),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(len(headers))},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise ImportFileError(f"{name}: cannot parse the CSV: {exc}") from None
    if malformed:
        # Rows were dropped, so positions no longer give row numbers: re-read exactly.
        return _parse_csv_slow(name, utf8.decode("utf-8"), headers)
    table = table.rename_columns(headers)
    return RawTable(name, headers, table, list(range(2, table.num_rows + 2)))


def _parse_csv_slow(name: str, text: str, headers: list[str]) -> RawTable:
    """Record-by-record reading that keeps exact row numbers (blank or malformed rows)."""
    reader = csv.reader(io.StringIO(text))
    next(reader, None)
    width = len(headers)
    columns: list[list[str]] = [[] for _ in range(width)]
    numbers: list[int] = []
    malformed: list[tuple[int, str]] = []
    for number, record in enumerate(reader, start=2):
        if not record or not any(record):
            continue
        if len(record) != width:
            malformed.append((number, len(record)))
            continue
        numbers.append(number)
        for column, value in zip(columns, record, strict=True):
            column.append(value)
    table = pa.table(
        {h: pa.array(c, type=pa.string()) for h, c in zip(headers, columns, strict=True)}
    )
    return RawTable(name, headers, table, numbers, malformed)


def _check_headers(name: str, headers: list[str], limits: Limits) -> None:
    if not any(headers):
        raise file_error("no_header", file=name)
    if len(headers) > limits.max_columns:
        raise ImportFileError(
            f"{name}: row 1: {len(headers)} columns, more than the limit of {limits.max_columns}."
        )
    seen: set[str] = set()
    for position, header in enumerate(headers, start=1):
        if not header:
            raise file_error("blank_header", file=name, position=position)
        if header in seen:
            raise file_error("header_twice", file=name, header=repr(header))
        seen.add(header)


# --- XLSX -------------------------------------------------------------------------------


def _read_xlsx(path: Path, head: bytes, *, sheet: str | None, limits: Limits) -> RawTable:
    if not head.startswith(ZIP_MAGIC):
        raise ImportFileError(
            f"{path.name}: not a real .xlsx file (an .xlsx is a zip archive; this one starts "
            f"with {head[:4]!r})."
        )
    check_zip(path, limits)
    import openpyxl  # imported here: CSV-only runs do not pay for it

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken archives
        raise ImportFileError(f"{path.name}: cannot open the workbook: {exc}") from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            names = ", ".join(workbook.sheetnames)
            raise ImportFileError(f"{path.name}: --sheet {sheet!r} not found; sheets: {names}.")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        declared = worksheet.max_row if isinstance(worksheet.max_row, int) else 0
        if declared - 1 > limits.max_rows:
            raise ImportFileError(
                f"{path.name}: {declared - 1:,} rows, more than the limit of {limits.max_rows:,}."
            )
        return _sheet_to_table(path.name, worksheet, limits)
    finally:
        workbook.close()


def check_zip(path: Path, limits: Limits) -> None:
    """Refuse decompression bombs by reading only the zip's central directory."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ImportFileError(f"{path.name}: not a valid .xlsx (zip) file: {exc}.") from None
    if len(members) > limits.max_zip_members:
        raise ImportFileError(
            f"{path.name}: {len(members):,} parts inside the .xlsx, more than the limit of "
            f"{limits.max_zip_members:,}."
        )
    total = sum(member.file_size for member in members)
    if total > limits.max_uncompressed_bytes:
        raise ImportFileError(
            f"{path.name}: unpacks to {total:,} bytes, more than the limit of "
            f"{limits.max_uncompressed_bytes:,} (possible decompression bomb)."
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > limits.max_compression_ratio:
            raise ImportFileError(
                f"{path.name}: part {member.filename!r} is compressed {ratio:,.0f}:1, more than "
                f"{limits.max_compression_ratio:,.0f}:1 (possible decompression bomb)."
            )


def _sheet_to_table(name: str, worksheet: Any, limits: Limits) -> RawTable:
    rows = worksheet.iter_rows(values_only=True)
    first = next(rows, None)
    if first is None:
        raise file_error("sheet_empty", file=name)
    headers = [cell_text(value).strip() for value in first]
    while headers and not headers[-1]:
        headers.pop()  # trailing formatted-but-empty header cells
    _check_headers(name, headers, limits)
    width = len(headers)
    columns: list[list[str]] = [[] for _ in range(width)]
    numbers: list[int] = []
    for number, values in enumerate(rows, start=2):
        texts = [cell_text(v) for v in values[:width]]
        if not any(texts):
            continue  # blank row: Excel users leave these
        if len(numbers) >= limits.max_rows:
            raise ImportFileError(f"{name}: more than the limit of {limits.max_rows:,} rows.")
        numbers.append(number)
        texts += [""] * (width - len(texts))
        for column, text in zip(columns, texts, strict=True):
            column.append(text)
    table = pa.table(
        {h: pa.array(c, type=pa.string()) for h, c in zip(headers, columns, strict=True)}
    )
    return RawTable(name, headers, table, numbers)


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV export would contain."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)
