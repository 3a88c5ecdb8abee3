"""The purchase model chosen by the book's own time split, and the spend fallbacks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from paretocrm.analytics.contract import load_transactions
from paretocrm.analytics.datasets import CDNOW_CALIBRATION_END, load_cdnow_master
from paretocrm.analytics.pipeline import analyze
from paretocrm.analytics.selection import choose_purchase_model
from paretocrm.analytics.spend import expected_spend, shrunk_mean_spend

#: Top-20 % holdout value capture of the reference BG/NBD + Gamma-Gamma ranking on the
#: CDNOW master file cut at 1997-09-30 (issue 15: 68.4 %).
REFERENCE_CAPTURE = 0.6836


def test_the_choice_only_sees_the_history_before_the_holdout(
    cdnow_transactions: pd.DataFrame,
) -> None:
    table = load_transactions(cdnow_transactions)
    choice = choose_purchase_model(
        table,
        end=CDNOW_CALIBRATION_END,
        unit="W",
        candidates=("mbgnbd", "bgnbd"),
        penalizer_coef=0.0,
    )
    assert choice.test_end is not None and choice.calibration_end is not None
    assert choice.calibration_end < choice.test_end <= str(CDNOW_CALIBRATION_END)
    assert choice.chosen in {"mbgnbd", "bgnbd"}
    figures = choice.candidates[choice.chosen]
    assert figures["capture"] > 0.5 and figures["class_error"] >= 0
    assert choice.chosen in choice.reason or "mbgnbd" in choice.reason


@pytest.mark.slow
def test_cdnow_master_ranking_keeps_the_reference_capture() -> None:
    result = analyze(load_cdnow_master(), holdout=CDNOW_CALIBRATION_END)
    assert result.model_choice is not None and result.backtest is not None
    chosen = result.model_choice.chosen
    captured = result.backtest.models[chosen].top_share_captured
    assert captured >= REFERENCE_CAPTURE, (chosen, captured)


def spend_summary(x: list[int], m: list[float]) -> pd.DataFrame:
    frequency = np.asarray(x, dtype=float)
    mean = np.asarray(m, dtype=float)
    return pd.DataFrame(
        {
            "frequency": frequency,
            "monetary_value": mean,
            "revenue": mean * (frequency + 1),
            "purchase_days": frequency + 1,
        },
        index=[f"c{i}" for i in range(len(x))],
    )


def test_shrunk_means_move_few_purchase_customers_more_towards_the_book() -> None:
    rng = np.random.default_rng(1)
    x = list(rng.integers(1, 30, 200))
    true_means = rng.gamma(4, 250, 200)
    # Each customer's observed mean: the true one plus noise shrinking with 1/x.
    m = [
        max(10.0, mu + rng.normal(0, 400 / np.sqrt(k))) for mu, k in zip(true_means, x, strict=True)
    ]
    summary = spend_summary(x, m)
    shrunk = shrunk_mean_spend(summary)
    book = float(np.average(m, weights=x))
    with np.errstate(divide="ignore", invalid="ignore"):
        pull = (np.asarray(m) - shrunk.to_numpy()) / (np.asarray(m) - book)
    pull = pull[np.isfinite(pull)]
    finite = np.asarray(m) != book
    few, many = (np.asarray(x) <= 3)[finite], (np.asarray(x) >= 20)[finite]
    assert np.all((pull > -1e-9) & (pull < 1 + 1e-9))
    assert pull[few].mean() > pull[many].mean()


def test_spend_without_identification_falls_back_in_the_documented_order() -> None:
    # Every repeat buyer with the same mean spend: Gamma-Gamma has nothing to identify q by.
    summary = spend_summary([1, 2, 3, 5, 8] * 4 + [0, 0], [5000.0] * 20 + [0.0, 0.0])
    summary.loc[["c20", "c21"], "revenue"] = [7000.0, 3000.0]
    estimate = expected_spend(summary)
    assert estimate.method in ("penalised", "shrunk_mean", "observed_mean")
    assert estimate.method != "gamma_gamma"
    assert estimate.note.startswith("spend:")
    assert (estimate.spend > 0).all()
    assert estimate.spend.to_numpy() == pytest.approx(5000.0, rel=0.05)


def test_the_choice_reads_order_times_with_fractions_of_a_second(
    cdnow_transactions: pd.DataFrame,
) -> None:
    """The CRM's orders carry times to the microsecond (an order entered in the app)."""
    frame = cdnow_transactions.copy()
    offsets = pd.to_timedelta(np.arange(len(frame)) % 997, unit="us") + pd.Timedelta("10h")
    frame["timestamp"] = pd.to_datetime(frame["timestamp"]) + offsets
    choice = choose_purchase_model(
        load_transactions(frame),
        end=CDNOW_CALIBRATION_END,
        unit="W",
        candidates=("mbgnbd", "bgnbd"),
        penalizer_coef=0.0,
    )
    assert choice.chosen in {"mbgnbd", "bgnbd"}


def test_pareto_nbd_is_a_candidate_of_the_split_on_books_it_is_cheap_on() -> None:
    import dataclasses

    from paretocrm.analytics.config import default_config
    from paretocrm.analytics.tests.b2b_books import BOOK_END, b2b_book

    book = b2b_book(30, 2, 2)
    result = analyze(book.transactions, observation_end=BOOK_END)
    assert result.model_choice is not None
    figures = result.model_choice.candidates["paretonbd"]
    assert 0 < figures["capture"] <= 1 and figures["class_error"] >= 0
    assert "paretonbd" in result.model_choice.reason
    # Above pareto_nbd_max_customers the split does not pay for its fits (B1: 1M customers).
    config = default_config()
    config = dataclasses.replace(
        config, models=dataclasses.replace(config.models, pareto_nbd_max_customers=20)
    )
    bounded = analyze(book.transactions, observation_end=BOOK_END, config=config)
    assert bounded.model_choice is not None
    assert "paretonbd" not in bounded.model_choice.candidates
