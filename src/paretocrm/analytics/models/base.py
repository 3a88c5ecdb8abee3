"""The machinery every probabilistic model inherits: fitting, standard errors, summary, repr.

"Declare the maths, inherit the machinery": a model file only states its parameter names, its
per-row log-likelihood and its closed-form predictions. This module owns:

* **compression** of the sufficient statistics - identical data rows (for example identical
  ``(x, t_x, T)`` triples) are collapsed (:func:`compress`) into one row and a weight, so the
  cost of a fit grows with the number of distinct profiles, not of customers;
* **optimisation** - maximum likelihood over the logarithms of the (positive) parameters with
  :func:`scipy.optimize.minimize`, started from several points and polished, keeping the best;
* **standard errors** from the inverse of a numerical Hessian of the negative
  log-likelihood at the optimum (natural parameter scale), and the ``summary`` table;
* the scikit-learn conventions: keyword-only settings stored as given, ``fit`` returns
  ``self``, learned values end in ``_``, :class:`NotFittedError` before ``fit``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize, stats

from paretocrm.analytics.exceptions import (
    ConfigurationError,
    ConvergenceError,
    DataContractError,
    NotFittedError,
)
from paretocrm.analytics.models.profiles import compress

FloatArray = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike

#: Confidence level of the intervals in ``summary``.
CONFIDENCE_LEVEL = 0.95
#: A fitted parameter whose natural log is beyond this has run off to 0 or infinity: the data
#: do not identify the model (a penalty helps).
LOG_PARAM_LIMIT = 18.0
#: Fits on at least this many distinct rows start from a fit on a sample of them
#: (:meth:`BaseFitter._warm_start`); smaller fits, such as the published CDNOW ones, do not.
WARM_START_MIN_ROWS = 100_000
#: Size of that sample (distinct rows, drawn with the model's ``random_state``).
WARM_START_SAMPLE_ROWS = 20_000


def as_float_array(name: str, values: ArrayLike) -> FloatArray:
    """Return ``values`` as a 1-D float64 array; refuse non-numbers and NaN/inf by name."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataContractError(f"{name}: values must be numbers", column=name) from None
    array = np.atleast_1d(array)
    if array.ndim != 1:
        raise DataContractError(f"{name}: expected a 1-D sequence, got shape {array.shape}")
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise _value_error(name, "is not a finite number", bad, array)
    return array


def require(condition: npt.NDArray[np.bool_], name: str, problem: str, values: FloatArray) -> None:
    """Raise a :class:`DataContractError` naming the first rows where ``condition`` fails."""
    bad = np.flatnonzero(~condition)
    if bad.size:
        raise _value_error(name, problem, bad, values)


def _value_error(name: str, problem: str, bad: npt.NDArray[Any], values: FloatArray) -> Exception:
    shown = [(int(i), float(values[i])) for i in bad[:5]]
    listed = "; ".join(f"position {i}: {v!r}" for i, v in shown)
    return DataContractError(
        f"{name}: {bad.size} value(s) {problem} - {listed} (positions count from 0)",
        column=name,
        rows=[(i + 1, v) for i, v in shown],
    )


def weighted_sum(weights: FloatArray, values: FloatArray) -> float:
    """``sum(weights * values)`` by numpy's pairwise summation, not a BLAS dot product.

    On a million profiles this is the accurate, thread-free choice: a multi-threaded BLAS
    ``dot`` took ~8 ms instead of ~1 ms on a busy 2-core machine, and its summation order
    (hence the last bits of the likelihood that BFGS sees near the optimum) depended on the
    number of BLAS threads.
    """
    return float(np.sum(weights * values))


def weighted_column_sums(weights: FloatArray, rows: FloatArray) -> FloatArray:
    """``weights @ rows`` (rows x columns) column by column with :func:`weighted_sum`."""
    result: FloatArray = np.array(
        [weighted_sum(weights, rows[:, j]) for j in range(rows.shape[1])], dtype=np.float64
    )
    return result


