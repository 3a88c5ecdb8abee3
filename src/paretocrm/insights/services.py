"""Scoring runs: the database goes through the value engine into a dated snapshot.

The run record is committed first (so its progress can be watched), the analysis runs
outside any transaction, and the scores plus the SUCCEEDED flag are written in one
transaction: until that commits, the previous successful run stays the current snapshot.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from paretocrm.analytics import pipeline
from paretocrm.analytics.exceptions import AnalyticsError, ConfigurationError
from paretocrm.core import bounds
from paretocrm.core.bulk import fast_insert, insert_rows, refresh_statistics
from paretocrm.core.exceptions import DomainError
from paretocrm.insights import rating_settings
from paretocrm.insights.attributes import read_attributes
from paretocrm.insights.choices import RunErrorCode, RunSource, RunStatus, WeightMethod
from paretocrm.insights.models import (
    CustomerScore,
    HealthWeights,
    PeakSeasonDemand,
    RatingWeights,
    ScoreRun,
)
from paretocrm.insights.reading import read_transactions
from paretocrm.insights.seasonality import PEAK_COLUMNS, plan_rows, read_lines
from paretocrm.insights.signals import score_run_succeeded

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[str, int], None]
BATCH_SIZE = 20000
CENT = Decimal("0.01")
#: The score columns holding money (Decimal(18, 2)), in the analysis' column names.
MONEY_COLUMNS = ("clv", "revenue", "gross_profit", "net_profit", "value_at_risk")


class ScoringError(Exception):
    """The scoring run could not complete; the message says why, for the person running it.

    ``code`` and ``params`` (a :class:`RunErrorCode` and its parameters) let pages word the
    failures the app detects itself in the reader's language.
    """

    def __init__(self, message: str, code: str = "", params: dict[str, Any] | None = None):
        super().__init__(message)
        self.code, self.params = code, params or {}


def run_scoring(
    *,
    as_of: dt.date | None = None,
    source: str = RunSource.CLI,
    triggered_by: Any = None,
    progress: ProgressCallback | None = None,
    run: ScoreRun | None = None,
) -> ScoreRun:
    """Score every customer with orders up to ``as_of`` (default today) and store a snapshot.

    ``run`` is a run record created beforehand (a queued run from the settings page);
    without it a new one is created. The rating weights in force are read now and recorded
    on the run.
    """
    if run is None:
        as_of = as_of or timezone.localdate()
        run = ScoreRun.objects.create(as_of=as_of, source=source, triggered_by=triggered_by)
    from paretocrm.jobs.services import working_on

    # Under a lease (the worker's job, or one of its own from the CLI): if this process dies,
    # the run is failed when the scoring page or a worker next looks (insights.background).
    with working_on("scoring", run.pk):
        return _run(run, progress)


def _run(run: ScoreRun, progress: ProgressCallback | None) -> ScoreRun:
    as_of = run.as_of
    report = _progress_reporter(run, progress)
    try:
        # Inside the try: a broken settings file fails this run instead of leaving it running.
        config, weights_version = rating_settings.scoring_config()
        ScoreRun.objects.filter(pk=run.pk).update(rating_settings=weights_version)
        run.rating_settings = weights_version
        report("reading the database", 0)
        transactions = read_transactions(as_of, settings.BASE_CURRENCY)
        if transactions.empty:
            raise ScoringError(
                f"no orders on or before {as_of}: nothing to score",
                RunErrorCode.NO_ORDERS,
                {"as_of": as_of.isoformat()},
            )
        transactions, skipped = usable_transactions(transactions)
        if transactions.empty:
            raise ScoringError(
                f"no usable orders on or before {as_of}: nothing to score",
                RunErrorCode.NO_ORDERS,
                {"as_of": as_of.isoformat()},
            )
        attributes = read_attributes(as_of)
        result = pipeline.analyze(
            transactions,
            attributes,
            config=config,
            observation_end=as_of,
            progress=lambda step, done, total: report(step, 5 + int(85 * done / total)),
        )
        report("planning the peak season", 90)
        lines = read_lines(as_of)
        lines = lines[~lines["customer_id"].isin(list(skipped))]
        peak_rows = plan_rows(run, lines, result.scores)
        report("saving the snapshot", 92)
        digest = config_digest(config)
        _save(
            run,
            result,
            n_transactions=len(transactions),
            extra=peak_rows,
            skipped=skipped,
            digest=digest,
        )
    except (AnalyticsError, ScoringError, ValueError) as error:
        coded = error if isinstance(error, ScoringError) else ScoringError(str(error))
        _fail(run, str(error), coded.code, coded.params)
        raise ScoringError(str(error), coded.code, coded.params) from error
    except Exception as error:
        _fail(run, f"{type(error).__name__}: {error}")
        raise
    report("done", 100)
    _queue_pruning(run)
    return run


def run_scheduled_scoring() -> None:
    """The daily run of ``paretocrm worker`` (job "scoring")."""
    run_scoring(source=RunSource.SCHEDULE)


def run_requested_scoring(run_id: int) -> None:
    """Run the queued run ``run_id`` (job "scoring-requested", from the settings page).

    A retry finds that run FAILED (or left RUNNING by a worker that died) and records its
    attempt as a new run, so every attempt and its error stay in the run history.
    """
    queued = ScoreRun.objects.get(pk=run_id)
    if queued.status == RunStatus.RUNNING and queued.progress == 0:
        run_scoring(run=queued)
        return
    if queued.status == RunStatus.SUCCEEDED or _superseded(queued):
        return  # done, or someone started a run since: a retry would only repeat it
    if queued.status == RunStatus.RUNNING:
        _fail(queued, "the worker stopped during this run", RunErrorCode.WORKER_STOPPED)
    retry = ScoreRun.objects.create(
        as_of=timezone.localdate(), source=queued.source, triggered_by=queued.triggered_by
    )
    run_scoring(run=retry)


def _superseded(run: ScoreRun) -> bool:
    """A later run is going or has succeeded (another click, the schedule, the CLI)."""
    later = ScoreRun.objects.filter(pk__gt=run.pk)
    return later.filter(status__in=[RunStatus.RUNNING, RunStatus.SUCCEEDED]).exists()


@dataclass
class PruneResult:
    """What :func:`prune_score_runs` deleted (in a dry run: would delete)."""

    runs: int = 0
    scores: int = 0
    peak_rows: int = 0
    kept_runs: int = 0
    dry_run: bool = False


def prune_score_runs(
    keep: int | None = None,
    *,
    months: int | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> PruneResult:
    """Delete what no page reads any more, and say how much went.

    Peak-season rows: only the peak-season page reads them, and only the current run's, yet
    a run has up to twelve per profitable customer (a million at 100k customers), so every
    run but the current one loses them. They are a plan derived from the scores, not
    history.

    Score runs and their scores are history (append-only, ARCHITECTURE.md) and are kept for
    ever unless a limit is given (``keep``, default ``settings.KEEP_SCORE_RUNS``, unset by
    default): then kept are every run in progress; the last ``keep`` successful runs, among
    them always the current one and, from ``keep=2``, the one before it that the
    dashboard's tier changes and the work alerts compare with; the last successful run of
    each of the last ``months`` calendar months of ``as_of`` (default
    ``settings.KEEP_MONTHLY_SCORE_RUNS``) for the customer page's tier history; and failed
    runs no older than the oldest of the last ``keep`` (all of them while there are no more
    successful runs than that), whose errors the settings page lists. Every other run is
    deleted with its scores (a task it raised keeps its reason; its run link becomes empty).

    Rows are deleted ``batch_size`` at a time, each batch in its own transaction, so no
    transaction or lock grows with the history. A prune that stops half-way leaves an old,
    non-current run with part of its rows; the next prune finishes it.
    """
    keep = settings.KEEP_SCORE_RUNS if keep is None else keep
    months = settings.KEEP_MONTHLY_SCORE_RUNS if months is None else months
    if keep is not None and keep < 1:
        raise ValueError(f"keep must be at least 1 (the current run is always kept), not {keep}")
    doomed, stripped = _pruning_plan(keep, max(months, 0))
    result = PruneResult(
        runs=len(doomed), kept_runs=ScoreRun.objects.count() - len(doomed), dry_run=dry_run
    )
    for run_id in stripped:
        peak = PeakSeasonDemand.objects.filter(run_id=run_id)
        result.peak_rows += peak.count() if dry_run else _delete_in_batches(peak, batch_size)
    for run_id in doomed:
        scores = CustomerScore._base_manager.filter(run_id=run_id)  # unreadable rows too
        peak = PeakSeasonDemand.objects.filter(run_id=run_id)
        if dry_run:
            result.scores += scores.count()
            result.peak_rows += peak.count()
            continue
        result.peak_rows += _delete_in_batches(peak, batch_size)
        result.scores += _delete_in_batches(scores, batch_size)
        with transaction.atomic():
            # Only a finished run: a status never goes back to RUNNING, this is belt and braces.
            ScoreRun.objects.filter(pk=run_id).exclude(status=RunStatus.RUNNING).delete()
    return result


def _pruning_plan(keep: int | None, months: int) -> tuple[list[int], list[int]]:
    """(runs to delete, kept runs whose peak-season rows go), oldest first; see the caller."""
    succeeded = list(
        ScoreRun.objects.succeeded()
        .order_by("-finished_at", "-id")
        .values_list("pk", "as_of", "started_at")
    )
    if not succeeded:
        return [], []  # nothing current to keep comparisons against: leave the history be
    if keep is None:
        return [], sorted(pk for pk, _as_of, _started in succeeded[1:])
    recent = succeeded[:keep]
    kept = {pk for pk, _as_of, _started in recent} | _monthly_runs(succeeded, months)
    doomed = [pk for pk, _as_of, _started in succeeded if pk not in kept]
    if len(succeeded) > keep:  # under the limit, a failure is part of the short history
        doomed += ScoreRun.objects.filter(
            status=RunStatus.FAILED, started_at__lt=recent[-1][2]
        ).values_list("pk", flat=True)
    current = succeeded[0][0]
    return sorted(doomed), sorted(kept - {current})


def _monthly_runs(succeeded: list[tuple[int, dt.date, dt.datetime]], months: int) -> set[int]:
    """The newest of ``succeeded`` (newest first) in each of the last ``months`` months."""

    def month_number(day: dt.date) -> int:
        return day.year * 12 + day.month - 1

    last = month_number(succeeded[0][1])
    newest: dict[int, int] = {}
    for pk, as_of, _started in succeeded:
        if 0 <= last - month_number(as_of) < months:
            newest.setdefault(month_number(as_of), pk)
    return set(newest.values())


def _delete_in_batches(rows: models.QuerySet[Any], batch_size: int) -> int:
    """Delete ``rows``, at most ``batch_size`` per transaction; returns how many went."""
    deleted = 0
    while True:
        with transaction.atomic():
            # A LIMITed subquery in IN: fine on SQLite and PostgreSQL (the databases we run).
            batch = rows.model._base_manager.filter(
                pk__in=rows.order_by().values("pk")[:batch_size]
            )
            count, _by_model = batch.delete()
        deleted += count
        if count < batch_size:
            return deleted


def config_digest(config: Any) -> str:
    """A short fingerprint of the analysis settings a run used (weights, thresholds, rules).

    Two runs with the same digest ranked customers by the same rules, so a customer whose tier
    changed between them moved by their own doing. The settings file's name is left out.
    """
    data = _plain(dataclasses.asdict(dataclasses.replace(config, source="")))
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _plain(value: Any) -> Any:
    """Mappings with string keys (AHP judgements are keyed by criterion pairs), lists."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _queue_pruning(run: ScoreRun) -> None:
    """Queue the pruning for the worker (job "prune-runs") once ``run`` has committed.

    Housekeeping, not part of the run: deleting the previous run's peak-season rows (a
    million at 100k customers) would add seconds to every ``paretocrm score``. A failure to
    queue is logged and the run stays good; ``paretocrm prune-runs`` does the same by hand.
    """
    from paretocrm.jobs.services import enqueue

    try:
        enqueue("prune-runs")
    except Exception:  # the run has committed: housekeeping must not turn it into a failure
        logger.exception("queueing the pruning after run %s failed", run.pk)


