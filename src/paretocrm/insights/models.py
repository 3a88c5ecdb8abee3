"""Score snapshots: the dated output of the value engine, read by pages, API and reports.

A run writes all its rows and flips to SUCCEEDED in one transaction, so the previous
successful run stays the current snapshot until the new one is complete.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from paretocrm.core.models import AppendOnlyModel
from paretocrm.insights.choices import (
    LifecycleStage,
    RunErrorCode,
    RunSource,
    RunStatus,
    Tier,
    WeightMethod,
)
from paretocrm.insights.explanations import render_lifecycle, render_tier
from paretocrm.insights.querysets import CustomerScoreManager, ScoreRunQuerySet


class ScoreRun(models.Model):
    """One run of the value engine over the operational database."""

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    as_of = models.DateField(_("data as of"))
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    source = models.CharField(
        _("source"), max_length=16, choices=RunSource.choices, default=RunSource.CLI
    )
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("triggered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("current step"), max_length=120, blank=True)
    customers_scored = models.PositiveIntegerField(_("customers scored"), default=0)
    transactions_read = models.PositiveIntegerField(_("transactions read"), default=0)
    models_info = models.JSONField(_("fitted models"), default=dict, blank=True)
    overview = models.JSONField(_("overview"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Failures the app detects itself are also stored as a code (worded in the reader's
    # language by error_text); others (the engine's, unexpected ones) keep their text only.
    error_code = models.CharField(
        _("error code"), max_length=32, choices=RunErrorCode.choices, blank=True
    )
    error_params = models.JSONField(_("error parameters"), default=dict, blank=True)
    rating_settings = models.ForeignKey(
        "insights.RatingWeights",
        verbose_name=_("rating settings version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="runs",
        help_text=_("Empty: the run used the weights of the analysis settings file."),
    )
    rating_weights = models.JSONField(
        _("rating weights used"),
        default=dict,
        blank=True,
        help_text=_("Criterion -> share of the rating, as the engine applied them."),
    )

    objects = ScoreRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("score run")
        verbose_name_plural = _("score runs")
        ordering = ("-started_at", "-id")

    def __str__(self) -> str:
        return f"{self.as_of} ({self.get_status_display()})"

    #: The step of a run queued from a page until ``paretocrm worker`` starts it.
    WAITING_STEP = "waiting for the worker"
    #: How long a queued run may wait before the page says no worker seems to be running.
    WORKER_PATIENCE = dt.timedelta(minutes=1)

    @property
    def waiting_for_a_worker(self) -> bool:
        """True when a queued run has waited longer than a running worker would let it."""
        return (
            self.status == RunStatus.RUNNING
            and self.step == self.WAITING_STEP
            and timezone.now() - self.started_at > self.WORKER_PATIENCE
        )

    @property
    def error_text(self) -> str:
        """Why the run failed, in the active language when the failure has a code."""
        if self.error_code == RunErrorCode.NO_ORDERS:
            as_of = dt.date.fromisoformat(self.error_params.get("as_of", str(self.as_of)))
            return translation.gettext("no orders on or before %(as_of)s: nothing to score") % {
                "as_of": formats.date_format(as_of, "SHORT_DATE_FORMAT")
            }
        if self.error_code == RunErrorCode.WORKER_STOPPED:
            return translation.gettext("the worker stopped during this run")
        return self.error


class CustomerScore(models.Model):
    """One customer's scores in one run: tier, rating, value, risk, and why."""

    run = models.ForeignKey(
        ScoreRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="scores"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="scores",
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    rating = models.FloatField(_("rating (0-100)"))
    rating_breakdown = models.JSONField(_("rating breakdown"), default=dict)
    current_value = models.FloatField(_("current value (0-100)"))
    potential_value = models.FloatField(_("potential value (0-100)"))
    clv = models.DecimalField(_("lifetime value"), max_digits=18, decimal_places=2)
    p_alive = models.FloatField(_("probability alive"))
    expected_purchases = models.FloatField(_("expected purchases (next period)"))
    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=16, choices=LifecycleStage.choices
    )
    lifecycle_reason = models.CharField(_("lifecycle explanation"), max_length=300, blank=True)
    lifecycle_reason_zh = models.CharField(
        _("lifecycle explanation (Chinese)"), max_length=300, blank=True
    )
    # The explanation as data (rule code and figures), worded for each reader by
    # insights.explanations; the two texts above stay for rows scored before it existed.
    lifecycle_facts = models.JSONField(_("lifecycle explanation facts"), default=dict, blank=True)

    r_score = models.PositiveSmallIntegerField(_("R score"))
    f_score = models.PositiveSmallIntegerField(_("F score"))
    m_score = models.PositiveSmallIntegerField(_("M score"))
    rfm_segment = models.CharField(_("RFM segment"), max_length=40)
    segment = models.CharField(_("behaviour segment"), max_length=60, blank=True)
    abc_class = models.CharField(_("ABC class"), max_length=1)
    profitability_class = models.CharField(_("profitability class"), max_length=40)
    revenue = models.DecimalField(_("revenue"), max_digits=18, decimal_places=2)
    gross_profit = models.DecimalField(_("gross profit"), max_digits=18, decimal_places=2)
    net_profit = models.DecimalField(_("net profit"), max_digits=18, decimal_places=2)
    churn_risk = models.FloatField(_("churn risk"))
    value_at_risk = models.DecimalField(_("value at risk"), max_digits=18, decimal_places=2)
    churn_reasons = models.JSONField(_("churn reasons"), default=list, blank=True)
    # Uncertainty (analytics.intervals; empty for runs without intervals) and the revenue
    # forecast (expected purchases x expected spend over the next 3, 6 and 12 months).
    p_alive_low = models.FloatField(_("P(alive), low"), null=True, blank=True)
    p_alive_high = models.FloatField(_("P(alive), high"), null=True, blank=True)
    expected_purchases_low = models.FloatField(_("expected purchases, low"), null=True, blank=True)
    expected_purchases_high = models.FloatField(
        _("expected purchases, high"), null=True, blank=True
    )
    clv_low = models.DecimalField(
        _("lifetime value, low"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    clv_high = models.DecimalField(
        _("lifetime value, high"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    tier_uncertain = models.BooleanField(
        _("tier near a boundary"),
        default=False,
        help_text=_("The tier would change with the lifetime value at an end of its interval."),
    )
    revenue_3m = models.DecimalField(
        _("forecast revenue, 3 months"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    revenue_6m = models.DecimalField(
        _("forecast revenue, 6 months"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    revenue_12m = models.DecimalField(
        _("forecast revenue, 12 months"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    revenue_intervals = models.JSONField(
        _("forecast revenue intervals"),
        default=dict,
        blank=True,
        help_text=_('Horizon ("3m", "6m", "12m") -> [low, high] of the forecast revenue.'),
    )
    # Account health (analytics.health): empty for rows scored before it existed. Its
    # reasons are facts (signal key, raw value, points lost), worded by insights.health.
    health = models.FloatField(_("account health (0-100)"), null=True, blank=True)
    health_reasons = models.JSONField(_("account health reasons"), default=list, blank=True)

    objects = CustomerScoreManager()

    class Meta:
        verbose_name = _("customer score")
        verbose_name_plural = _("customer scores")
        ordering = ("run", "-rating", "customer_id")
        constraints = (
            models.UniqueConstraint(
                fields=("run", "customer"),
                name="insights_score_one_per_customer_per_run",
                violation_error_message=_("A customer is scored once per run."),
            ),
            models.CheckConstraint(
                condition=models.Q(p_alive__gte=0) & models.Q(p_alive__lte=1),
                name="insights_score_p_alive_is_probability",
                violation_error_message=_("P(alive) must lie between 0 and 1."),
            ),
        )
        indexes = (
            models.Index(fields=("customer", "run"), name="insights_score_customer_run"),
            # Tier filters and counts read one tier of the current run, not the whole run.
            models.Index(fields=("run", "tier"), name="insights_score_run_tier"),
        )

    def __str__(self) -> str:
        return f"{self.customer_id} @ run {self.run_id}: {self.tier}"

    def health_explanation(self) -> list[str]:
        """The health reasons as sentences in the active language, biggest first."""
        from paretocrm.insights.health import render_health_reasons

        return render_health_reasons(self.health_reasons)

    def lifecycle_explanation(self, language: str | None = None) -> str:
        """The stage explanation in ``language`` (default: the active language)."""
        with translation.override(language or translation.get_language()):
            return render_lifecycle(
                self.lifecycle_facts, self.lifecycle_reason, self.lifecycle_reason_zh
            )

    def tier_explanation(self, language: str | None = None) -> str:
        """Which value axis put the customer in the tier, in ``language`` (default: the
        active one), with the cut-offs of the score's run."""
        with translation.override(language or translation.get_language()):
            rules = (self.run.overview or {}).get("tier_rules")
            return render_tier(self.tier, self.current_value, self.potential_value, rules)


class RatingWeights(AppendOnlyModel):
    """One saved version of the rating criteria weights; the newest is in force.

    Append-only: every change is a new row, so the table is the settings' history (who,
    when, how) and every score run points at the version it used.
    """

    saved_at = models.DateTimeField(_("saved at"), auto_now_add=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    method = models.CharField(_("method"), max_length=8, choices=WeightMethod.choices)
    weights = models.JSONField(
        _("weights"), help_text=_("Criterion -> weight (only ratios matter).")
    )
    judgements = models.JSONField(
        _("AHP judgements"),
        default=list,
        blank=True,
        help_text=_("[left, right, value] per pair when the weights came from the AHP form."),
    )
    consistency_ratio = models.FloatField(_("consistency ratio"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("rating weights version")
        verbose_name_plural = _("rating weights versions")
        ordering = ("-saved_at", "-id")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_method_display()} ({self.saved_at:%Y-%m-%d %H:%M})"


class HealthWeights(AppendOnlyModel):
    """One saved version of the account health signal weights; the newest is in force.

    Append-only like :class:`RatingWeights`: the table is the settings' history. A run
    scored with other weights than the one before raises no health tasks (work.alerts).
    """

    saved_at = models.DateTimeField(_("saved at"), auto_now_add=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    weights = models.JSONField(
        _("weights"), help_text=_("Health signal -> weight (only ratios matter).")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("health weights version")
        verbose_name_plural = _("health weights versions")
        ordering = ("-saved_at", "-id")

    def __str__(self) -> str:
        return f"#{self.pk} ({self.saved_at:%Y-%m-%d %H:%M})"


class PeakSeasonDemand(models.Model):
    """Expected quantity in one calendar month, from a run's peak-season plan (旺季计划).

    A row is either one profitable customer's month (``customer`` set, ``category`` blank)
    or one product category's month summed over the profitable customers (``customer``
    empty). Written with the run's snapshot; pages only read it.
    """

    run = models.ForeignKey(
        ScoreRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="peak_season"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.CharField(_("product category"), max_length=100, blank=True)
    month = models.PositiveSmallIntegerField(_("month"))
    expected_quantity = models.FloatField(_("expected quantity"))

    class Meta:
        verbose_name = _("peak-season demand")
        verbose_name_plural = _("peak-season demand")
        ordering = ("run", "category", "customer", "month", "id")
        indexes = (models.Index(fields=("run", "customer"), name="insights_peak_run_cust_idx"),)
        constraints = (
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12),
                name="insights_peakseasondemand_month_1_to_12",
                violation_error_message=_("A month is between 1 and 12."),
            ),
            models.CheckConstraint(
                condition=models.Q(customer__isnull=True) | models.Q(category=""),
                name="insights_peakseasondemand_customer_or_category",
                violation_error_message=_("A row is for a customer or for a category."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.run_id} {self.customer_id or self.category} {self.month}"