class BaseFitter(ABC):
    """Maximum-likelihood estimator with positive parameters.

    Subclasses set :attr:`param_names` and implement :meth:`_log_likelihood` (per data row,
    natural parameters) and :meth:`_initial_params`; they call :meth:`_fit_rows` from their
    public ``fit``.

    Args:
        penalizer_coef: L2 penalty on the parameters (``coef * sum(params**2)`` added to the
            mean negative log-likelihood), as in the ``lifetimes`` package; 0 gives the plain
            maximum-likelihood estimate that the published tables report.
        n_starts: number of starting points for the optimiser (the first is the model's
            default start, the others are seeded random perturbations of it). One is enough
            for the published fits and keeps a million-customer fit fast; a start that fails
            falls back to Nelder-Mead anyway. Raise it for a more thorough search.
        random_state: seed for the extra starting points.
        max_iter: iteration limit of each local search.
        log_prior_sd: standard deviation of a weak normal prior on each log-parameter,
            centred on the model's default start; the fit is then the maximum a posteriori
            estimate. 0 (the default) is no prior. On a book of tens of customers the
            likelihood is flat and its maximum can lie at a boundary (e.g. BG/NBD's ``a``
            -> 0 when nobody has been seen to drop out yet); a weak prior keeps the
            estimate finite and barely moves it where the data speak.
    """

    #: Names of the model's parameters, in the order the likelihood takes them.
    param_names: ClassVar[tuple[str, ...]] = ()
    #: Whether large fits start from a fit on a sample (:meth:`_warm_start`).
    warm_start: ClassVar[bool] = True

    params_: dict[str, float]
    log_likelihood_: float
    standard_errors_: dict[str, float]
    n_customers_: float
    n_profiles_: int

    def __init__(
        self,
        *,
        penalizer_coef: float = 0.0,
        n_starts: int = 1,
        random_state: int = 0,
        max_iter: int = 5_000,
        log_prior_sd: float = 0.0,
    ) -> None:
        self.penalizer_coef = penalizer_coef
        self.log_prior_sd = log_prior_sd
        self.n_starts = n_starts
        self.random_state = random_state
        self.max_iter = max_iter

    # --- what a model declares -------------------------------------------------------------

    @abstractmethod
    def _log_likelihood(self, params: FloatArray, data: tuple[FloatArray, ...]) -> FloatArray:
        """Log-likelihood of each (distinct) data row under ``params`` (natural scale)."""

    @abstractmethod
    def _initial_params(self) -> FloatArray:
        """A sensible starting point on the natural scale."""

    def _prepare(self, data: tuple[FloatArray, ...]) -> Any:
        """Precompute what does not depend on the parameters (once per fit); by default the
        compressed data themselves. A model that overrides it overrides
        :meth:`_log_likelihood_prepared` too."""
        return data

    def _log_likelihood_prepared(self, params: FloatArray, prepared: Any) -> FloatArray:
        """Per-row log-likelihood from :meth:`_prepare`'s output (the optimiser's hot path)."""
        return self._log_likelihood(params, prepared)

    def _gradient_prepared(self, params: FloatArray, prepared: Any) -> FloatArray | None:
        """Per-row gradient of the log-likelihood with respect to the natural parameters
        (rows x parameters), or None to let the optimiser use finite differences."""
        return None

    def _weigh(self, prepared: Any, weights: FloatArray) -> Any:
        """Precompute what depends on the row weights but not on the parameters (once per fit
        and set of weights) for :meth:`_log_likelihood_total` and :meth:`_gradient_total`;
        by default the weights themselves. A model that overrides it overrides both."""
        return weights

    def _log_likelihood_total(self, params: FloatArray, prepared: Any, weighted: Any) -> float:
        """Weighted sum of the rows' log-likelihoods (``weighted`` from :meth:`_weigh`)."""
        return weighted_sum(weighted, self._log_likelihood_prepared(params, prepared))

    def _gradient_total(self, params: FloatArray, prepared: Any, weighted: Any) -> FloatArray:
        """Weighted sum of the rows' gradients (natural parameters); only called when the
        model has an analytic gradient (:meth:`_has_gradient`)."""
        rows = self._gradient_prepared(params, prepared)
        assert rows is not None  # only called when the model has a gradient
        return weighted_column_sums(weighted, rows)

    def _has_gradient(self) -> bool:
        """Whether the model declares an analytic gradient (overrides the default hook)."""
        return type(self)._gradient_prepared is not BaseFitter._gradient_prepared

    # --- fitting ----------------------------------------------------------------------------

    def _check_settings(self) -> None:
        if not np.isfinite(self.log_prior_sd) or self.log_prior_sd < 0:
            raise ConfigurationError(
                f"log_prior_sd must be a number >= 0, got {self.log_prior_sd!r}"
            )
        if not np.isfinite(self.penalizer_coef) or self.penalizer_coef < 0:
            raise ConfigurationError(
                f"penalizer_coef must be a number >= 0, got {self.penalizer_coef!r}"
            )
        if self.n_starts < 1:
            raise ConfigurationError(f"n_starts must be >= 1, got {self.n_starts!r}")
        if self.max_iter < 1:
            raise ConfigurationError(f"max_iter must be >= 1, got {self.max_iter!r}")

    def _fit_rows(self, columns: Sequence[FloatArray], weights: ArrayLike | None) -> Self:
        """Compress ``columns`` (+ ``weights``), maximise the likelihood, store the results."""
        self._check_settings()
        w = None
        if weights is not None:
            w = as_float_array("weights", weights)
            if w.shape[0] != columns[0].shape[0]:
                raise DataContractError(
                    f"weights: {w.shape[0]} values for {columns[0].shape[0]} rows", column="weights"
                )
            require(w >= 0, "weights", "are negative", w)
        data, row_weights = compress(columns, w)
        prepared = self._prepare(data)
        if row_weights.sum() <= 0:
            raise DataContractError("no data rows with positive weight to fit on")
        total = float(row_weights.sum())
        objective, gradient = self._objective(prepared, row_weights)
        has_gradient = self._has_gradient()
        warm = self._warm_start(data, row_weights) if has_gradient and self.warm_start else None
        best = self._optimise(objective, gradient if has_gradient else None, warm).x
        params = np.exp(best)
        runaway = [
            n for n, v in zip(self.param_names, best, strict=True) if abs(v) > LOG_PARAM_LIMIT
        ]
        if runaway:
            found = dict(zip(self.param_names, params.tolist(), strict=True))
            raise ConvergenceError(
                f"{type(self).__name__}: parameter(s) {', '.join(runaway)} ran off to 0 or "
                f"infinity ({found}); the data do not identify the model - try "
                "penalizer_coef > 0 or more data"
            )
        ll_rows = self._log_likelihood_prepared(params, prepared)
        log_likelihood = weighted_sum(row_weights, ll_rows)
        if not np.isfinite(log_likelihood):
            raise ConvergenceError(
                f"{type(self).__name__}: the log-likelihood is not finite at the optimum "
                f"{dict(zip(self.param_names, params.tolist(), strict=True))}"
            )
        self.params_ = dict(zip(self.param_names, params.tolist(), strict=True))
        self.log_likelihood_ = log_likelihood
        self.standard_errors_ = dict(
            zip(self.param_names, self._standard_errors(params, prepared, row_weights), strict=True)
        )
        self.n_customers_ = total
        self.n_profiles_ = int(row_weights.shape[0])
        return self

    def _objective(self, prepared: Any, row_weights: FloatArray) -> tuple[Any, Any]:
        """The optimiser's objective (mean negative log-likelihood per customer plus the
        penalty) and its gradient, both in log-parameters, over ``prepared`` rows."""
        total = float(row_weights.sum())
        weighted = self._weigh(prepared, row_weights)
        # The weak prior's share of the mean per customer (see log_prior_sd).
        centre = np.log(self._initial_params())
        prior = 1.0 / (self.log_prior_sd**2 * total) if self.log_prior_sd > 0 else 0.0

        def objective(log_params: FloatArray) -> float:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                params = np.exp(log_params)
                value = -self._log_likelihood_total(params, prepared, weighted) / total
                value += self.penalizer_coef * float(np.sum(params**2))
            value += 0.5 * prior * float(np.sum((log_params - centre) ** 2))
            # A non-finite value means "outside the feasible region" to the optimiser.
            return value if np.isfinite(value) else 1e300

        def gradient(log_params: FloatArray) -> FloatArray:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                params = np.exp(log_params)
                natural = -self._gradient_total(params, prepared, weighted) / total + (
                    2 * self.penalizer_coef * params
                )
                # chain rule: d/d log(theta) = theta d/d theta
                result: FloatArray = natural * params
                result += prior * (log_params - centre)
            return result if np.all(np.isfinite(result)) else np.zeros_like(result)

        return objective, gradient

    def _warm_start(
        self, data: tuple[FloatArray, ...], row_weights: FloatArray
    ) -> tuple[FloatArray, FloatArray | None] | None:
        """Optimum and inverse Hessian (None if not usable) of a fit on a seeded random
        sample of the distinct rows; None for small data (below :data:`WARM_START_MIN_ROWS`
        distinct rows) or when the sample fit fails.

        On a million customers each evaluation gathers over ~800k distinct rows, and BFGS
        from the default start needs ~25 of them. The sample's optimum is close to the full
        one and, as the objective is a mean per customer, its inverse Hessian is on the same
        scale: BFGS started there with that curvature needs a handful of full evaluations.
        The result is still the full data's optimum (same convergence test); a failed sample
        fit simply means the default start.
        """
        n = row_weights.shape[0]
        if n < WARM_START_MIN_ROWS:
            return None
        rng = np.random.default_rng(self.random_state)
        rows = np.sort(rng.choice(n, size=WARM_START_SAMPLE_ROWS, replace=False))
        sample = tuple(column[rows] for column in data)
        objective, gradient = self._objective(self._prepare(sample), row_weights[rows])
        try:
            result = self._optimise(objective, gradient, None)
        except ConvergenceError:
            return None
        x = np.asarray(result.x, dtype=np.float64)
        if not (_is_stationary(result) and np.max(np.abs(x)) < LOG_PARAM_LIMIT):
            return None
        # The sample's Hessian by central differences of its gradient (cheap on the sample);
        # BFGS's own running estimate is too rough where parameters are strongly correlated.
        hessian = _positive_definite(gradient_hessian(gradient, x), x.size)
        return x, None if hessian is None else _positive_definite(np.linalg.inv(hessian), x.size)

    def _optimise(
        self,
        objective: Any,
        gradient: Any,
        warm: tuple[FloatArray, FloatArray | None] | None,
    ) -> Any:
        """Quasi-Newton (BFGS) searches on log-parameters from several starts; keep the best
        (the ``scipy.optimize.OptimizeResult``).

        The first start is the model's default, or ``warm`` (a start and an initial inverse
        Hessian, see :meth:`_warm_start`) when given. A start from which BFGS fails (a
        non-finite value on the way) is retried with the derivative-free Nelder-Mead
        simplex, which tolerates infeasible regions, and then polished by BFGS.
        """
        start = np.log(self._initial_params())
        rng = np.random.default_rng(self.random_state)
        starts = [start if warm is None else warm[0]] + [
            start + rng.normal(0.0, 0.5, start.shape) for _ in range(1, self.n_starts)
        ]

        def stop_when_running_off(xk: FloatArray) -> None:
            # A search heading to 0 or infinity will not come back; stop it early.
            if np.max(np.abs(xk)) > LOG_PARAM_LIMIT + 2:
                raise StopIteration

        def bfgs(x0: FloatArray, hess_inv0: FloatArray | None = None) -> Any:
            return optimize.minimize(
                objective,
                x0,
                jac=gradient,
                method="BFGS",
                callback=stop_when_running_off,
                options={"gtol": 1e-9, "maxiter": self.max_iter, "hess_inv0": hess_inv0},
            )

        results = []
        for number, x0 in enumerate(starts):
            hess_inv0 = warm[1] if warm is not None and number == 0 else None
            result = bfgs(x0, hess_inv0)
            if hess_inv0 is not None and not _is_stationary(result):
                result = bfgs(x0)  # the curvature guess misled the line search
            if not (np.isfinite(result.fun) and result.fun < 1e299 and _is_stationary(result)):
                simplex = optimize.minimize(
                    objective,
                    x0,
                    callback=stop_when_running_off,
                    method="Nelder-Mead",
                    options={"maxiter": self.max_iter, "xatol": 1e-7, "fatol": 1e-11},
                )
                result = min([result, simplex, bfgs(simplex.x)], key=lambda r: float(r.fun))
            results.append(result)
        chosen = min(results, key=lambda r: float(r.fun))
        if not np.isfinite(chosen.fun) or chosen.fun >= 1e299:
            raise ConvergenceError(
                f"{type(self).__name__}: no starting point reached a finite log-likelihood"
            )
        return chosen

    def _standard_errors(
        self, params: FloatArray, prepared: Any, weights: FloatArray
    ) -> list[float]:
        """Square roots of the diagonal of the inverse Hessian of the negative LL (NaN if
        the Hessian is singular or not positive definite).

        With an analytic gradient the Hessian is its central difference (2 k gradient
        evaluations for k parameters, instead of 2 k^2 + 1 likelihood evaluations, and
        one order of differencing less, so less rounding noise)."""

        weighted = self._weigh(prepared, weights)

        def negative_ll(p: FloatArray) -> float:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                return -self._log_likelihood_total(p, prepared, weighted)

        def negative_gradient(p: FloatArray) -> FloatArray:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                return -self._gradient_total(p, prepared, weighted)

        if self._has_gradient():
            hessian = gradient_hessian(negative_gradient, params)
        else:
            hessian = numerical_hessian(negative_ll, params)
        try:
            covariance = np.linalg.inv(hessian)
        except np.linalg.LinAlgError:
            return [float("nan")] * params.size
        variances = np.diag(covariance)
        return [float(np.sqrt(v)) if v > 0 else float("nan") for v in variances]

    def _log_covariance_rows(
        self, columns: Sequence[FloatArray], weights: ArrayLike | None = None
    ) -> FloatArray | None:
        """Covariance of the log-parameters at the fitted estimate: the inverse Hessian of
        the objective the fit minimised (negative log-likelihood, penalty and weak prior),
        i.e. the Laplace (asymptotic normal) approximation around the MAP / ML estimate.

        ``columns`` are the data the model was fitted on. None when the Hessian is not
        finite and positive definite (a flat or degenerate fit: no interval is honest).
        Costs one compression and 2 k gradient evaluations (k parameters).
        """
        log_params = np.log(self._param_array())
        w = None if weights is None else as_float_array("weights", weights)
        data, row_weights = compress(columns, w)
        total = float(row_weights.sum())
        objective, gradient = self._objective(self._prepare(data), row_weights)
        if self._has_gradient():
            hessian = gradient_hessian(gradient, log_params)
        else:
            hessian = numerical_hessian(objective, log_params)
        precision = _positive_definite(hessian * total, log_params.size)
        if precision is None:
            return None
        return _positive_definite(np.linalg.inv(precision), log_params.size)

    # --- reporting --------------------------------------------------------------------------

    def _require_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet: call fit(...) before using it."
            )

    def _param_array(self) -> FloatArray:
        self._require_fitted()
        return np.array([self.params_[name] for name in self.param_names], dtype=np.float64)

    @property
    def summary(self) -> pd.DataFrame:
        """Parameters with standard errors and 95 % (Wald) confidence intervals."""
        self._require_fitted()
        coef = self._param_array()
        se = np.array([self.standard_errors_[name] for name in self.param_names])
        z = float(stats.norm.ppf(0.5 + CONFIDENCE_LEVEL / 2))
        return pd.DataFrame(
            {"coef": coef, "se": se, "lower 95%": coef - z * se, "upper 95%": coef + z * se},
            index=pd.Index(self.param_names, name="parameter"),
        )

    def __repr__(self) -> str:
        settings = f"penalizer_coef={self.penalizer_coef!r}"
        if not hasattr(self, "params_"):
            return f"{type(self).__name__}({settings}) [not fitted]"
        params = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return (
            f"{type(self).__name__}({settings}) fitted on {self.n_customers_:,.0f} rows "
            f"({self.n_profiles_:,} distinct): {params}, log-likelihood={self.log_likelihood_:.2f}"
        )


