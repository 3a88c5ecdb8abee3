"""The CDNOW purchase file (Fader & Hardie's benchmark data) as customers + orders.

Two layouts exist: the master file (``customer_id date number_of_cds dollar_value``, with a
header line) and the 1/10th sample (``master_id sample_id date cds dollars``, no header).
Each row becomes one order with one line (quantity = CDs, unit price = dollars / CDs to
4 places, which reproduces the dollar value to the cent); the customer code is the CDNOW
id (the master id in the sample). Order numbers are ``CDNOW-<id>-<n>`` with ``n`` counting
the customer's rows in file order, so importing the same file again changes nothing.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pyarrow as pa

from paretocrm.customers.models import Customer
from paretocrm.imports import validation as check
from paretocrm.imports.kinds.base import ProgressCallback, WriteCounts, key_to_id, lookup, upsert
from paretocrm.imports.kinds.orders import OrderKind
from paretocrm.imports.parsing import ImportFileError, Limits, RawTable

CDNOW_EXTENSIONS = (".txt", ".dat", ".csv")


class CdnowKind(OrderKind):
    """CDNOW master or sample file: customers created from the file, one order per row."""

    name = "cdnow"
    has_template = False  # a fixed whitespace-separated layout, no header row

    def load(self, path: Path, *, encoding: str, sheet: str | None, limits: Limits) -> RawTable:
        """Read the whitespace-separated file into the flat order layout."""
        if path.suffix.lower() not in CDNOW_EXTENSIONS:
            raise ImportFileError(f"{path.name}: a CDNOW file is plain text (.txt).")
        if not path.is_file():
            raise ImportFileError(f"{path}: file not found.")
        if path.stat().st_size > limits.max_bytes:
            raise ImportFileError(f"{path.name}: larger than the limit of {limits.max_bytes:,}.")
        text = path.read_bytes().decode("ascii", errors="strict") if path.stat().st_size else ""
        lines = text.splitlines()
        if not lines:
            raise ImportFileError(f"{path.name}: file is empty.")
        has_header = not lines[0].split()[0].isdigit()
        body = "\n".join(lines[1:] if has_header else lines)
        frame = pd.read_csv(io.StringIO(body), sep=r"\s+", header=None, dtype=str)
        first_row = 2 if has_header else 1
        if frame.shape[1] == 4:
            frame.columns = ["customer", "date", "cds", "dollars"]
        elif frame.shape[1] == 5:
            frame.columns = ["customer", "sample_id", "date", "cds", "dollars"]
        else:
            raise ImportFileError(
                f"{path.name}: expected 4 (master) or 5 (sample) columns, found {frame.shape[1]}."
            )
        code = frame["customer"].str.lstrip("0").where(lambda s: s != "", "0")
        sequence = frame.groupby("customer", sort=False).cumcount() + 1
        flat = {
            "number": "CDNOW-" + frame["customer"] + "-" + sequence.astype(str),
            "customer_code": "CDNOW-" + code,
            "ordered_at": frame["date"],
            "quantity": frame["cds"],
            "amount": frame["dollars"],
            "currency": pd.Series("USD", index=frame.index),
        }
        table = pa.table({k: pa.array(v.tolist(), type=pa.string()) for k, v in flat.items()})
        numbers = list(range(first_row, first_row + len(frame)))
        return RawTable(path.name, list(flat), table, numbers)

    def customer_ids(self, codes: pd.Series, report: check.Report) -> pd.Series:
        """Customers come with the file: ids are resolved after they are written."""
        self.codes = sorted(set(codes) - {""})
        return lookup(codes, key_to_id(Customer, "code", self.codes))

    def write(self, rows: pd.DataFrame, progress: ProgressCallback | None = None) -> WriteCounts:
        """Upsert the customers (code, name), then the orders through the bulk path."""
        codes = sorted(set(rows["customer_code"]))
        records = [{"code": c, "name": f"CDNOW customer {c.removeprefix('CDNOW-')}",
                    "currency": "USD"} for c in codes]  # fmt: skip
        self.related_counts = {"customers": upsert(Customer, "code", records)}
        rows = rows.copy()
        rows["customer_id"] = lookup(rows["customer_code"], key_to_id(Customer, "code", codes))
        return super().write(rows, progress)
