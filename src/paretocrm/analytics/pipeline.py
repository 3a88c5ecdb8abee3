"""The whole customer-value analysis in one call: :func:`analyze`.

Steps, in order (each reported to the optional ``progress`` callback)::

    contract -> summary (DuckDB) -> BG/NBD (+ Pareto/NBD when cheap) + Gamma-Gamma
    -> P(alive), expected purchases, CLV -> value, ABC, profitability -> Pareto
    -> RFM -> lifecycle -> rating -> tiers -> concentration -> churn -> segmentation
    -> forecast (per segment and tier; peak months of the profitable customers)
    -> back-test (when a holdout date is given)

With a holdout date the scores still describe the customers at the end of the data (models
fitted on everything); the back-test fits separate models on the data up to the holdout date
and compares their predictions with what happened after it.

Everything is vectorised over customers, so the cost grows with the number of customers
only through numpy/pandas/DuckDB operations (no per-customer Python loop).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from paretocrm.analytics.ahp import AHPResult, ahp_weights, comparison_matrix
from paretocrm.analytics.backtest import BacktestResult, backtest
from paretocrm.analytics.churn import ChurnResult, churn_warning
from paretocrm.analytics.concentration import ConcentrationReport, concentration_report
from paretocrm.analytics.config import AnalysisConfig, ModelSettings, default_config
from paretocrm.analytics.contract import TransactionsSource, load_customers, load_transactions
from paretocrm.analytics.exceptions import ConvergenceError, DataContractError
from paretocrm.analytics.forecast import (
    FORECAST_MONTHS,
    Forecast,
    SeasonalDemand,
    forecast_next_period,
    seasonal_demand,
)
from paretocrm.analytics.health import (
    HealthAUC,
    HealthResult,
    account_health,
    health_auc,
    health_signals,
)
from paretocrm.analytics.intervals import Intervals, customer_intervals, tier_uncertain
from paretocrm.analytics.lifecycle import classify_lifecycle
from paretocrm.analytics.models.base import BaseFitter, TransactionModel
from paretocrm.analytics.models.bgnbd import BGNBDModel
from paretocrm.analytics.models.clv import lifetime_value
from paretocrm.analytics.models.paretonbd import ParetoNBDModel
from paretocrm.analytics.pareto import ParetoSummary, pareto_analysis
from paretocrm.analytics.rating import RatingResult, rate, rating_inputs
from paretocrm.analytics.rfm import rfm_scores
from paretocrm.analytics.rhythm import late_history
from paretocrm.analytics.segmentation import Segmentation, segment_customers
from paretocrm.analytics.selection import (
    MODEL_CLASSES,
    ModelChoice,
    choose_purchase_model,
    fixed_choice,
    prior_sd,
)
from paretocrm.analytics.spend import SpendEstimate, expected_spend
from paretocrm.analytics.summary import UNIT_DAYS, DateLike, summarize_loaded
from paretocrm.analytics.tiers import assign_tiers, tier_reasons, value_axes
from paretocrm.analytics.value import CostToServe, abc_classes, customer_value

__all__ = ["SCORE_COLUMNS", "AnalysisResult", "ProgressCallback", "analyze"]

#: Called as ``progress(step, done, total)`` before each step (and once at the end).
ProgressCallback = Callable[[str, int, int], None]

#: Columns of the scores table, in order (docs/development/analytics-contract.md), plus the
#: Chinese lifecycle explanation and the tier explanation (English, Chinese).
SCORE_COLUMNS: tuple[str, ...] = (
    "tier",
    "rating",
    "current_value",
    "potential_value",
    "clv",
    "p_alive",
    "expected_purchases",
    "lifecycle_stage",
    "lifecycle_reason",
    "r_score",
    "f_score",
    "m_score",
    "rfm_segment",
    "segment",
    "abc_class",
    "profitability_class",
    "revenue",
    "gross_profit",
    "net_profit",
    "churn_risk",
    "value_at_risk",
    "churn_reasons",
    "lifecycle_reason_zh",
    "tier_reason",
    "tier_reason_zh",
    # Uncertainty and the revenue forecast (paretocrm.analytics.intervals; NaN without
    # intervals): the lower / upper quantiles of the parameter draws.
    "p_alive_low",
    "p_alive_high",
    "expected_purchases_low",
    "expected_purchases_high",
    "clv_low",
    "clv_high",
    "tier_uncertain",
    *(f"revenue_{m}m{end}" for m in FORECAST_MONTHS for end in ("", "_low", "_high")),
)

_STEPS = (
    "reading transactions",
    "summarising customers",
    "fitting purchase and spend models",
    "predicting P(alive) and CLV",
    "customer value, ABC and Pareto",
    "RFM and lifecycle",
    "rating and tiers",
    "concentration and churn",
    "segmentation and forecast",
    "back-test",
)
_DAYS_PER_MONTH = 365.25 / 12


@dataclass
class AnalysisResult:
    """Everything :func:`analyze` found; ``scores`` is the table to store or export."""

    scores: pd.DataFrame
    """One row per customer (index ``customer_id``), columns :data:`SCORE_COLUMNS`."""
    lifecycle_facts: pd.Series
    """Each customer's lifecycle explanation as data (JSON text, same index as ``scores``;
    see :func:`~paretocrm.analytics.lifecycle.explanation_facts`). Not a score column, so
    the exported files stay as they are; the web app stores it to word the explanation in
    the reader's language."""
    summary: pd.DataFrame
    models: dict[str, BaseFitter]
    pareto: dict[str, ParetoSummary]
    """Pareto analysis of ``revenue`` and ``net_profit``."""
    concentration: ConcentrationReport
    rating: RatingResult
    churn: ChurnResult
    segmentation: Segmentation | None
    forecast: Forecast | None
    seasonal: SeasonalDemand | None
    """Peak months of the profitable customers, per tier."""
    backtest: BacktestResult | None
    config: AnalysisConfig
    ahp: AHPResult | None = None
    notes: list[str] = field(default_factory=list)
    """Plain-language remarks about assumptions made (e.g. an assumed margin)."""
    intervals: Intervals | None = None
    """Parameter-draw intervals (None when switched off, too many customers or degenerate)."""
    forecast_backtest: dict[str, Any] | None = None
    """Revenue forecast for the holdout vs the actual holdout revenue (with a holdout)."""
    model_choice: ModelChoice | None = None
    """Which purchase model gives P(alive), expected purchases and CLV, and why."""
    health: HealthResult | None = None
    """Account health per customer (0-100) with its signal scores (:mod:`.health`)."""
    health_backtest: HealthAUC | None = None
    """With a holdout: AUC of health and of P(alive) for "no purchase after the cut"."""
    spend: dict[str, Any] = field(default_factory=dict)
    """How the expected spend per purchase was estimated (method and note)."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent in each step."""
    period: dict[str, str] = field(default_factory=dict)
    """First and last purchase day analysed, and the holdout date if any."""

    def models_info(self) -> dict[str, Any]:
        """Each fitted model's parameters, standard errors and log-likelihood (JSON-ready)."""
        info: dict[str, Any] = {}
        for name, model in self.models.items():
            info[name] = {
                "params": {k: float(v) for k, v in model.params_.items()},
                "standard_errors": {k: float(v) for k, v in model.standard_errors_.items()},
                "log_likelihood": float(model.log_likelihood_),
                "n_customers": float(model.n_customers_),
                "n_profiles": int(model.n_profiles_),
            }
        return info


