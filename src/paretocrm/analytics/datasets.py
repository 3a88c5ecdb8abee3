"""Demo data sets shipped inside the package.

CDNOW data, courtesy of Peter S. Fader and Bruce G. S. Hardie (see ``data/CREDIT.txt``).
Both loaders return transactions in the analytics data contract format (columns
``customer_id``, ``timestamp``, ``quantity``, ``amount``; validated by
:func:`paretocrm.analytics.contract.load_transactions_frame`).
"""

from __future__ import annotations

import gzip
from importlib import resources
from typing import Final

import pandas as pd

from paretocrm.analytics.contract import load_transactions_frame

#: End of the calibration period used in the CDNOW papers (inclusive).
CDNOW_CALIBRATION_END: Final = "1997-09-30"
#: End of the holdout period used in the CDNOW papers (inclusive).
CDNOW_OBSERVATION_END: Final = "1998-06-30"

_DATA_PACKAGE: Final = "paretocrm.analytics.data"


def load_cdnow_sample() -> pd.DataFrame:
    """The 1/10 sample of 2,357 CDNOW customers (6,919 rows) used in the published papers.

    ``customer_id`` is the customer's id in the master file (zero-padded text).
    """
    frame = _read("cdnow_sample.txt.gz", ["customer_id", "sample_id", "date", "cds", "dollars"])
    return _to_contract(frame)


def load_cdnow_master() -> pd.DataFrame:
    """All 23,570 CDNOW customers of the 1997 Q1 cohort (69,659 rows)."""
    frame = _read("cdnow_master.txt.gz", ["customer_id", "date", "cds", "dollars"], header=True)
    return _to_contract(frame)


def _read(name: str, columns: list[str], *, header: bool = False) -> pd.DataFrame:
    with (
        resources.files(_DATA_PACKAGE).joinpath(name).open("rb") as raw,
        gzip.open(raw, "rt", encoding="ascii") as text,
    ):
        frame: pd.DataFrame = pd.read_csv(
            text,
            sep=r"\s+",
            header=None,
            skiprows=1 if header else 0,
            names=columns,
            dtype={"customer_id": str, "sample_id": str, "date": str},
        )
    return frame


def _to_contract(frame: pd.DataFrame) -> pd.DataFrame:
    transactions = pd.DataFrame(
        {
            "customer_id": frame["customer_id"],
            "timestamp": pd.to_datetime(frame["date"], format="%Y%m%d"),
            "amount": frame["dollars"].astype("float64"),
            "quantity": frame["cds"].astype("float64"),
        }
    )
    return load_transactions_frame(transactions)