def _positive_definite(matrix: Any, size: int) -> FloatArray | None:
    """``matrix`` symmetrised if it is a finite positive-definite ``size`` x ``size`` matrix
    (what BFGS accepts as an initial inverse Hessian), else None."""
    if matrix is None:
        return None
    array = np.asarray(matrix, dtype=np.float64)
    if array.shape != (size, size) or not np.all(np.isfinite(array)):
        return None
    symmetric: FloatArray = (array + array.T) / 2
    try:
        np.linalg.cholesky(symmetric)
    except np.linalg.LinAlgError:
        return None
    return symmetric


def _is_stationary(result: Any) -> bool:
    """BFGS either converged or stopped on floating-point precision with a small gradient
    (of the mean negative log-likelihood per customer, in log-parameters)."""
    jac = getattr(result, "jac", None)
    return bool(result.success) or (jac is not None and float(np.max(np.abs(jac))) < 1e-4)


def numerical_hessian(function: Any, x: FloatArray) -> FloatArray:
    """Central-difference Hessian of a scalar ``function`` at ``x`` (relative steps)."""
    n = x.size
    steps = 1e-4 * np.maximum(np.abs(x), 1e-2)
    hessian = np.empty((n, n))
    f0 = function(x)
    for i in range(n):
        ei = np.zeros(n)
        ei[i] = steps[i]
        hessian[i, i] = (function(x + ei) - 2 * f0 + function(x - ei)) / steps[i] ** 2
        for j in range(i + 1, n):
            ej = np.zeros(n)
            ej[j] = steps[j]
            value = (
                function(x + ei + ej)
                - function(x + ei - ej)
                - function(x - ei + ej)
                + function(x - ei - ej)
            ) / (4 * steps[i] * steps[j])
            hessian[i, j] = hessian[j, i] = value
    return hessian