class _Steps:
    """Reports progress and times each step."""

    def __init__(self, progress: ProgressCallback | None) -> None:
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.done = 0

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        if self.progress is not None:
            self.progress(name, self.done, len(_STEPS))
        start = time.perf_counter()
        yield
        self.timings[name] = time.perf_counter() - start
        self.done += 1

    def finish(self) -> None:
        if self.progress is not None:
            self.progress("done", len(_STEPS), len(_STEPS))


def analyze(
    transactions: TransactionsSource,
    attributes: TransactionsSource | pd.DataFrame | None = None,
    *,
    config: AnalysisConfig | None = None,
    holdout: DateLike | None = None,
    observation_end: DateLike | None = None,
    progress: ProgressCallback | None = None,
) -> AnalysisResult:
    """Run the whole analysis on ``transactions`` (and optional customer ``attributes``).

    ``transactions`` and ``attributes`` are anything the contract module reads (DataFrame,
    Arrow table, CSV or Parquet path). ``holdout`` is the last day of the calibration period
    of the back-test. Raises :class:`~paretocrm.analytics.exceptions.DataContractError` or
    :class:`~paretocrm.analytics.exceptions.ConfigurationError` with a readable message on
    bad input. ``observation_end`` is the day the customers are judged on (default the last
    purchase day in the data); a CRM passes today, so a customer silent since the last order
    of the whole company still ages.
    """
    config = config or default_config()
    steps = _Steps(progress)
    notes: list[str] = []
    with steps.step(_STEPS[0]):
        table = load_transactions(transactions)
        customers = load_customers(attributes) if attributes is not None else None
    with steps.step(_STEPS[1]):
        summary = _with_object_ids(
            summarize_loaded(
                table,
                unit=config.summary.unit,
                observation_end=observation_end,
                trend_window=config.summary.trend_window_days,
            )
        )
        for name, values in late_history(table, summary, UNIT_DAYS[config.summary.unit]).items():
            summary[name] = values
    with steps.step(_STEPS[2]):
        choice = _choose_model(table, config, holdout or observation_end, notes, summary.index)
        models = _fit_models(summary, config, notes, choice)
        spend = expected_spend(summary, penalizer_coef=config.models.penalizer_coef)
        if spend.model is not None:
            models["gammagamma"] = spend.model
        if spend.note:
            notes.append(spend.note)
    with steps.step(_STEPS[3]):
        predictions = _predict(models, choice, spend, summary, config, notes)
    with steps.step(_STEPS[4]):
        value = _value(summary, customers, config, notes)
        abc = abc_classes(
            value["net_profit"],
            a_share=config.value.abc_a,
            b_share=config.value.abc_b - config.value.abc_a,
        )
        pareto = {
            "revenue": pareto_analysis(value["revenue"], name="revenue"),
            "net_profit": pareto_analysis(value["net_profit"], name="net_profit"),
        }
        profitability = _profitability(value, summary, predictions["clv"])
    with steps.step(_STEPS[5]):
        rfm = rfm_scores(summary)
        lifecycle = classify_lifecycle(
            summary,
            predictions["p_alive"],
            unit=config.summary.unit,
            trend_window_days=config.summary.trend_window_days,
            rules=config.lifecycle,
        )
    with steps.step(_STEPS[6]):
        ahp = _ahp(config)
        rating = rate(
            rating_inputs(
                summary,
                customers,
                net_profit=value["net_profit"],
                lifecycle_stage=lifecycle["lifecycle_stage"],
                clv=predictions["clv"],
            ),
            ahp if ahp is not None else config.rating.weights,
        )
        if rating.dropped:
            dropped = ", ".join(f"{k} ({v})" for k, v in rating.dropped.items())
            notes.append(f"rating criteria dropped, weights renormalised: {dropped}")
        axes = value_axes(
            rating=rating.rating, clv=predictions["clv"], growth=lifecycle["value_trend"]
        )
        tiers = assign_tiers(axes["current_value"], axes["potential_value"], config.tiers)
        why_tier = tier_reasons(tiers, axes["current_value"], axes["potential_value"], config.tiers)
    peak_months = _start_seasonal_demand(table, tiers, profitability)
    with steps.step(_STEPS[7]):
        concentration = concentration_report(
            value["revenue"], value["net_profit"], predictions["clv"], limit=config.report_top
        )
        churn = churn_warning(
            summary,
            p_alive=predictions["p_alive"],
            value=_trailing_revenue(summary),
            attributes=customers,
            rules=config.churn,
            unit=config.summary.unit,
        )
        health = account_health(
            health_signals(
                summary,
                predictions["p_alive"],
                customers,
                days_per_unit=UNIT_DAYS[config.summary.unit],
            ),
            config.health,
        )
    with steps.step(_STEPS[8]):
        segmentation = segment_customers(
            summary,
            pd.DataFrame({"net_profit": value["net_profit"], "clv": predictions["clv"]}),
            k_range=config.segmentation_k,
            seed=config.segmentation_seed,
        )
        forecast, intervals = _forecast(
            models,
            choice,
            spend,
            summary,
            predictions,
            config,
            notes,
            _forecast_groups(segmentation.names, tiers, customers),
        )
        uncertain = (
            tier_uncertain(
                tiers,
                axes["current_value"],
                predictions["clv"],
                intervals.per_customer["clv_low"],
                intervals.per_customer["clv_high"],
                lifecycle["value_trend"],
                config.tiers,
            )
            if intervals is not None
            else pd.Series(False, index=summary.index)
        )
        seasonal = peak_months.result() if peak_months is not None else None
    with steps.step(_STEPS[9]):
        result_backtest, forecast_backtest, health_check = (
            _backtest(table, holdout, config, choice, notes)
            if holdout is not None
            else (None, None, None)
        )
    scores = pd.DataFrame(
        {
            "tier": tiers,
            "rating": rating.rating,
            "current_value": axes["current_value"],
            "potential_value": axes["potential_value"],
            "clv": predictions["clv"],
            "p_alive": predictions["p_alive"],
            "expected_purchases": predictions["expected_purchases"],
            "lifecycle_stage": lifecycle["lifecycle_stage"],
            "lifecycle_reason": lifecycle["lifecycle_reason"],
            "r_score": rfm["r_score"],
            "f_score": rfm["f_score"],
            "m_score": rfm["m_score"],
            "rfm_segment": rfm["rfm_segment"],
            "segment": segmentation.names,
            "abc_class": abc,
            "profitability_class": profitability,
            "revenue": value["revenue"],
            "gross_profit": value["gross_profit"],
            "net_profit": value["net_profit"],
            "churn_risk": churn.scores["churn_risk"],
            "value_at_risk": churn.scores["value_at_risk"],
            "churn_reasons": churn.scores["churn_reasons"],
            "lifecycle_reason_zh": lifecycle["lifecycle_reason_zh"],
            "tier_reason": why_tier["tier_reason"],
            "tier_reason_zh": why_tier["tier_reason_zh"],
        },
        index=summary.index,
    )
    scores = scores.join(_interval_columns(intervals, forecast, uncertain))
    scores.index.name = "customer_id"
    steps.finish()
    return AnalysisResult(
        scores=scores,
        lifecycle_facts=lifecycle["lifecycle_facts"],
        summary=summary,
        models=models,
        pareto=pareto,
        concentration=concentration,
        rating=rating,
        churn=churn,
        segmentation=segmentation,
        forecast=forecast,
        seasonal=seasonal,
        backtest=result_backtest,
        config=config,
        ahp=ahp,
        notes=notes,
        timings=steps.timings,
        period=_period(summary, holdout),
        model_choice=choice,
        spend=spend.as_dict(),
        intervals=intervals,
        forecast_backtest=forecast_backtest,
        health=health,
        health_backtest=health_check,
    )


