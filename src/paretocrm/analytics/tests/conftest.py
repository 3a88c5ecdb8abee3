"""Shared fixtures for the analytics tests: the CDNOW sample and its calibration summary."""

from __future__ import annotations

import pandas as pd
import pytest

from paretocrm.analytics.datasets import (
    CDNOW_CALIBRATION_END,
    CDNOW_OBSERVATION_END,
    load_cdnow_sample,
)
from paretocrm.analytics.summary import summarize


@pytest.fixture(scope="session")
def cdnow_transactions() -> pd.DataFrame:
    """The CDNOW 1/10 sample in the contract format (6,919 rows, 2,357 customers)."""
    return load_cdnow_sample()


@pytest.fixture(scope="session")
def cdnow_summary(cdnow_transactions: pd.DataFrame) -> pd.DataFrame:
    """Weekly summary, calibration to 1997-09-30 and holdout to 1998-06-30 (the papers')."""
    return summarize(
        cdnow_transactions,
        unit="W",
        calibration_end=CDNOW_CALIBRATION_END,
        observation_end=CDNOW_OBSERVATION_END,
    )


@pytest.fixture
def tiny_transactions() -> pd.DataFrame:
    """Three customers with hand-checkable histories (see test_summary.py)."""
    return pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "a", "b", "c", "c"],
            "timestamp": pd.to_datetime(
                [
                    "2024-01-01 09:00",
                    "2024-01-01 17:00",  # same day as the first: one purchase day
                    "2024-01-15",
                    "2024-02-12",  # after calibration_end 2024-01-31: holdout
                    "2024-01-29",
                    "2024-01-03",
                    "2024-01-31",  # on calibration_end: still calibration
                ],
                format="ISO8601",
            ),
            "amount": [10.0, 5.0, 30.0, 7.0, 100.0, 20.0, 40.0],
            "cost": [4.0, 2.0, 10.0, 1.0, 60.0, 5.0, 10.0],
            "order_id": ["o1", "o1", "o2", "o3", "o4", "o5", "o6"],
        }
    )
