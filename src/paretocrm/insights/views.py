"""Pages of the insights app: dashboards, the core-customer list, scoring and rating settings.

Pages read score snapshots (``ScoreRun`` / ``CustomerScore``); none recomputes the analysis.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from paretocrm.core.policy import Function
from paretocrm.core.querysets import has_full_scope
from paretocrm.core.views import FunctionRequiredMixin
from paretocrm.customers.models import Customer
from paretocrm.customers.views import may_export, record_export, require_export, xlsx_response
from paretocrm.imports.exports import neutralise
from paretocrm.insights import background, dashboard, rating_settings
from paretocrm.insights.choices import Tier, WeightMethod
from paretocrm.insights.forms import MIN_AHP_CRITERIA, AHPForm, HealthWeightsForm, WeightsForm
from paretocrm.insights.models import CustomerScore, HealthWeights, RatingWeights, ScoreRun
from paretocrm.insights.services import (
    RatingSettingsError,
    save_health_weights,
    save_rating_weights,
)

ACCOUNTS_SHOWN = 50
NEXT_CORE_SHOWN = 20
RUNS_SHOWN = 10
#: The tiers on the core-customer list (大客户清单).
CORE_TIERS = (Tier.CORE, Tier.KEY)


def _trend_rows(trend: dict[str, Any]) -> list[tuple[str, float]]:
    """(month, revenue) rows for the table; the running month is labelled as partial."""
    rows = list(zip(trend["months"], trend["revenue"], strict=True))
    if trend["partial"] and rows:
        month, value = rows[-1]
        rows[-1] = (f"{month} ({trend['partial_label']})", value)
    return rows


class DashboardView(LoginRequiredMixin, TemplateView):
    """The start page: the company view for executives, the own accounts for everyone else."""

    template_name = "insights/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        run = ScoreRun.objects.current()
        executive = has_full_scope(user)
        context.update(run=run, executive=executive)
        if run is None:
            return context
        context["warnings"] = dashboard.churn_warnings(run, user)
        context["health"] = dashboard.health_panel(run, user)
        if executive:
            context.update(self._executive(run, user))
        else:
            context.update(self._accounts(run, user))
        return context

    @staticmethod
    def _executive(run: ScoreRun, user: Any) -> dict[str, Any]:
        overview = run.overview or {}
        pareto = overview.get("pareto", {})
        concentration = dashboard.concentration(run)
        tiers = dashboard.tier_rows(run)
        lifecycle = dashboard.lifecycle_rows(run)
        trend = dashboard.monthly_revenue(user)
        alerts = Customer.objects.visible_to(user).filter(id__in=concentration["alert_ids"])
        return {
            "overview": overview,
            "pareto": pareto,
            "top20": pareto.get("revenue_top_shares", {}).get("0.2"),
            "concentration": concentration,
            "dependency_alerts": list(alerts),
            "tiers": tiers,
            "migration": dashboard.tier_migration(run, user),
            "forecast": dashboard.forecast_rows(run),
            "pipeline": dashboard.weighted_pipeline(user),
            "lifecycle": lifecycle,
            "trend": trend,
            "trend_rows": _trend_rows(trend),
            "chart_data": {
                "pareto": pareto.get("curve", {"customer_share": [], "value_share": []}),
                "tiers": {
                    "labels": [t["label"] for t in tiers],
                    "counts": [t["count"] for t in tiers],
                    "codes": [t["code"] for t in tiers],
                },
                "lifecycle": {
                    "labels": [s["label"] for s in lifecycle],
                    "counts": [s["count"] for s in lifecycle],
                },
                "trend": trend,
            },
        }

    @staticmethod
    def _accounts(run: ScoreRun, user: Any) -> dict[str, Any]:
        scores = (
            CustomerScore.objects.filter(run=run)
            .visible_to(user)
            .select_related("customer")
            .order_by("-rating", "customer_id")
        )
        return {
            "accounts": list(scores[:ACCOUNTS_SHOWN]),
            "account_count": scores.count(),
            "account_forecast": dashboard.account_forecast(run, user),
            "pipeline": dashboard.weighted_pipeline(user),
        }


def _current_scores(user: Any) -> Any:
    return CustomerScore.objects.current().visible_to(user).select_related("customer")


class CoreCustomersView(LoginRequiredMixin, TemplateView):
    """大客户清单: the tier list, the value matrix and the next core customers."""

    template_name = "insights/core_customers.html"

    def get_template_names(self) -> list[str]:
        if self.request.GET.get("print"):
            return ["insights/core_customers_print.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        run = ScoreRun.objects.current()
        context["run"] = run
        if run is None:
            return context
        scores = _current_scores(self.request.user)
        core = list(scores.filter(tier__in=CORE_TIERS).order_by("-rating", "customer_id"))
        for score in core:
            score.run = run  # the current run, already read: one query for the tier reasons
        rising = list(
            scores.filter(tier=Tier.POTENTIAL).order_by("-potential_value", "customer_id")[
                :NEXT_CORE_SHOWN
            ]
        )
        points = scores.values(
            "customer_id", "customer__name", "tier", "current_value", "potential_value"
        )
        context.update(
            core=core,
            rising=rising,
            matrix={
                "tiers": [{"code": t.value, "label": str(t.label)} for t in Tier],
                "points": [
                    {
                        "name": p["customer__name"],
                        "tier": p["tier"],
                        "current": round(p["current_value"], 1),
                        "potential": round(p["potential_value"], 1),
                        "url": reverse("customers:detail", args=[p["customer_id"]]),
                    }
                    for p in points
                ],
            },
            may_export=may_export(self.request.user),
        )
        return context


class RfmBookView(LoginRequiredMixin, TemplateView):
    """The reader's book by RFM segment x tier: counts and value from the current snapshot."""

    template_name = "insights/rfm_book.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        run = ScoreRun.objects.current()
        context["run"] = run
        if run is not None:
            context["book"] = dashboard.rfm_book(run, self.request.user)
        return context