#: L2 penalty of the refit when the plain BG/NBD fit is degenerate (lifetimes' usual advice).
FALLBACK_PENALIZER = 0.001
#: BG/NBD's ``a`` or ``b`` above this means the fit has run off: with them in the millions
#: nobody seems to drop out differently from anybody else, and the closed forms of the
#: predictions overflow (healthy fits, CDNOW's included, stay below 100).
_RUNAWAY_PARAMETER = 1e5


def _fit_bgnbd(
    x: np.ndarray[Any, Any],
    t_x: np.ndarray[Any, Any],
    t_cal: np.ndarray[Any, Any],
    settings: ModelSettings,
    notes: list[str],
    log_prior_sd: float = 0.0,
) -> BaseFitter:
    """BG/NBD as configured; when the unpenalised fit runs off, refit with a small penalty.

    Data in which every customer bought regularly and all stopped at once (e.g. an import
    months behind the day of the analysis) leave the dropout heterogeneity unidentified; a
    daily scoring run must still give P(alive) and CLV, so the refit is made and said.
    """
    try:
        model = BGNBDModel(penalizer_coef=settings.penalizer_coef, log_prior_sd=log_prior_sd).fit(
            x, t_x, t_cal
        )
        runaway = [k for k in ("a", "b") if not model.params_[k] < _RUNAWAY_PARAMETER]
    except ConvergenceError as error:
        if settings.penalizer_coef > 0:
            raise
        runaway, reason = ["-"], str(error)
    else:
        if not runaway or settings.penalizer_coef > 0:
            return model
        reason = f"parameter(s) {', '.join(runaway)} ran off ({model.params_})"
    try:
        refit = BGNBDModel(penalizer_coef=FALLBACK_PENALIZER, log_prior_sd=log_prior_sd).fit(
            x, t_x, t_cal
        )
    except ConvergenceError:
        if runaway == ["-"]:
            raise
        return model  # keep the plain fit; the predictions check says if it is unusable
    notes.append(
        f"BG/NBD: the unpenalised fit was degenerate for these data ({reason}); refitted with "
        f"penalizer_coef {FALLBACK_PENALIZER}. Set [models] penalizer_coef to choose it."
    )
    return refit