def run_pruning() -> None:
    """The job "prune-runs" queued after each successful run: :func:`prune_score_runs`."""
    result = prune_score_runs()
    if result.runs or result.peak_rows:
        logger.info(
            "pruned %s score runs (%s scores, %s peak-season rows)",
            result.runs,
            result.scores,
            result.peak_rows,
        )


def _progress_reporter(run: ScoreRun, progress: ProgressCallback | None) -> ProgressCallback:
    def report(step: str, percent: int) -> None:
        ScoreRun.objects.filter(pk=run.pk).update(step=step[:120], progress=percent)
        if progress is not None:
            progress(step, percent)

    return report


def _fail(
    run: ScoreRun, message: str, code: str = "", params: dict[str, Any] | None = None
) -> None:
    logger.warning("scoring run %s failed: %s", run.pk, message)
    ScoreRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED,
        error=message[:2000],
        error_code=code,
        error_params=params or {},
        finished_at=timezone.now(),
    )


def _save(
    run: ScoreRun,
    result: pipeline.AnalysisResult,
    *,
    n_transactions: int,
    extra: list[tuple[int, int | None, str, int, float]] | None = None,
    skipped: dict[str, str] | None = None,
    digest: str = "",
) -> None:
    skipped = dict(skipped or {})
    scores = result.scores
    # Belt and braces: a score the columns cannot hold (an estimate gone wild) leaves its
    # customer out with a note rather than failing the run or storing an unreadable row.
    unfit = np.zeros(len(scores), dtype=bool)
    for name in MONEY_COLUMNS:
        if name in scores.columns:
            unfit |= ~_fits(scores[name], float(bounds.COLUMN_MAX_AMOUNT)).to_numpy()
    for customer_id in scores.index[unfit]:
        skipped.setdefault(str(customer_id), "a score beyond what a money column holds")
    # One dict per customer up front: a .loc lookup per row cost seconds at 100k customers.
    breakdowns = result.rating.contributions.round(2).to_dict("index")
    facts = _parsed_facts(result.lifecycle_facts)
    healths, health_reasons = _health_of(result)
    rows = [
        _score_row(run, int(customer_id), row, breakdowns[customer_id], lifecycle, health, why)
        for customer_id, row, lifecycle, health, why, fit in zip(
            scores.index,
            scores.itertuples(index=False),
            facts,
            healths,
            health_reasons,
            ~unfit,
            strict=True,
        )
        if fit
    ]
    summary = overview(result)
    summary["notes"] = [*summary.get("notes", []), *_skipped_notes(skipped)]
    summary["skipped_customers"] = sorted(skipped)
    with transaction.atomic():
        # COPY (PostgreSQL): bulk_create spent most of a 100k-customer save preparing values.
        fast_insert(CustomerScore, rows, assign_ids=False, batch_size=BATCH_SIZE)
        # The peak-season plan has a row per profitable customer and month (a million at
        # 100k customers): COPY as well, bulk_create took a quarter of the run (B6).
        insert_rows(PeakSeasonDemand, PEAK_COLUMNS, extra or [], batch_size=BATCH_SIZE)
        ScoreRun.objects.filter(pk=run.pk).update(
            status=RunStatus.SUCCEEDED,
            finished_at=timezone.now(),
            progress=100,
            customers_scored=len(rows),
            transactions_read=n_transactions,
            models_info=_finite(result.models_info()),
            # The digest tells the task rules a re-weighting from customers moving (work.alerts).
            overview={**summary, "config_digest": digest},
            rating_weights={k: round(float(v), 4) for k, v in result.rating.weights.items()},
        )
        # Receivers (work queues) see the committed snapshot, never a half-written one.
        transaction.on_commit(lambda: score_run_succeeded.send(sender=ScoreRun, run=run))
    refresh_statistics(CustomerScore, PeakSeasonDemand)
    run.refresh_from_db()