class CoreCustomersExportView(LoginRequiredMixin, View):
    """The core-customer list (core and key tiers of the current snapshot) as Excel."""

    def get(self, request: HttpRequest) -> HttpResponse:
        require_export(request, "core_customers")
        run = ScoreRun.objects.current()
        if run is None:
            return HttpResponse(_("There is no analysis snapshot to export yet."), status=404)
        scores = _current_scores(request.user).filter(tier__in=CORE_TIERS)
        record_export(request, "core_customers", "xlsx")
        headers = [
            "customer_code",
            "customer_name",
            "tier",
            "rating",
            "revenue",
            "net_profit",
            "clv",
            "p_alive",
            "lifecycle_stage",
            "churn_risk",
            "value_at_risk",
        ]
        rows = (
            [
                neutralise(value)
                for value in (
                    s.customer.code,
                    s.customer.name,
                    str(s.get_tier_display()),
                    round(s.rating, 1),
                    s.revenue,
                    s.net_profit,
                    s.clv,
                    round(s.p_alive, 3),
                    str(s.get_lifecycle_stage_display()),
                    round(s.churn_risk, 3),
                    s.value_at_risk,
                )
            ]
            for s in scores.order_by("-rating", "customer_id").iterator(chunk_size=2000)
        )
        filename = f"{_('core customers')}-{run.as_of:%Y%m%d}.xlsx"
        return xlsx_response(headers, rows, filename)


class ScoringView(FunctionRequiredMixin, TemplateView):
    """Run the analysis from the browser and watch its progress; the last runs listed."""

    required_function = Function.RUN_ANALYSIS
    template_name = "insights/scoring.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        background.notice_dead_runs()  # a run whose process died shows as failed, not running
        context["runs"] = list(ScoreRun.objects.select_related("triggered_by")[:RUNS_SHOWN])
        context["latest"] = context["runs"][0] if context["runs"] else None
        # How many customers a run scored is a company-wide figure (AUTHZ-3, as in the API).
        context["full_scope"] = has_full_scope(self.request.user)
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        if background.start_scoring(request.user):
            messages.success(request, _("The analysis has started; progress is shown below."))
        else:
            messages.warning(request, _("An analysis is already running; wait for it to finish."))
        return redirect("insights:scoring")


class ScoringStatusView(FunctionRequiredMixin, TemplateView):
    """The progress fragment polled by htmx while a run is going."""

    required_function = Function.RUN_ANALYSIS
    template_name = "insights/_scoring_status.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        background.notice_dead_runs()
        context["latest"] = ScoreRun.objects.select_related("triggered_by").first()
        context["full_scope"] = has_full_scope(self.request.user)
        return context