def gradient_hessian(gradient: Any, x: FloatArray) -> FloatArray:
    """Central-difference Hessian from an analytic ``gradient`` at ``x`` (same relative
    steps as :func:`numerical_hessian`), symmetrised."""
    n = x.size
    steps = 1e-4 * np.maximum(np.abs(x), 1e-2)
    hessian = np.empty((n, n))
    for i in range(n):
        step = np.zeros(n)
        step[i] = steps[i]
        hessian[i] = (gradient(x + step) - gradient(x - step)) / (2 * steps[i])
    result: FloatArray = (hessian + hessian.T) / 2
    return result


class TransactionModel(BaseFitter):
    """A model of repeat purchases fitted on ``(frequency, recency, T)`` per customer.

    ``frequency`` (x) is the number of repeat purchase days, ``recency`` (t_x) the time from
    first to last purchase and ``T`` the time from first purchase to the end of calibration,
    all in one time unit (see :func:`paretocrm.analytics.summary.summarize`).
    """

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        *,
        weights: ArrayLike | None = None,
    ) -> Self:
        """Fit by maximum likelihood; ``weights`` count how many customers each row stands for."""
        x, t_x, t_cal = check_rfm(frequency, recency, T)
        return self._fit_rows((x, t_x, t_cal), weights)

    def log_covariance(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Any:
        """Covariance of the log-parameters given the data the model was fitted on (see
        :meth:`BaseFitter._log_covariance_rows`); None for a degenerate fit."""
        return self._log_covariance_rows(check_rfm(frequency, recency, T))

    @abstractmethod
    def conditional_probability_alive(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
    ) -> FloatArray:
        """P(customer still alive at T | x, t_x, T)."""

    @abstractmethod
    def conditional_expected_purchases(
        self,
        t: ArrayLike,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
    ) -> FloatArray:
        """Expected purchases in ``(T, T + t]`` given the customer's history."""

    @abstractmethod
    def expected_purchases(self, t: ArrayLike) -> FloatArray:
        """Expected purchases of a new customer in ``(0, t]``, E[X(t)]."""

    def conditional_probability_no_purchases(
        self,
        t: ArrayLike,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
    ) -> FloatArray:
        """P(no purchase in ``(T, T + t]`` | x, t_x, T): the back-test's churn probability.

        Models whose customers can drop out only right after a purchase (BG/NBD, MBG/NBD)
        have it in closed form (:func:`probability_no_purchases_after`); others say so.
        """
        raise NotImplementedError(
            f"{type(self).__name__} has no closed form for P(no purchase in a period)"
        )

    def weighted_expected_purchases(
        self,
        ends: ArrayLike,
        weights: ArrayLike,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
    ) -> FloatArray:
        """``sum_k weights[k] E[Y(ends[k]) | x, t_x, T]`` per customer (the CLV's sum).

        This default builds the periods x customers array of expectations; a model whose
        prediction factors into a per-customer part and a part shared by customers with
        the same few values overrides it to sum over those values only.
        """
        horizons, weight = weighted_horizons(ends, weights)
        cumulative = self.conditional_expected_purchases(horizons, frequency, recency, T)
        result: FloatArray = weight @ cumulative
        return result


def probability_no_purchases_after(
    r: float, alpha: float, alive: FloatArray, x: FloatArray, t_cal: FloatArray, t: ArrayLike
) -> FloatArray:
    """P(no purchase in ``(T, T + t]``) for models where dropout happens only at purchases.

    Dead at T, the customer buys nothing; alive at T, they stay alive until their next
    purchase, so nothing is bought in ``t`` with the posterior Poisson-gamma probability
    ``((alpha+T)/(alpha+T+t))^(r+x)`` (their rate given x purchases in T is
    Gamma(r+x, alpha+T); Fader, Hardie & Lee 2005, section 4):
    ``1 - P(alive) + P(alive) ((alpha+T)/(alpha+T+t))^(r+x)``.
    """
    horizon = np.asarray(t, dtype=np.float64)
    silent = np.exp((r + x) * (np.log(alpha + t_cal) - np.log(alpha + t_cal + horizon)))
    result: FloatArray = np.asarray(1.0 - alive + alive * silent, dtype=np.float64)
    return result


def check_rfm(
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validate ``(frequency, recency, T)``: same length, x whole >= 0, 0 <= t_x <= T."""
    x = as_float_array("frequency", frequency)
    t_x = as_float_array("recency", recency)
    t_cal = as_float_array("T", T)
    if not (x.shape == t_x.shape == t_cal.shape):
        raise DataContractError(
            f"frequency, recency and T must have the same length, got "
            f"{x.shape[0]}, {t_x.shape[0]} and {t_cal.shape[0]}"
        )
    require((x >= 0) & (x == np.round(x)), "frequency", "are not whole numbers >= 0", x)
    require(t_x >= 0, "recency", "are negative", t_x)
    require(t_cal > 0, "T", "are not > 0", t_cal)
    require(t_x <= t_cal * (1 + 1e-12), "recency", "are greater than T", t_x)
    return x, t_x, t_cal


def weighted_horizons(ends: ArrayLike, weights: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Horizons as a column (one row per horizon) and their weights, checked to match."""
    horizons = as_horizon(ends).reshape(-1, 1)
    weight = np.asarray(weights, dtype=np.float64).reshape(-1)
    if weight.shape[0] != horizons.shape[0] or not np.all(np.isfinite(weight)):
        raise ConfigurationError(
            f"weights must be {horizons.shape[0]} finite numbers, one per horizon, got {weights!r}"
        )
    return horizons, weight


def as_horizon(t: ArrayLike) -> FloatArray:
    """A non-negative prediction horizon (scalar or array, broadcast with the customers)."""
    horizon = np.asarray(t, dtype=np.float64)
    if not np.all(np.isfinite(horizon)) or np.any(horizon < 0):
        raise ConfigurationError(f"t must be finite and >= 0, got {t!r}")
    return horizon