def _with_object_ids(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary with its customer ids as a numpy object index, converted once.

    pandas' Arrow-backed string index is turned into Python strings again by many of the
    alignments, joins and constructors below (1M customers: ~0.5 s of the run in all).
    """
    ids = summary.index
    summary.index = pd.Index(ids.to_numpy(dtype=object), dtype=object, name=ids.name)
    return summary


def _start_seasonal_demand(
    table: pa.Table, tiers: pd.Series, profitability: pd.Series
) -> Future[SeasonalDemand] | None:
    """Start the peak months of the profitable customers per tier in a second thread.

    It is one DuckDB query over all transactions, which releases the GIL, so it runs while
    concentration, churn and segmentation are computed (1M customers: ~1 s of the run).
    Its result is collected in the segmentation and forecast step; an error surfaces there.
    """
    profitable = profitability.index[profitability == "profitable"]
    if not len(profitable):
        return None
    background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="paretocrm-seasonal")
    try:
        return background.submit(seasonal_demand, table, tiers.astype(str), customers=profitable)
    finally:
        background.shutdown(wait=False)  # the submitted query still runs to its end


def _choose_model(
    table: pa.Table,
    config: AnalysisConfig,
    end: DateLike | None,
    notes: list[str],
    customers: pd.Index,
) -> ModelChoice:
    """The purchase model: as configured, or chosen by the time split of the history up to
    ``end`` (the back-test's holdout date when there is one: the choice never sees it)."""
    settings = config.models
    if settings.purchase_model != "auto":
        choice = fixed_choice(
            settings.purchase_model, settings.penalizer_coef, "set by [models] purchase_model"
        )
    else:
        # On a tie MBG/NBD comes first: its P(alive) is defined for customers without a
        # repeat purchase too (BG/NBD holds them alive for ever), and P(alive) drives churn.
        # Pareto/NBD (no closed-form gradient) is judged on books up to
        # pareto_nbd_max_customers: on the split's 10,000-customer sample its four fits
        # cost ~5 s (CDNOW master), which a million-customer run (B1) does not pay.
        candidates: tuple[str, ...] = ("mbgnbd", "bgnbd")
        if len(customers) <= settings.pareto_nbd_max_customers:
            candidates += ("paretonbd",)
        choice = choose_purchase_model(
            table,
            end=end,
            unit=config.summary.unit,
            candidates=candidates,
            penalizer_coef=settings.penalizer_coef,
            customers=customers,
        )
    choice = dataclasses.replace(choice, log_prior_sd=prior_sd(len(customers)))
    notes.append(choice.note())
    return choice


def _fit_chosen(
    x: np.ndarray[Any, Any],
    t_x: np.ndarray[Any, Any],
    t_cal: np.ndarray[Any, Any],
    choice: ModelChoice,
    settings: ModelSettings,
    notes: list[str],
) -> BaseFitter | None:
    """The chosen model fitted on all customers (None, with a note, if it cannot be);
    small books with the weak prior (MAP, :func:`~.selection.prior_sd`)."""
    sd = prior_sd(x.shape[0])  # the back-test's calibration book may be smaller
    if choice.chosen == "bgnbd":
        penalised = dataclasses.replace(settings, penalizer_coef=choice.penalizer_coef)
        return _fit_bgnbd(x, t_x, t_cal, penalised, notes, sd)
    try:
        return MODEL_CLASSES[choice.chosen](
            penalizer_coef=choice.penalizer_coef, log_prior_sd=sd
        ).fit(x, t_x, t_cal)
    except ConvergenceError as error:
        notes.append(f"{choice.chosen} could not be fitted ({error}); BG/NBD used instead")
        return None


def _fit_models(
    summary: pd.DataFrame, config: AnalysisConfig, notes: list[str], choice: ModelChoice
) -> dict[str, BaseFitter]:
    """The chosen purchase model, BG/NBD as the reference (always on books up to
    ``pareto_nbd_max_customers``; a million-customer book pays for one fit only) and
    Pareto/NBD when enabled. Spend is estimated separately (:mod:`.spend`)."""
    settings = config.models
    x, t_x, t_cal = _model_inputs(summary, config)
    models: dict[str, BaseFitter] = {}
    chosen = _fit_chosen(x, t_x, t_cal, choice, settings, notes)
    if chosen is not None:
        models[choice.chosen] = chosen
    small = len(summary) <= settings.pareto_nbd_max_customers
    if "bgnbd" not in models and (small or chosen is None):
        models["bgnbd"] = _fit_bgnbd(x, t_x, t_cal, settings, notes, prior_sd(len(summary)))
    if settings.pareto_nbd and small and "paretonbd" not in models:
        try:
            models["paretonbd"] = ParetoNBDModel(penalizer_coef=settings.penalizer_coef).fit(
                x, t_x, t_cal
            )
        except ConvergenceError as error:  # optional comparison model: report, go on
            notes.append(f"Pareto/NBD not used: {error}")
    elif settings.pareto_nbd and not small:
        notes.append(
            f"Pareto/NBD skipped: {len(summary):,} customers > pareto_nbd_max_customers "
            f"({settings.pareto_nbd_max_customers:,})"
        )
    return models


#: Observation time given, for the models, to a customer whose first purchase is on the last
#: day of the period (T = 0 in whole days): half a day, the expected part of that day left.
MIN_T_DAYS = 0.5


def _model_inputs(
    summary: pd.DataFrame, config: AnalysisConfig
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``(frequency, recency, T)`` for the models, with ``T >= MIN_T_DAYS`` (see above)."""
    minimum = MIN_T_DAYS / UNIT_DAYS[config.summary.unit]
    t_cal = np.maximum(summary["T"].to_numpy(dtype=float), minimum)
    return (
        summary["frequency"].to_numpy(dtype=float),
        summary["recency"].to_numpy(dtype=float),
        t_cal,
    )


def _predict(
    models: dict[str, BaseFitter],
    choice: ModelChoice,
    spend: SpendEstimate,
    summary: pd.DataFrame,
    config: AnalysisConfig,
    notes: list[str],
) -> dict[str, pd.Series]:
    name = choice.chosen if choice.chosen in models else "bgnbd"
    model = models[name]
    assert isinstance(model, TransactionModel)
    x, t_x, t_cal = _model_inputs(summary, config)
    units_per_month = _DAYS_PER_MONTH / UNIT_DAYS[config.summary.unit]
    horizon = config.value.horizon_months * units_per_month
    index = summary.index
    # Degenerate fits (e.g. a, b -> infinity when nobody seems to drop out) can give inf * 0
    # inside the closed forms; they are caught below by the finiteness check instead.
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        alive_values = model.conditional_probability_alive(x, t_x, t_cal)
        expected_values = model.conditional_expected_purchases(horizon, x, t_x, t_cal)
    bad = ~(np.isfinite(alive_values) & np.isfinite(expected_values))
    if bad.any():
        raise ConvergenceError(
            f"{name} predictions are not finite for {int(bad.sum()):,} customers (first: "
            f"{', '.join(map(str, index[bad][:3]))}); the fitted parameters {model.params_} "
            "are degenerate for these data - try [models] penalizer_coef > 0 in the settings"
        )
    per_purchase = spend.spend.clip(lower=0.0)
    monthly_rate = (1 + config.value.discount_rate) ** (1 / 12) - 1
    clv_values = lifetime_value(
        model,
        per_purchase.to_numpy(dtype=float),
        x,
        t_x,
        t_cal,
        periods=config.value.horizon_months,
        units_per_period=units_per_month,
        discount_rate=monthly_rate,
        margin=_overall_margin(summary, config, notes),
    )
    return {
        "p_alive": pd.Series(alive_values, index=index),
        "expected_purchases": pd.Series(expected_values, index=index),
        "expected_spend": per_purchase,
        "clv": pd.Series(clv_values, index=index),
    }


def _overall_margin(summary: pd.DataFrame, config: AnalysisConfig, notes: list[str]) -> float:
    """Gross margin applied to predicted spend: the data's own when cost is known."""
    revenue = float(summary["revenue"].sum())
    if "gross_profit" in summary.columns and summary["gross_profit"].notna().any() and revenue:
        return float(summary["gross_profit"].sum()) / revenue
    notes.append(
        f"no cost of goods in the data: CLV and gross profit use the default margin "
        f"{config.value.default_margin:.0%}"
    )
    return config.value.default_margin


def _value(
    summary: pd.DataFrame,
    customers: pd.DataFrame | None,
    config: AnalysisConfig,
    notes: list[str],
) -> pd.DataFrame:
    settings = config.value
    cost = CostToServe(
        per_case=settings.per_case,
        per_interaction=settings.per_interaction,
        per_order=settings.per_order,
        include_service_cost=settings.include_service_cost,
        default_margin=settings.default_margin,
    )
    value = customer_value(summary, customers, cost=cost)
    if customers is not None:
        unknown = customers.index.difference(summary.index)
        if unknown.size:
            notes.append(
                f"{unknown.size:,} customers in the attributes file have no transactions "
                f"and are not scored (first: {', '.join(map(str, unknown[:3]))})"
            )
    return value


def _profitability(value: pd.DataFrame, summary: pd.DataFrame, clv: pd.Series) -> pd.Series:
    from paretocrm.analytics.value import profitability_classes

    trend = None
    if {"revenue_recent", "revenue_previous"} <= set(summary.columns):
        trend = (summary["revenue_recent"] - summary["revenue_previous"]).astype(float)
    return profitability_classes(value, trend=trend, potential=clv)


def _trailing_revenue(summary: pd.DataFrame) -> pd.Series:
    """Revenue of the last two trend windows: what leaves with a customer who leaves."""
    if {"revenue_recent", "revenue_previous"} <= set(summary.columns):
        return (summary["revenue_recent"] + summary["revenue_previous"]).astype(float)
    return summary["revenue"].astype(float)


def _ahp(config: AnalysisConfig) -> AHPResult | None:
    if not config.rating.uses_ahp:
        return None
    criteria = list(dict.fromkeys(name for pair in config.rating.ahp for name in pair))
    matrix = comparison_matrix(config.rating.ahp, criteria)
    return ahp_weights(matrix, max_consistency_ratio=config.rating.max_consistency_ratio)


def _forecast_groups(
    segments: pd.Series, tiers: pd.Series, customers: pd.DataFrame | None
) -> dict[str, pd.Series]:
    """The groupings of the forecast: segment, tier, and the key-account manager (the
    attributes' ``owner``) when known; customers without one are in the group ``""``."""
    groups = {"segment": segments, "tier": tiers}
    if customers is not None and "owner" in customers.columns:
        owners = customers["owner"].reindex(tiers.index)
        groups["owner"] = owners.astype(object).where(owners.notna(), "").astype(str)
    return groups


def _forecast(
    models: dict[str, BaseFitter],
    choice: ModelChoice,
    spend: SpendEstimate,
    summary: pd.DataFrame,
    predictions: dict[str, pd.Series],
    config: AnalysisConfig,
    notes: list[str],
    groups: dict[str, pd.Series],
) -> tuple[Forecast, Intervals | None]:
    """Next period's and the next 3, 6 and 12 months' revenue per customer and group
    (expected purchases x expected spend), with the intervals of the parameter draws."""
    name = choice.chosen if choice.chosen in models else "bgnbd"
    model = models[name]
    assert isinstance(model, TransactionModel)
    x, t_x, t_cal = _model_inputs(summary, config)
    units = _DAYS_PER_MONTH / UNIT_DAYS[config.summary.unit]
    ends = {f"{months}m": months * units for months in FORECAST_MONTHS}
    with np.errstate(all="ignore"):
        cumulative = model.conditional_expected_purchases(
            np.asarray(list(ends.values())).reshape(-1, 1), x, t_x, t_cal
        )
    horizons = {
        label: pd.Series(cumulative[i], index=summary.index) for i, label in enumerate(ends)
    }
    intervals = _intervals(
        model, spend, summary, (x, t_x, t_cal), config, notes, ends, groups, units
    )
    forecast = forecast_next_period(
        predictions["expected_purchases"],
        predictions["expected_spend"],
        groups,
        p_alive=predictions["p_alive"],
        horizons=horizons,
        intervals=intervals.groups if intervals is not None else None,
        company_intervals=intervals.company if intervals is not None else None,
    )
    return forecast, intervals


def _intervals(
    model: TransactionModel,
    spend: SpendEstimate,
    summary: pd.DataFrame,
    rfm: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]],
    config: AnalysisConfig,
    notes: list[str],
    ends: dict[str, float],
    groups: dict[str, pd.Series] | None,
    units: float,
) -> Intervals | None:
    """:func:`~.intervals.customer_intervals` as configured (None, with a note, when off)."""
    settings = config.intervals
    if not settings.enabled:
        return None
    if len(summary) > settings.max_customers:
        notes.append(
            f"intervals skipped: {len(summary):,} customers > [intervals] max_customers "
            f"({settings.max_customers:,})"
        )
        return None
    start = time.perf_counter()
    result = customer_intervals(
        model,
        spend,
        summary,
        rfm,
        horizon=config.value.horizon_months * units,
        forecast_horizons=ends,
        clv={
            "periods": config.value.horizon_months,
            "units_per_period": units,
            "discount_rate": (1 + config.value.discount_rate) ** (1 / 12) - 1,
            "margin": _overall_margin(summary, config, []),
        },
        groupings=groups,
        settings=settings,
    )
    if result is None:
        notes.append(
            f"intervals: the {type(model).__name__} fit is degenerate (its Hessian is not "
            "positive definite), so no honest interval can be given"
        )
        return None
    result.method["seconds"] = round(time.perf_counter() - start, 3)
    if groups is not None:  # the scoring run's own intervals, not the back-test's
        notes.append(
            f"intervals: {settings.lower:.0%}-{settings.upper:.0%} quantiles of "
            f"{settings.draws} parameter draws ({result.method['spend']})"
        )
    return result


def _interval_columns(
    intervals: Intervals | None, forecast: Forecast, uncertain: pd.Series
) -> pd.DataFrame:
    """The score columns of the intervals and the revenue forecast (NaN without intervals)."""
    index = forecast.per_customer.index
    bounds = (
        intervals.per_customer if intervals is not None else pd.DataFrame(index=index, dtype=float)
    )
    names = SCORE_COLUMNS[SCORE_COLUMNS.index("p_alive_low") :]
    columns = {}
    for name in names:
        if name == "tier_uncertain":
            columns[name] = uncertain.reindex(index).fillna(False).astype(bool)
        elif name in forecast.per_customer.columns:
            columns[name] = forecast.per_customer[name]
        else:
            columns[name] = bounds[name] if name in bounds.columns else pd.Series(np.nan, index)
    return pd.DataFrame(columns, index=index)


def _backtest(
    table: pa.Table,
    holdout: DateLike,
    config: AnalysisConfig,
    choice: ModelChoice,
    notes: list[str],
) -> tuple[BacktestResult, dict[str, Any], HealthAUC]:
    """Models fitted on the data up to ``holdout`` predict what happened after it.

    Customers are ranked by predicted holdout value (expected purchases x expected spend,
    the CLV's ranking), the figure a key-account manager acts on. Health and P(alive) at the
    cut are judged by how well they tell who made no purchase after it (AUC)."""
    calibration = summarize_loaded(
        table,
        unit=config.summary.unit,
        calibration_end=holdout,
        trend_window=config.summary.trend_window_days,
    )
    if calibration["frequency_holdout"].sum() == 0 and calibration["duration_holdout"].max() <= 0:
        raise DataContractError(f"holdout {holdout}: there is no data after the holdout date")
    fitted = _fit_models(calibration, config, [], choice)
    spend = expected_spend(calibration, penalizer_coef=config.models.penalizer_coef)
    x, t_x, t_cal = _model_inputs(calibration, config)
    duration = calibration["duration_holdout"].to_numpy(dtype=float)
    predictions = {
        name: model.conditional_expected_purchases(duration, x, t_x, t_cal)
        for name, model in fitted.items()
        if isinstance(model, TransactionModel)
    }
    per_purchase = spend.spend.clip(lower=0.0).to_numpy(dtype=float)
    values = {name: predicted * per_purchase for name, predicted in predictions.items()}
    chosen = fitted.get(choice.chosen, fitted.get("bgnbd"))
    assert isinstance(chosen, TransactionModel)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        p_alive = pd.Series(
            chosen.conditional_probability_alive(x, t_x, t_cal), index=calibration.index
        )
    health_check = health_auc(
        calibration,
        p_alive,
        days_per_unit=UNIT_DAYS[config.summary.unit],
        rules=config.health,
    )
    churn: dict[str, np.ndarray[Any, Any]] = {}
    for name, model in fitted.items():
        if not isinstance(model, TransactionModel):
            continue
        try:  # the scorecard's churn: no purchase in the holdout
            churn[name] = model.conditional_probability_no_purchases(duration, x, t_x, t_cal)
        except NotImplementedError as missing:
            notes.append(f"back-test scorecard: no churn figures for {name} ({missing})")
    calibration_fits = {
        name: {
            "params": {k: float(v) for k, v in model.params_.items()},
            "log_likelihood": float(model.log_likelihood_),
        }
        for name, model in fitted.items()
    }
    result = backtest(
        calibration,
        predictions,
        predicted_value=values,
        churn_probability=churn,
        calibration_models=calibration_fits,
        top_share=config.backtest_top_share,
    )
    name = choice.chosen if choice.chosen in values else next(iter(values))
    model = fitted[name]
    assert isinstance(model, TransactionModel)
    forecast_check = _forecast_backtest(
        name, model, spend, calibration, config, (x, t_x, t_cal), values[name]
    )
    return result, forecast_check, health_check


def _forecast_backtest(
    name: str,
    model: TransactionModel,
    spend: SpendEstimate,
    calibration: pd.DataFrame,
    config: AnalysisConfig,
    rfm: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]],
    predicted: np.ndarray[Any, Any],
) -> dict[str, Any]:
    """The revenue forecast of the calibration fit for the holdout vs what came: the
    book's total with its interval, and how many customers' actual revenue fell inside
    their own interval (which holds parameter uncertainty only, not order-count noise)."""
    actual = calibration["revenue_holdout"].to_numpy(dtype=float, na_value=0.0)
    duration = float(calibration["duration_holdout"].max())
    total_actual, total_predicted = float(actual.sum()), float(predicted.sum())
    figures: dict[str, Any] = {
        "model": name,
        "holdout_weeks" if config.summary.unit == "W" else "holdout_days": duration,
        "customers": len(calibration),
        "actual_revenue": total_actual,
        "predicted_revenue": total_predicted,
        "error": (total_predicted - total_actual) / total_actual if total_actual else None,
    }
    units = _DAYS_PER_MONTH / UNIT_DAYS[config.summary.unit]
    drawn = _intervals(
        model, spend, calibration, rfm, config, [], {"holdout": duration}, None, units
    )
    if drawn is not None:
        low = drawn.company["revenue_holdout_low"]
        high = drawn.company["revenue_holdout_high"]
        own_low = drawn.per_customer["revenue_holdout_low"].to_numpy()
        own_high = drawn.per_customer["revenue_holdout_high"].to_numpy()
        figures.update(
            {
                "interval": [low, high],
                "quantiles": [drawn.lower, drawn.upper],
                "actual_within_interval": bool(low <= total_actual <= high),
                "customers_within_own_interval": float(
                    np.mean((actual >= own_low) & (actual <= own_high))
                ),
            }
        )
    return figures


def _period(summary: pd.DataFrame, holdout: DateLike | None) -> dict[str, str]:
    period = {
        "first_purchase": str(pd.Timestamp(summary["first_purchase"].min()).date()),
        "last_purchase": str(pd.Timestamp(summary["last_purchase"].max()).date()),
    }
    if holdout is not None:
        period["holdout"] = str(pd.Timestamp(holdout).date())
    return period