class RatingSettingsView(FunctionRequiredMixin, TemplateView):
    """The rating criteria weights: in force, set directly or by AHP, history, last run's."""

    required_function = Function.SETTINGS
    template_name = "insights/rating_settings.html"
    VERSIONS_SHOWN = 10

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        config, version = rating_settings.scoring_config()
        form = AHPForm(criteria=selected_criteria(self.request.GET))
        run = ScoreRun.objects.select_related("rating_settings").current()
        context.update(
            weights=rating_settings.weight_rows(config),
            version=version,
            versions=list(RatingWeights.objects.select_related("saved_by")[: self.VERSIONS_SHOWN]),
            weights_form=kwargs.get("weights_form")
            or WeightsForm(initial_weights=dict(config.rating.weights)),
            run=run,
            run_weights=rating_settings.used_weight_rows(run.rating_weights) if run else [],
            form=form,
            criterion_choices=rating_settings.criterion_choices(),
            selected=form.criteria,
            config_path=rating_settings.config_path(),
            health_form=kwargs.get("health_form")
            or HealthWeightsForm(initial_weights=dict(config.health.weights)),
            health_version=rating_settings.health_weights_in_force(),
        )
        return context


class SaveWeightsView(RatingSettingsView):
    """Save weights typed in directly as a new settings version."""

    http_method_names = ("post",)  # type: ignore[assignment]

    def post(self, request: HttpRequest) -> HttpResponse:
        config, _version = rating_settings.scoring_config()
        form = WeightsForm(request.POST, initial_weights=dict(config.rating.weights))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(weights_form=form), status=400)
        try:
            saved = save_rating_weights(
                form.weights(), by=request.user, note=form.cleaned_data["note"]
            )
        except RatingSettingsError as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(weights_form=form), status=400)
        _saved_message(request, saved)
        return redirect("insights:rating_settings")


class SaveHealthWeightsView(RatingSettingsView):
    """Save the account health weights typed in as a new version (no tasks follow from it)."""

    http_method_names = ("post",)  # type: ignore[assignment]

    def post(self, request: HttpRequest) -> HttpResponse:
        config, _version = rating_settings.scoring_config()
        form = HealthWeightsForm(request.POST, initial_weights=dict(config.health.weights))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(health_form=form), status=400)
        try:
            saved = save_health_weights(
                form.weights(), by=request.user, note=form.cleaned_data["note"]
            )
        except RatingSettingsError as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(health_form=form), status=400)
        _saved_message(request, saved)
        return redirect("insights:rating_settings")


class SaveAHPWeightsView(FunctionRequiredMixin, View):
    """Save the weights of the posted AHP judgements (refused when too inconsistent)."""

    required_function = Function.SETTINGS

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AHPForm(request.POST, criteria=selected_criteria(request.POST))
        if not form.is_valid():
            messages.error(request, _("Choose a value for every pair."))
            return redirect("insights:rating_settings")
        judgements = form.judgements()
        evaluation = rating_settings.evaluate(judgements, form.criteria)
        try:
            saved = save_rating_weights(
                dict(evaluation.weights_by_code),
                by=request.user,
                method=WeightMethod.AHP,
                judgements=[(a, b, v) for (a, b), v in judgements.items()],
                consistency_ratio=evaluation.consistency_ratio,
            )
        except RatingSettingsError as error:
            messages.error(request, _("The weights were not saved: %(reason)s") % {"reason": error})
            return redirect("insights:rating_settings")
        _saved_message(request, saved)
        if saved is not None and evaluation.left_out:
            messages.warning(
                request,
                _("Not compared, so weighted 0: %(criteria)s.")
                % {"criteria": ", ".join(evaluation.left_out)},
            )
        return redirect("insights:rating_settings")


def _saved_message(request: HttpRequest, saved: RatingWeights | HealthWeights | None) -> None:
    if saved is None:
        messages.info(request, _("These weights are already in force; nothing was changed."))
    else:
        messages.success(
            request,
            _("Weights saved as version %(number)s. The next analysis run will use them.")
            % {"number": saved.pk},
        )


class AHPCheckView(FunctionRequiredMixin, View):
    """htmx fragment: weights and consistency ratio of the judgements posted so far."""

    required_function = Function.SETTINGS

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AHPForm(request.POST, criteria=selected_criteria(request.POST))
        evaluation = (
            rating_settings.evaluate(form.judgements(), form.criteria)
            if form.is_valid()
            else rating_settings.AHPEvaluation(error=_("Choose a value for every pair."))
        )
        return render(request, "insights/_ahp_result.html", {"evaluation": evaluation})


def selected_criteria(data: Any) -> list[str]:
    """Criteria chosen for the comparison (at least 3 known ones, else the defaults)."""
    known = dict(rating_settings.criterion_choices())
    chosen = [c for c in data.getlist("criteria") if c in known]
    return chosen if len(chosen) >= MIN_AHP_CRITERIA else list(rating_settings.DEFAULT_AHP_CRITERIA)