def usable_transactions(transactions: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The orders of customers the analysis can use, and why each other customer is left out.

    A customer is left out (not the run failed) when any of their orders is dated outside
    the business dates (core.bounds), or has an amount, cost or quantity that is not a
    number or beyond what a money column holds, or when their total does not fit it: one
    absurd order (99,999,999,999 x 99,999,999,999 in the year 1) failed every run on
    PostgreSQL and stored unreadable scores on SQLite. Returns (orders, {customer id: why}).
    """
    limits = bounds.limits()
    ceiling = float(bounds.COLUMN_MAX_AMOUNT)
    stamps = transactions["timestamp"]
    first, last = pd.Timestamp(limits.min_date), pd.Timestamp(limits.max_date)
    reasons = {
        "date outside the business dates": (stamps < first)
        | (stamps >= last + pd.Timedelta(days=1)),
        "amount beyond what a money column holds": ~_fits(transactions["amount"], ceiling),
        "cost beyond what a money column holds": ~_fits(transactions["cost"], ceiling, True),
        "quantity beyond what a quantity column holds": ~_fits(transactions["quantity"], ceiling),
    }
    totals = transactions.groupby("customer_id")["amount"].sum()
    why: dict[str, str] = {}
    for reason, mask in reasons.items():
        for customer_id in transactions.loc[mask.to_numpy(), "customer_id"].unique():
            why.setdefault(str(customer_id), reason)
    for customer_id in totals.index[~_fits(totals, ceiling).to_numpy()]:
        why.setdefault(str(customer_id), "total revenue beyond what a money column holds")
    if not why:
        return transactions, why
    keep = ~transactions["customer_id"].astype(str).isin(list(why))
    return transactions[keep.to_numpy()], why


def _fits(values: pd.Series, ceiling: float, missing_ok: bool = False) -> pd.Series:
    """Finite and within +-``ceiling`` (a missing value passes when ``missing_ok``)."""
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    fits = np.isfinite(numbers) & (numbers.abs() <= ceiling)
    return fits | numbers.isna() if missing_ok else fits


def _skipped_notes(skipped: dict[str, str]) -> list[str]:
    """One note per customer left out, naming it by code (the code is what people know)."""
    from paretocrm.customers.models import Customer

    ids = [int(pk) for pk in skipped if str(pk).isdigit()]
    codes = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "code"))
    return [
        f"customer {codes.get(int(pk), pk) if str(pk).isdigit() else pk} (id {pk}) left out: {why}"
        for pk, why in sorted(skipped.items(), key=lambda item: str(item[0]))
    ]


def _finite(value: Any) -> Any:
    """``value`` with NaN/inf floats as None: a singular fit has NaN standard errors, and
    NaN is not JSON (SQLite's JSON_VALID check and PostgreSQL's jsonb both refuse it)."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _money(value: float) -> Decimal:
    return Decimal(str(round(float(value), 2))).quantize(CENT) if np.isfinite(value) else Decimal(0)


def _parsed_facts(texts: pd.Series) -> list[dict[str, Any]]:
    """Each customer's lifecycle facts as a dict, aligned with the scores.

    The analysis writes one JSON text per distinct explanation; each is parsed once and the
    rows sharing it share the dict (read-only from here on).
    """
    values = texts.astype("category")  # already categorical: no copy
    parsed = [json.loads(text) for text in values.cat.categories] + [{}]  # code -1: missing
    return [parsed[code] for code in values.cat.codes.tolist()]


def _health_of(
    result: pipeline.AnalysisResult,
) -> tuple[list[float | None], list[list[dict[str, Any]]]]:
    """Each customer's health (None when not scored) and reasons, aligned with the scores."""
    n = len(result.scores)
    if result.health is None:
        return [None] * n, [[] for _ in range(n)]
    health = result.health
    values = health.health.reindex(result.scores.index).round(1)
    reasons = health.reasons(result.config.health.max_reasons)
    return [None if np.isnan(v) else float(v) for v in values.to_numpy()], reasons


def _health_overview(result: pipeline.AnalysisResult) -> dict[str, Any]:
    """Company-wide health figures of the run: bands, threshold and weights applied."""
    from paretocrm.insights.health import BANDS, band_of

    if result.health is None:
        return {}
    values = result.health.health.dropna()
    bands = dict.fromkeys((key for key, _lowest, _label in BANDS), 0)
    for value in values.to_numpy():
        bands[band_of(float(value))] += 1
    return {
        "bands": bands,
        "median": round(float(values.median()), 1) if len(values) else None,
        "alert_below": result.config.health.alert_below,
        "weights": {k: round(float(v), 4) for k, v in result.health.weights.items()},
    }


def _score_row(
    run: ScoreRun,
    customer_id: int,
    row: Any,
    contribution: dict[str, float],
    lifecycle_facts: dict[str, Any],
    health: float | None = None,
    health_reasons: list[dict[str, Any]] | None = None,
) -> CustomerScore:
    reasons = [code for code in str(row.churn_reasons).split(";") if code]
    return CustomerScore(
        run=run,
        customer_id=customer_id,
        tier=row.tier,
        rating=float(row.rating),
        rating_breakdown={k: float(v) for k, v in contribution.items() if np.isfinite(v)},
        current_value=float(row.current_value),
        potential_value=float(row.potential_value),
        clv=_money(row.clv),
        p_alive=float(np.clip(row.p_alive, 0.0, 1.0)),
        expected_purchases=float(row.expected_purchases),
        lifecycle_stage=row.lifecycle_stage,
        lifecycle_reason=str(row.lifecycle_reason)[:300],
        lifecycle_reason_zh=str(row.lifecycle_reason_zh)[:300],
        lifecycle_facts=lifecycle_facts,
        r_score=int(row.r_score),
        f_score=int(row.f_score),
        m_score=int(row.m_score),
        rfm_segment=str(row.rfm_segment),
        segment=str(row.segment)[:60],
        abc_class=str(row.abc_class),
        profitability_class=str(row.profitability_class),
        revenue=_money(row.revenue),
        gross_profit=_money(row.gross_profit),
        net_profit=_money(row.net_profit),
        churn_risk=float(row.churn_risk),
        value_at_risk=_money(row.value_at_risk),
        churn_reasons=reasons,
        **_interval_fields(row),
        health=health,
        health_reasons=health_reasons or [],
    )


#: Forecast horizons stored per customer (score columns ``revenue_<h>``, ``_low``, ``_high``).
FORECAST_HORIZONS = ("3m", "6m", "12m")


def _interval_fields(row: Any) -> dict[str, Any]:
    """The intervals and revenue forecast of one score row (None where the run has none or
    a value does not fit its column)."""

    def number(value: Any) -> float | None:
        return float(value) if np.isfinite(value) else None

    def money(value: Any) -> Decimal | None:
        fits = np.isfinite(value) and abs(value) <= float(bounds.COLUMN_MAX_AMOUNT)
        return _money(value) if fits else None

    intervals = {
        h: [money(getattr(row, f"revenue_{h}_low")), money(getattr(row, f"revenue_{h}_high"))]
        for h in FORECAST_HORIZONS
    }
    return {
        "p_alive_low": number(row.p_alive_low),
        "p_alive_high": number(row.p_alive_high),
        "expected_purchases_low": number(row.expected_purchases_low),
        "expected_purchases_high": number(row.expected_purchases_high),
        "clv_low": money(row.clv_low),
        "clv_high": money(row.clv_high),
        "tier_uncertain": bool(row.tier_uncertain),
        **{f"revenue_{h}": money(getattr(row, f"revenue_{h}")) for h in FORECAST_HORIZONS},
        "revenue_intervals": {
            h: [float(v) for v in pair]
            for h, pair in intervals.items()
            if all(v is not None for v in pair)
        },
    }


def overview(result: pipeline.AnalysisResult) -> dict[str, Any]:
    """The figures dashboards show, computed once per run (pages never recompute them)."""
    scores = result.scores
    revenue = result.pareto["revenue"]
    profit = result.pareto["net_profit"]
    curve = revenue.curve
    step = max(1, len(curve) // 200)
    concentration = result.concentration
    return {
        "customers": len(scores),
        "pareto": {
            "headline": revenue.headline(),
            "customer_share_for_80": revenue.customer_share_for_80,
            "curve": {
                "customer_share": curve["customer_share"].iloc[::step].round(4).tolist(),
                "value_share": curve["value_share"].iloc[::step].round(4).tolist(),
            },
            "revenue_top_shares": _shares(revenue.top_shares),
            "profit_top_shares": _shares(profit.top_shares),
        },
        "hhi": {
            "revenue": concentration.revenue_hhi.points,
            "level": concentration.revenue_hhi.level,
            "equivalent_customers": concentration.revenue_hhi.equivalent_customers,
        },
        "dependency_alerts": [str(i) for i in concentration.alerts.index.tolist()],
        "tier_counts": scores["tier"].value_counts().to_dict(),
        "tier_rules": dataclasses.asdict(result.config.tiers),
        "lifecycle_counts": scores["lifecycle_stage"].value_counts().to_dict(),
        "revenue_by_tier": scores.groupby("tier")["revenue"].sum().round(2).to_dict(),
        "value_at_risk": float(scores["value_at_risk"].sum()),
        "forecast": _forecast_overview(result),
        "notes": list(result.notes),
        "period": dict(result.period),
        "health": _health_overview(result),
    }


def _forecast_overview(result: pipeline.AnalysisResult) -> dict[str, Any]:
    """The revenue forecast the dashboard and reports show: per horizon the company's and
    each tier's and owner's (user id) total with its interval, rounded to cents."""
    forecast = result.forecast
    if forecast is None:
        return {}

    def figures(values: Any) -> dict[str, list[float | None]]:
        return {
            h: [
                _rounded(values.get(f"revenue_{h}")),
                _rounded(values.get(f"revenue_{h}_low")),
                _rounded(values.get(f"revenue_{h}_high")),
            ]
            for h in FORECAST_HORIZONS
        }

    document: dict[str, Any] = {"company": figures(forecast.totals)}
    for grouping in ("tier", "owner"):
        if grouping in forecast.by:
            document[grouping] = {
                str(group): figures(row) for group, row in forecast.by[grouping].iterrows()
            }
    return document


def _rounded(value: Any) -> float | None:
    return round(float(value), 2) if value is not None and np.isfinite(value) else None


def _shares(frame: pd.DataFrame) -> dict[str, float]:
    return {f"{fraction:g}": round(float(share), 4) for fraction, share in frame["share"].items()}


class RatingSettingsError(DomainError):
    """Weights that cannot be saved; the message names the criterion or the problem."""


@transaction.atomic
def save_rating_weights(
    weights: dict[str, float],
    *,
    by: Any,
    method: str = WeightMethod.DIRECT,
    judgements: list[tuple[str, str, float]] | None = None,
    consistency_ratio: float | None = None,
    note: str = "",
) -> RatingWeights | None:
    """Store a new version of the rating weights; the next scoring run uses it.

    Every known criterion is stored (missing ones as 0), so a version is complete on its
    own. AHP weights with a consistency ratio above the limit are refused. Returns ``None``
    when the weights equal the version in force (a no-op writes no history).
    """
    try:
        checked = rating_settings.checked_weights(weights)
    except ConfigurationError as error:
        raise RatingSettingsError(str(error)) from error
    if method == WeightMethod.AHP and (
        consistency_ratio is None or consistency_ratio > rating_settings.MAX_CONSISTENCY_RATIO
    ):
        raise RatingSettingsError(
            _("consistency ratio %(ratio)s is above %(limit)s: revise the judgements first")
            % {"ratio": consistency_ratio, "limit": rating_settings.MAX_CONSISTENCY_RATIO}
        )
    complete = {
        code: round(checked.get(code, 0.0), 6)
        for code, _label in rating_settings.criterion_choices()
    }
    current = rating_settings.weights_in_force()
    if current is not None and current.weights == complete and current.method == method:
        return None
    return RatingWeights.objects.create(
        saved_by=by if getattr(by, "pk", None) else None,
        method=method,
        weights=complete,
        judgements=[[a, b, float(v)] for a, b, v in (judgements or [])],
        consistency_ratio=consistency_ratio,
        note=note[:200],
    )


@transaction.atomic
def save_health_weights(
    weights: dict[str, float], *, by: Any, note: str = ""
) -> HealthWeights | None:
    """Store a new version of the account health weights; the next scoring run uses it.

    Every known signal is stored (missing ones as 0). Returns ``None`` when the weights
    equal the version in force. The run after a change records other settings than the run
    before it, so the health falls it shows raise no tasks (work.alerts.health_falls).
    """
    try:
        checked = rating_settings.checked_health_weights(weights)
    except ConfigurationError as error:
        raise RatingSettingsError(str(error)) from error
    complete = {
        code: round(checked.get(code, 0.0), 6)
        for code, _label in rating_settings.health_signal_choices()
    }
    current = rating_settings.health_weights_in_force()
    if current is not None and current.weights == complete:
        return None
    return HealthWeights.objects.create(
        saved_by=by if getattr(by, "pk", None) else None, weights=complete, note=note[:200]
    )
