"""Uncertainty of the value judgements: intervals for P(alive), purchases, CLV and revenue.

Method: **parameter draws from the asymptotic normal (Laplace) approximation of each fit**.
The purchase model and the Gamma-Gamma spend model are fitted by maximising a likelihood
(plus the weak prior of small books, :func:`~paretocrm.analytics.selection.prior_sd`); near
its optimum the objective in log-parameters is approximately quadratic, so the estimate is
approximately normal with the inverse Hessian as covariance
(:meth:`~paretocrm.analytics.models.base.BaseFitter._log_covariance_rows`). ``draws`` parameter
vectors are drawn from it (on the log scale, so every draw is a valid positive parameter),
every customer's prediction is recomputed with each draw by the models' own closed forms,
and the ``lower``/``upper`` quantiles of the draws are the interval.

Why not a bootstrap over customers: each replicate refits the model (on a million
customers a fit takes seconds, a hundred replicates minutes), while the draws reuse the
fit's curvature (one Hessian, 2 k gradient evaluations) and cost only closed-form
predictions; on a small book's flat likelihood the Laplace approximation includes the
weak prior, so the intervals stay finite and honestly wide.

What the intervals cover:

- P(alive), expected purchases and CLV: the uncertainty of these *expected* values that
  comes from estimating the book's parameters (what the model could say with other
  plausible parameters); for a spend estimated by empirical-Bayes shrinkage (no
  Gamma-Gamma fit) each customer's mean spend is drawn from its normal posterior
  ``N(shrunk mean, sigma^2 / (x + k))`` (:mod:`~paretocrm.analytics.spend`).
- The revenue forecast (``revenue_3m`` ...): a *predictive* interval of the revenue that
  will actually come. Within each parameter draw the orders themselves are simulated
  (:func:`_outcome_sampler`: alive or not, purchase rate from its posterior, Poisson
  count, Gamma order amounts), because on a book of tens of customers the order-count
  noise is far larger than the parameter uncertainty (measured on the seeded 30-customer
  books: a quarter's company revenue outside a parameter-only interval in 2 of 4 seeds,
  that interval being +-1 % wide). Group totals are quantiles of the summed draws.

Cost: vectorised over customers, in chunks of about ``CHUNK_VALUES / draws`` customers so
that memory stays bounded (a few tens of MB) whatever the book's size; the number of draws
is bounded (:data:`MAX_DRAWS`). The pipeline skips the intervals above
``[intervals] max_customers`` (default 50,000) or when ``[intervals] enabled = false``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from paretocrm.analytics.exceptions import ConfigurationError
from paretocrm.analytics.models.base import TransactionModel
from paretocrm.analytics.models.clv import lifetime_value
from paretocrm.analytics.models.gammagamma import GammaGammaModel
from paretocrm.analytics.rating import percentile_rank
from paretocrm.analytics.spend import SpendEstimate
from paretocrm.analytics.tiers import POTENTIAL_CLV_WEIGHT, TierRules, assign_tiers

__all__ = [
    "MAX_DRAWS",
    "IntervalSettings",
    "Intervals",
    "customer_intervals",
    "tier_uncertain",
]

FloatArray = npt.NDArray[np.float64]
#: Positions of the customers of one chunk.
Index = npt.NDArray[np.intp]
#: Upper bound on the number of parameter draws (cost grows linearly with it).
MAX_DRAWS = 1_000
#: Values held per quantity and chunk (draws x customers): bounds the memory.
CHUNK_VALUES = 1_000_000
#: Quantities with a per-customer interval (besides the revenue horizons).
QUANTITIES = ("p_alive", "expected_purchases", "clv")


@dataclass(frozen=True)
class IntervalSettings:
    """``[intervals]`` of the settings: whether, how many draws, which quantiles."""

    enabled: bool = True
    draws: int = 100
    lower: float = 0.1
    upper: float = 0.9
    max_customers: int = 50_000
    seed: int = 0

    def __post_init__(self) -> None:
        if not 10 <= self.draws <= MAX_DRAWS:
            raise ConfigurationError(f"draws must be between 10 and {MAX_DRAWS}, got {self.draws}")
        if not 0 < self.lower < self.upper < 1:
            raise ConfigurationError(
                f"need 0 < lower < upper < 1, got lower {self.lower} and upper {self.upper}"
            )
        if self.max_customers < 0:
            raise ConfigurationError("max_customers must be >= 0")


@dataclass(frozen=True)
class Intervals:
    """Result of :func:`customer_intervals`.

    Attributes:
        per_customer: ``<quantity>_low`` and ``<quantity>_high`` per customer for P(alive),
            expected purchases, CLV and ``revenue_<label>`` of every forecast horizon.
        groups: per grouping name, per group, ``revenue_<label>_low``/``_high`` of the
            group's total (the quantiles of the summed draws, not sums of quantiles).
        company: ``revenue_<label>_low``/``_high`` of the whole book.
        draws: number of parameter draws used.
        method: how the spend was drawn and which models were drawn from (JSON-ready).
    """

    per_customer: pd.DataFrame
    groups: dict[str, pd.DataFrame]
    company: dict[str, float]
    draws: int
    lower: float
    upper: float
    method: dict[str, Any] = field(default_factory=dict)


def _log_normal_draws(
    params: FloatArray, covariance: FloatArray, n: int, rng: np.random.Generator
) -> FloatArray:
    """``n`` parameter vectors ``exp(N(log params, covariance))`` (n x k)."""
    draws: FloatArray = np.exp(rng.multivariate_normal(np.log(params), covariance, size=n))
    return draws


def _params(model: Any) -> FloatArray:
    """A fitted model's parameters in the order of its ``param_names``."""
    return np.array([model.params_[name] for name in model.param_names], dtype=np.float64)


