"""The shipped CDNOW data: loaded from the package, in the contract format, credited."""

from __future__ import annotations

from importlib import resources

import pandas as pd

from paretocrm.analytics.datasets import load_cdnow_master, load_cdnow_sample


def test_sample_has_the_papers_size_and_contract_columns(cdnow_transactions: pd.DataFrame) -> None:
    assert cdnow_transactions.shape == (6_919, 4)
    assert list(cdnow_transactions.columns) == ["customer_id", "timestamp", "amount", "quantity"]
    assert cdnow_transactions["customer_id"].nunique() == 2_357
    assert cdnow_transactions["customer_id"].iloc[0] == "00004"  # zero padding kept
    assert cdnow_transactions["timestamp"].min() == pd.Timestamp("1997-01-01")
    assert cdnow_transactions["timestamp"].max() <= pd.Timestamp("1998-06-30")


def test_master_has_every_customer_of_the_cohort() -> None:
    master = load_cdnow_master()
    assert master.shape == (69_659, 4)
    assert master["customer_id"].nunique() == 23_570
    sample_ids = set(load_cdnow_sample()["customer_id"])
    assert sample_ids <= set(master["customer_id"])


def test_credit_line_ships_with_the_data() -> None:
    text = resources.files("paretocrm.analytics.data").joinpath("CREDIT.txt").read_text("utf-8")
    assert "CDNOW data, courtesy of Peter S. Fader and Bruce G. S. Hardie" in text
