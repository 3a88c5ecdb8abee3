"""Scoring runs: database -> value engine -> snapshot, and the snapshot swap rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pandas as pd
import pytest
from django.core.management import call_command
from django.utils import translation

from paretocrm.demo.services import load_demo_company
from paretocrm.insights import services
from paretocrm.insights.choices import RunStatus
from paretocrm.insights.models import CustomerScore, ScoreRun
from paretocrm.insights.reading import to_base_currency
from paretocrm.sales.models import Order

ANCHOR = dt.date(2026, 6, 30)


@pytest.fixture
def company(db):
    return load_demo_company(seed=11, customers=60, anchor=ANCHOR)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_scoring_run_writes_one_score_per_buying_customer(company):
    run = services.run_scoring(as_of=ANCHOR)

    buyers = Order.objects.values("customer_id").distinct().count()
    assert run.status == RunStatus.SUCCEEDED
    assert run.customers_scored == buyers == CustomerScore.objects.filter(run=run).count()
    assert run.transactions_read > buyers
    assert "bgnbd" in run.models_info
    assert sum(run.overview["tier_counts"].values()) == buyers
    assert ScoreRun.objects.current() == run
    score = CustomerScore.objects.filter(run=run).order_by("-rating").first()
    assert 0 <= score.p_alive <= 1
    assert score.rating_breakdown, "every rating explains its criteria"
    assert sum(score.rating_breakdown.values()) == pytest.approx(score.rating, abs=0.5)
    assert score.lifecycle_facts["rule"]  # the explanation is stored as data ...
    assert score.lifecycle_explanation("zh-hans") == score.lifecycle_reason_zh != ""
    assert score.lifecycle_explanation("en") == score.lifecycle_reason != ""
    assert "存活機率" in score.lifecycle_explanation("zh-hant")  # ... and read in 繁體中文


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_failed_run_keeps_the_previous_snapshot_current(company, monkeypatch):
    first = services.run_scoring(as_of=ANCHOR)

    def broken_save(*args, **kwargs):
        raise ValueError("disk full while writing scores")

    monkeypatch.setattr(services, "_save", broken_save)
    with pytest.raises(services.ScoringError, match="disk full"):
        services.run_scoring(as_of=ANCHOR)

    failed = ScoreRun.objects.order_by("-id").first()
    assert failed.status == RunStatus.FAILED
    assert "disk full" in failed.error
    assert ScoreRun.objects.current() == first
    assert CustomerScore.objects.current().count() == first.customers_scored


@pytest.mark.django_db
def test_scoring_an_empty_database_fails_with_a_clear_message():
    with pytest.raises(services.ScoringError, match="no orders on or before"):
        services.run_scoring(as_of=ANCHOR)
    assert ScoreRun.objects.current() is None
    failed = ScoreRun.objects.get()
    assert (failed.error_code, failed.error_params) == ("no_orders", {"as_of": "2026-06-30"})
    with translation.override("zh-hant"):
        assert failed.error_text == "2026年6月30日 及之前沒有訂單，無可評分"
    with translation.override("en"):
        assert failed.error_text == "no orders on or before 06/30/2026: nothing to score"


@pytest.mark.django_db
def test_score_command_reports_a_clear_error_without_traceback():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="scoring failed: no orders"):
        call_command("score", "--as-of", "2026-06-30", stdout=StringIO())


def test_amounts_in_foreign_currency_use_the_latest_rate_on_or_before_the_day():
    orders = pd.DataFrame(
        {
            "customer_id": ["1", "2", "3"],
            "timestamp": pd.to_datetime(["2026-01-05", "2026-02-10", "2026-02-10"]),
            "currency": ["USD", "USD", "CNY"],
            "amount": [100.0, 100.0, 100.0],
            "cost": [50.0, 50.0, 50.0],
        }
    )
    rates = pd.DataFrame(
        {
            "currency": ["USD", "USD"],
            "rate_date": [dt.date(2026, 1, 1), dt.date(2026, 2, 1)],
            "rate": [7.0, 7.2],
        }
    )
    converted = to_base_currency(orders, rates, "CNY")
    assert converted["amount"].tolist() == pytest.approx([700.0, 720.0, 100.0])
    assert converted["cost"].tolist() == pytest.approx([350.0, 360.0, 50.0])


def test_a_currency_without_any_rate_is_named_in_the_error():
    orders = pd.DataFrame(
        {
            "customer_id": ["1"],
            "timestamp": pd.to_datetime(["2026-01-05"]),
            "currency": ["EUR"],
            "amount": [1.0],
            "cost": [1.0],
        }
    )
    rates = pd.DataFrame({"currency": ["USD"], "rate_date": [dt.date(2026, 1, 1)], "rate": [7.0]})
    with pytest.raises(ValueError, match="EUR"):
        to_base_currency(orders, rates, "CNY")


def test_money_is_rounded_to_cents_and_non_finite_becomes_zero():
    assert services._money(12.3456) == Decimal("12.35")
    assert services._money(-0.004) == Decimal("0.00")
    assert services._money(float("nan")) == Decimal(0)


@pytest.fixture
def company_today(db):
    """A company whose history ends today: queued runs score as of today."""
    return load_demo_company(seed=11, customers=60)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_scoring_button_queues_a_run_that_the_worker_completes(company_today):
    from django_tasks_db.models import DBTaskResult

    from paretocrm.customers.tests.factories import make_user
    from paretocrm.insights.background import WAITING_STEP, start_scoring
    from paretocrm.users.choices import Role

    admin = make_user(Role.ADMINISTRATOR)
    assert start_scoring(admin)
    queued = ScoreRun.objects.get()
    assert (queued.status, queued.step, queued.progress) == (RunStatus.RUNNING, WAITING_STEP, 0)
    assert not start_scoring(admin), "a second click while one is queued is refused"
    assert DBTaskResult.objects.ready().count() == 1

    call_command("worker", "--batch", "--no-startup-delay", "--no-schedule", stdout=StringIO())
    queued.refresh_from_db()
    assert queued.status == RunStatus.SUCCEEDED and queued.triggered_by == admin
    assert ScoreRun.objects.current() == queued
    # The run, then the pruning it queued (housekeeping after every successful run).
    jobs = DBTaskResult.objects.order_by("enqueued_at")
    assert [job.args_kwargs["kwargs"]["name"] for job in jobs] == [
        "scoring-requested",
        "prune-runs",
    ]
    assert {job.status for job in jobs} == {"SUCCESSFUL"}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_failed_queued_run_is_retried_as_a_new_run(company_today, monkeypatch):
    from paretocrm.jobs import registry
    from paretocrm.jobs.registry import Job

    jobs = (
        Job(
            "scoring-requested",
            "paretocrm.insights.services.run_requested_scoring",
            retry_after=dt.timedelta(0),
        ),
    )
    monkeypatch.setattr(registry, "registered_jobs", lambda: jobs)
    real_save, calls = services._save, []

    def fails_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("disk full while writing scores")
        return real_save(*args, **kwargs)

    monkeypatch.setattr(services, "_save", fails_once)
    queued = ScoreRun.objects.create(as_of=dt.date.today(), step="waiting for the worker")
    from paretocrm.jobs.services import enqueue

    enqueue("scoring-requested", run_id=queued.pk)
    call_command("worker", "--batch", "--no-startup-delay", "--no-schedule", stdout=StringIO())
    first, second = ScoreRun.objects.order_by("id")
    assert first.status == RunStatus.FAILED and "disk full" in first.error
    assert second.status == RunStatus.SUCCEEDED
    assert ScoreRun.objects.current() == second
    assert CustomerScore.objects.filter(run=first).count() == 0


@pytest.mark.django_db
def test_a_run_left_running_by_a_dead_worker_is_failed_with_a_coded_reason(monkeypatch):
    stale = ScoreRun.objects.create(as_of=ANCHOR, progress=40, step="RFM and lifecycle")
    monkeypatch.setattr(services, "run_scoring", lambda **kwargs: None)  # the retry itself

    services.run_requested_scoring(stale.pk)

    stale.refresh_from_db()
    assert (stale.status, stale.error_code) == (RunStatus.FAILED, "worker_stopped")
    with translation.override("zh-hans"):
        assert stale.error_text == "本次运行期间后台任务进程已停止"
    assert stale.error == "the worker stopped during this run"  # the log's text


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_scoring_run_stores_account_health_with_its_reasons_as_facts(company):
    run = services.run_scoring(as_of=ANCHOR)

    scores = CustomerScore.objects.filter(run=run)
    healths = list(scores.values_list("health", flat=True))
    assert len(healths) == run.customers_scored
    assert all(h is not None and 0 <= h <= 100 for h in healths)
    assert len(set(healths)) > 5, "health tells the customers apart"
    worst = scores.order_by("health").first()
    assert worst.health_reasons, "a weak account says why"
    for fact in worst.health_reasons:
        assert set(fact) == {"signal", "value", "points"}
        assert fact["points"] >= 1
    # Worded at display time in the reader's language, from the same facts.
    with translation.override("en"):
        english = worst.health_explanation()
    with translation.override("zh-hans"):
        simplified = worst.health_explanation()
    with translation.override("zh-hant"):
        traditional = worst.health_explanation()
    assert english and simplified and traditional
    assert english[0] != simplified[0] != traditional[0]
    assert run.overview["health"]["bands"], "the dashboard's distribution is computed per run"