def _with_params(model: Any, names: tuple[str, ...], values: FloatArray) -> Any:
    """A shallow copy of a fitted ``model`` with other parameter values."""
    clone = copy.copy(model)
    clone.params_ = dict(zip(names, (float(v) for v in values), strict=True))
    return clone


def customer_intervals(
    model: TransactionModel,
    spend: SpendEstimate,
    summary: pd.DataFrame,
    rfm: tuple[FloatArray, FloatArray, FloatArray],
    *,
    horizon: float,
    forecast_horizons: Mapping[str, float],
    clv: Mapping[str, Any],
    groupings: Mapping[str, pd.Series] | None = None,
    settings: IntervalSettings | None = None,
) -> Intervals | None:
    """Intervals of every customer's predictions from parameter draws (module docstring).

    Args:
        model: the fitted purchase model that gives the point predictions.
        spend: the spend estimate (its Gamma-Gamma model when it has one).
        summary: the per-customer summary (``frequency`` and ``monetary_value`` for spend).
        rfm: ``(frequency, recency, T)`` as the model was fitted on.
        horizon: the expected purchases' horizon (model time units).
        forecast_horizons: label -> horizon (model time units) of each revenue forecast.
        clv: ``lifetime_value`` keywords (periods, units_per_period, discount_rate, margin).
        groupings: label per customer of each grouping whose group totals get intervals.
        settings: draws and quantiles (default :class:`IntervalSettings`).

    Returns:
        :class:`Intervals`, or None when the purchase model's Hessian is degenerate (no
        honest interval; the caller says so).
    """
    settings = settings or IntervalSettings()
    x, t_x, t_cal = rfm
    covariance = model.log_covariance(x, t_x, t_cal)
    if covariance is None:
        return None
    rng = np.random.default_rng(settings.seed)
    names = model.param_names
    purchase_draws = _log_normal_draws(_params(model), covariance, settings.draws, rng)
    spend_sampler, spend_method = _spend_sampler(spend, summary, settings.draws, rng)
    n = x.shape[0]
    labels = list(forecast_horizons)
    # Each distinct horizon once (the 12-month forecast is usually the purchases' horizon).
    unique_ends, at = np.unique([horizon, *forecast_horizons.values()], return_inverse=True)
    ends = unique_ends.reshape(-1, 1)
    group_codes = {
        name: pd.factorize(labels_.reindex(summary.index).astype(str), sort=True)
        for name, labels_ in (groupings or {}).items()
    }
    group_codes["all"] = (np.zeros(n, dtype=np.intp), pd.Index(["all"]))
    group_sums = {
        name: np.zeros((len(labels), settings.draws, len(uniques)))
        for name, (_codes, uniques) in group_codes.items()
    }
    columns = [*QUANTITIES, *(f"revenue_{label}" for label in labels)]
    bounds = {name: np.empty((2, n)) for name in columns}
    quantiles = [settings.lower, settings.upper]
    chunk = max(1, CHUNK_VALUES // settings.draws)
    clones = [_with_params(model, names, values) for values in purchase_draws]
    outcomes = _outcome_sampler(spend, rfm, np.random.default_rng(settings.seed + 1))
    # Chunks of customers with the same (x, T) together: the closed forms evaluate their
    # hypergeometric terms once per distinct (x, T) pair in a chunk.
    order = np.lexsort((t_cal, x))
    for start in range(0, n, chunk):
        part = order[start : start + chunk]
        size = part.shape[0]
        values = {name: np.empty((settings.draws, size)) for name in columns}
        # CLV per draw: the point CLV scaled by the draw's undiscounted value over the CLV
        # horizon relative to the point's (the discounting's shape over the months barely
        # moves with the parameters; its 12 horizons per draw cost four times the rest).
        with np.errstate(all="ignore"):
            point_value = model.conditional_expected_purchases(
                horizon, x[part], t_x[part], t_cal[part]
            ) * spend_sampler(-1, part)
            point_clv = lifetime_value(
                model, spend_sampler(-1, part), x[part], t_x[part], t_cal[part], **clv
            )
            clv_per_value = np.where(point_value > 0, point_clv / point_value, 0.0)
        for d, clone in enumerate(clones):
            per_purchase = spend_sampler(d, part)
            with np.errstate(all="ignore"):
                values["p_alive"][d] = clone.conditional_probability_alive(
                    x[part], t_x[part], t_cal[part]
                )
                cumulative = clone.conditional_expected_purchases(
                    ends, x[part], t_x[part], t_cal[part]
                )[at]
            values["expected_purchases"][d] = cumulative[0]
            values["clv"][d] = clv_per_value * cumulative[0] * per_purchase
            revenue = outcomes(
                clone, values["p_alive"][d], cumulative[1:], per_purchase, ends[at[1:], 0], part
            )
            for h, label in enumerate(labels):
                values[f"revenue_{label}"][d] = revenue[h]
        for name in columns:
            finite = np.isfinite(values[name]).all()
            quantile = np.quantile if finite else np.nanquantile
            bounds[name][:, part] = quantile(values[name], quantiles, axis=0)
        for grouping, (codes, uniques) in group_codes.items():
            onehot = np.zeros((size, len(uniques)))
            onehot[np.arange(size), codes[part]] = 1.0
            for h, label in enumerate(labels):
                group_sums[grouping][h] += np.nan_to_num(values[f"revenue_{label}"]) @ onehot
    per_customer = pd.DataFrame(
        {
            f"{name}_{end}": bounds[name][i]
            for name in columns
            for i, end in enumerate(("low", "high"))
        },
        index=summary.index,
    )
    groups: dict[str, pd.DataFrame] = {}
    for grouping, (_codes, uniques) in group_codes.items():
        table = {}
        for h, label in enumerate(labels):
            low, high = np.quantile(group_sums[grouping][h], quantiles, axis=0)
            table[f"revenue_{label}_low"], table[f"revenue_{label}_high"] = low, high
        groups[grouping] = pd.DataFrame(table, index=pd.Index(uniques, name=grouping))
    company_table = groups.pop("all")
    return Intervals(
        per_customer=per_customer,
        groups=groups,
        company={str(k): float(v) for k, v in company_table.iloc[0].items()},
        draws=settings.draws,
        lower=settings.lower,
        upper=settings.upper,
        method={
            "purchase_model": "normal draws of the log-parameters (Laplace approximation "
            "of the fitted objective)",
            "spend": spend_method,
            "draws": settings.draws,
            "quantiles": quantiles,
        },
    )


def _outcome_sampler(
    spend: SpendEstimate,
    rfm: tuple[FloatArray, FloatArray, FloatArray],
    rng: np.random.Generator,
) -> Any:
    """``sampler(model, p_alive, expected, spend, horizons, customers)``: one simulated
    revenue per horizon and customer under one parameter draw (the order-count noise).

    The customer is alive with probability P(alive); alive, their purchase rate is drawn
    from its posterior ``Gamma(r + x, alpha + T)`` (the same in BG/NBD, MBG/NBD and
    Pareto/NBD) and the purchases in the horizon are Poisson, scaled so that their mean is
    the model's expected purchases (which also allow for dropping out during the horizon);
    each order's amount is Gamma with the spend model's shape ``p`` around the customer's
    expected spend (without a Gamma-Gamma fit, the expected spend itself).
    """
    x, _t_x, t_cal = rfm
    shape = float(spend.model.params_["p"]) if isinstance(spend.model, GammaGammaModel) else None

    def sample(
        model: Any,
        p_alive: FloatArray,
        expected: FloatArray,
        per_purchase: FloatArray,
        horizons: FloatArray,
        part: Index,
    ) -> FloatArray:
        if not {"r", "alpha"} <= set(model.params_):
            return np.asarray(expected * per_purchase, dtype=np.float64)
        r, alpha = model.params_["r"], model.params_["alpha"]
        # Random variates only where they matter (alive customers, orders > 0): drawing
        # them is most of the intervals' cost.
        alive = np.flatnonzero(rng.random(p_alive.shape) < p_alive)
        rate_shape, rate_scale = r + x[part[alive]], 1.0 / (alpha + t_cal[part[alive]])
        rate = rng.gamma(rate_shape, rate_scale)
        with np.errstate(all="ignore"):
            # The model's mean over P(alive) x mean rate x t: < 1 by dropping out meanwhile.
            factor = expected[:, alive] / (
                p_alive[alive] * rate_shape * rate_scale * horizons[:, None]
            )
        factor = np.clip(np.nan_to_num(factor), 0.0, None)
        counts = rng.poisson(factor * rate * horizons[:, None])
        revenue = np.zeros(expected.shape)
        spend_alive = np.broadcast_to(per_purchase[alive], counts.shape)
        if shape is None:
            revenue[:, alive] = counts * spend_alive
            return revenue
        ordered = counts > 0
        amounts = np.zeros(counts.shape)
        amounts[ordered] = rng.gamma(counts[ordered] * shape, spend_alive[ordered] / shape)
        revenue[:, alive] = amounts
        return revenue

    return sample


def _spend_sampler(
    spend: SpendEstimate, summary: pd.DataFrame, draws: int, rng: np.random.Generator
) -> tuple[Any, str]:
    """``sampler(draw, customers) -> spend per purchase`` and how it draws (see above)."""
    point = spend.spend.clip(lower=0.0).to_numpy(dtype=np.float64)
    sampler, method = _spend_draws(spend, summary, draws, rng, point)

    def with_point(d: int, part: Index) -> FloatArray:
        """Draw ``d``'s spend; ``d = -1``: the point estimate."""
        return point[part] if d < 0 else sampler(d, part)

    return with_point, method


def _spend_draws(
    spend: SpendEstimate,
    summary: pd.DataFrame,
    draws: int,
    rng: np.random.Generator,
    point: FloatArray,
) -> tuple[Any, str]:
    x = summary["frequency"].to_numpy(dtype=np.float64)
    m = summary["monetary_value"].to_numpy(dtype=np.float64, na_value=0.0)
    usable = (x > 0) & (m > 0) & np.isfinite(m)
    model = spend.model
    if isinstance(model, GammaGammaModel):
        scale = spend.scale
        spend_x, spend_m = np.where(usable, x, 0.0), np.where(usable, m, 0.0) / scale
        covariance = model.log_covariance(spend_x, spend_m)
        if covariance is not None:
            params = _log_normal_draws(_params(model), covariance, draws, rng)
            models = [_with_params(model, model.param_names, p) for p in params]

            def gamma_gamma(d: int, part: Index) -> FloatArray:
                with np.errstate(all="ignore"):
                    values = models[d].conditional_expected_spend(spend_x[part], spend_m[part])
                values = values * scale
                # A draw with q <= 1 has no finite mean spend: keep the point for it.
                return np.where(np.isfinite(values), values, point[part])

            return gamma_gamma, f"Gamma-Gamma parameter draws ({spend.method})"
    details = spend.details or {}
    if spend.method == "shrunk_mean" and np.isfinite(details.get("k", np.inf)):
        sigma2, k = float(details["sigma2"]), float(details["k"])
        sd = np.sqrt(sigma2 / (np.where(usable, x, 0.0) + k))
        noise = rng.standard_normal((draws, point.shape[0]))
        floor = 0.01 * float(details.get("book_mean", point.mean()))

        def shrunk(d: int, part: Index) -> FloatArray:
            values: FloatArray = np.maximum(point[part] + sd[part] * noise[d, part], floor)
            return values

        return shrunk, "each customer's mean spend drawn from its empirical-Bayes posterior"

    def fixed(_d: int, part: Index) -> FloatArray:
        return point[part]

    return fixed, f"spend not drawn ({spend.method}): purchase-model uncertainty only"


def tier_uncertain(
    tiers: pd.Series,
    current_value: pd.Series,
    clv: pd.Series,
    clv_low: pd.Series,
    clv_high: pd.Series,
    growth: pd.Series | None,
    rules: TierRules | None = None,
) -> pd.Series:
    """True where the tier would differ with the customer's CLV at either end of its
    interval (everyone else at their point value): a decision near a boundary.

    The potential-value axis is rebuilt as in :func:`~paretocrm.analytics.tiers.value_axes`:
    the CLV's percentile rank (weight 2/3) with growth's, re-ranked; a customer's low or high
    CLV is ranked among the other customers' point values.
    """
    index = tiers.index
    points = clv.reindex(index).to_numpy(dtype=np.float64)
    clv_rank = percentile_rank(clv.reindex(index).astype(float)).to_numpy()
    growth_rank = (
        percentile_rank(growth.reindex(index).astype(float)).to_numpy()
        if growth is not None and growth.notna().any()
        else np.full(len(index), np.nan)
    )

    def mean_rank(rank: FloatArray) -> FloatArray:
        with np.errstate(invalid="ignore"):
            mixed = POTENTIAL_CLV_WEIGHT * rank + (1 - POTENTIAL_CLV_WEIGHT) * growth_rank
        return np.where(np.isnan(growth_rank), rank, mixed)

    means = mean_rank(clv_rank)
    sorted_points, sorted_means = np.sort(points), np.sort(means)

    def rank_among(values: FloatArray, population: FloatArray) -> FloatArray:
        below = np.searchsorted(population, values, side="left")
        upto = np.searchsorted(population, values, side="right")
        return 100.0 * (below + 0.5 * (upto - below)) / max(len(population), 1)

    changed = np.zeros(len(index), dtype=bool)
    for end in (clv_low, clv_high):
        values = end.reindex(index).to_numpy(dtype=np.float64)
        known = np.isfinite(values)
        potential = rank_among(mean_rank(rank_among(values, sorted_points)), sorted_means)
        moved = assign_tiers(current_value, pd.Series(potential, index=index), rules)
        changed |= known & (moved.astype(str).to_numpy() != tiers.astype(str).to_numpy())
    return pd.Series(changed, index=index, name="tier_uncertain")
