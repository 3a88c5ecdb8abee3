"""Score history retention: what prune_score_runs deletes, what it never does, the command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from paretocrm import settings as settings_module
from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.demo.services import load_demo_company
from paretocrm.insights import services
from paretocrm.insights.choices import RunStatus
from paretocrm.insights.models import CustomerScore, PeakSeasonDemand, ScoreRun
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.users.choices import Role
from paretocrm.work.alerts import previous_run

NOW = timezone.now()
JUNE_30 = dt.date(2026, 6, 30)


def _run(as_of: dt.date, status: str = RunStatus.SUCCEEDED, **overview) -> ScoreRun:
    """A run as of ``as_of`` that started and finished on that day (days before NOW)."""
    run = make_run(**overview)
    when = NOW - dt.timedelta(days=(JUNE_30 - as_of).days)
    finished = None if status == RunStatus.RUNNING else when
    ScoreRun.objects.filter(pk=run.pk).update(
        as_of=as_of, status=status, started_at=when, finished_at=finished
    )
    run.refresh_from_db()
    return run


def _scored(as_of: dt.date, customer, **overview) -> ScoreRun:
    """A succeeded run with one score for ``customer`` and two peak-season rows."""
    run = _run(as_of, **overview)
    make_score(run, customer)
    PeakSeasonDemand.objects.create(run=run, customer=customer, month=9, expected_quantity=5)
    PeakSeasonDemand.objects.create(run=run, category="apples", month=9, expected_quantity=5)
    return run


def _days(first: int, last: int) -> list[dt.date]:
    return [dt.date(2026, 6, day) for day in range(first, last + 1)]


def _left() -> set[dt.date]:
    return set(ScoreRun.objects.values_list("as_of", flat=True))


@pytest.mark.django_db
def test_runs_beyond_the_limit_go_with_their_scores_and_peak_season_rows():
    customer = make_customer()
    runs = [_scored(day, customer) for day in _days(26, 30)]

    result = services.prune_score_runs(2, months=0)

    assert _left() == {dt.date(2026, 6, 29), JUNE_30}
    assert (result.runs, result.scores, result.kept_runs) == (3, 3, 2)
    assert set(CustomerScore.objects.values_list("run_id", flat=True)) == {r.pk for r in runs[-2:]}
    # Peak-season rows: only the current run's stay, the kept previous run loses its own.
    assert set(PeakSeasonDemand.objects.values_list("run_id", flat=True)) == {runs[-1].pk}
    assert result.peak_rows == 3 * 2 + 2


@pytest.mark.django_db
def test_deletes_in_batches_smaller_than_a_run():
    first, second = make_customer(), make_customer()
    old = _scored(dt.date(2026, 6, 1), first)
    make_score(old, second)
    _scored(JUNE_30, first)

    result = services.prune_score_runs(1, months=0, batch_size=1)

    assert (result.runs, result.scores, result.peak_rows) == (1, 2, 2)
    assert not ScoreRun.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db
def test_the_current_run_and_runs_in_progress_are_never_deleted():
    customer = make_customer()
    stuck = _run(dt.date(2026, 5, 1), status=RunStatus.RUNNING)  # older than everything
    for day in _days(27, 29):
        _scored(day, customer)
    current = _scored(JUNE_30, customer)
    in_progress = _run(JUNE_30, status=RunStatus.RUNNING)

    services.prune_score_runs(1, months=0)

    assert set(ScoreRun.objects.values_list("pk", flat=True)) == {
        stuck.pk,
        current.pk,
        in_progress.pk,
    }
    assert ScoreRun.objects.current() == current
    assert PeakSeasonDemand.objects.filter(run=current).count() == 2


@pytest.mark.django_db
def test_the_last_run_of_each_month_is_kept_for_a_year():
    customer = make_customer()
    for as_of in (
        dt.date(2025, 6, 30),  # 12 months before the current month: outside the year
        dt.date(2025, 7, 15),
        dt.date(2025, 7, 31),
        dt.date(2025, 12, 31),
        dt.date(2026, 6, 29),
        JUNE_30,
    ):
        _scored(as_of, customer)

    services.prune_score_runs(1, months=12)

    assert _left() == {dt.date(2025, 7, 31), dt.date(2025, 12, 31), JUNE_30}


@pytest.mark.django_db
def test_old_failed_runs_go_and_recent_ones_stay_listed():
    customer = make_customer()
    _run(dt.date(2026, 6, 1), status=RunStatus.FAILED)
    _scored(dt.date(2026, 6, 5), customer)
    _scored(dt.date(2026, 6, 10), customer)
    _run(dt.date(2026, 6, 20), status=RunStatus.FAILED)
    _scored(JUNE_30, customer)

    services.prune_score_runs(2, months=0)

    assert _left() == {dt.date(2026, 6, 10), dt.date(2026, 6, 20), JUNE_30}


@pytest.mark.django_db
def test_failed_runs_stay_while_the_history_is_under_the_limit():
    _run(dt.date(2026, 6, 1), status=RunStatus.FAILED)  # e.g. the first attempt of a retry
    _scored(JUNE_30, make_customer())

    assert services.prune_score_runs(2, months=0).runs == 0
    assert _left() == {dt.date(2026, 6, 1), JUNE_30}


@pytest.mark.django_db
def test_nothing_is_pruned_before_a_first_successful_run():
    _run(dt.date(2026, 6, 1), status=RunStatus.FAILED)
    assert services.prune_score_runs(1, months=0).runs == 0
    assert ScoreRun.objects.count() == 1


@pytest.mark.django_db
def test_the_service_refuses_to_keep_no_run():
    with pytest.raises(ValueError, match="keep must be at least 1"):
        services.prune_score_runs(0)


@pytest.mark.django_db
def test_history_pages_and_api_still_work_after_pruning():
    admin = make_user(Role.ADMINISTRATOR)
    customer = make_customer(owner=admin, name="Orchard Ltd")
    for day in _days(20, 28):
        _scored(day, customer)
    before = _scored(dt.date(2026, 6, 29), customer, tier_counts={"core": 1, "low_value": 1})
    current = _scored(JUNE_30, customer, tier_counts={"core": 3, "low_value": 1})

    services.prune_score_runs(2, months=0)

    web = Client(HTTP_ACCEPT_LANGUAGE="en")
    web.force_login(admin)
    dashboard = web.get("/")
    core = [t for t in dashboard.context["tiers"] if t["code"] == "core"]
    assert core[0]["change"] == 2  # compared with the run before, which was kept
    profile = web.get(reverse("customers:detail", args=[customer.pk]))
    assert [h.run_id for h in profile.context["history"]] == [before.pk, current.pk]
    assert "Orchard Ltd" in web.get(reverse("work:peak_season")).content.decode()
    assert previous_run(current) == before  # the work alerts compare the last two runs
    api = APIClient()
    api.force_authenticate(user=admin)
    listed = api.get(reverse("scorerun-list")).json()["results"]
    assert {r["id"] for r in listed} == {before.pk, current.pk}
    scores = api.get(reverse("customerscore-list")).json()["results"]
    assert [s["id"] for s in scores] == [CustomerScore.objects.get(run=current).pk]


@pytest.mark.django_db
def test_the_command_dry_run_counts_and_deletes_nothing():
    customer = make_customer()
    for day in _days(28, 30):
        _scored(day, customer)
    out = StringIO()

    call_command("prune_runs", "--keep", "1", "--dry-run", stdout=out)

    assert ScoreRun.objects.count() == 3 and PeakSeasonDemand.objects.count() == 6
    text = out.getvalue()
    assert "Dry run: nothing was deleted." in text
    assert "Score runs to delete: 2" in text
    assert "Customer scores to delete: 2" in text
    assert "Peak-season rows to delete: 4" in text
    assert "Score runs kept: 1" in text


@pytest.mark.django_db
def test_the_command_prints_what_it_deleted_in_the_interface_language(settings):
    settings.KEEP_MONTHLY_SCORE_RUNS = 0
    customer = make_customer()
    for day in _days(28, 30):
        _scored(day, customer)
    out = StringIO()

    with translation.override("zh-hans"):
        call_command("prune_runs", "--keep", "2", stdout=out)

    assert ScoreRun.objects.count() == 2
    text = out.getvalue()
    assert "保留最近 2 次成功的评分运行" in text
    assert "已删除的评分运行：1" in text
    assert "已删除的客户评分：1" in text
    assert "已删除的旺季需求行：4" in text  # the old run's 2 and the kept previous run's 2


@pytest.mark.django_db
@pytest.mark.parametrize("keep", ["0", "-3"])
def test_the_command_refuses_to_keep_no_run(keep):
    make_run()
    with pytest.raises(CommandError, match=f"--keep must be 1 or more .*not {keep}"):
        call_command("prune_runs", "--keep", keep, stdout=StringIO())
    with translation.override("zh-hant"), pytest.raises(CommandError, match="必須為 1 或更大"):
        call_command("prune_runs", "--keep", keep, stdout=StringIO())
    assert ScoreRun.objects.count() == 1


def test_the_command_is_called_prune_runs():
    from paretocrm.cli import ALIASES

    assert ALIASES["prune-runs"] == "prune_runs"


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_a_bad_retention_setting_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("PARETOCRM_KEEP_SCORE_RUNS", value)
    with pytest.raises(ImproperlyConfigured, match="PARETOCRM_KEEP_SCORE_RUNS must be"):
        settings_module._env_count("PARETOCRM_KEEP_SCORE_RUNS", 14, minimum=1)


def test_score_history_is_kept_for_ever_unless_a_limit_is_set(monkeypatch):
    monkeypatch.delenv("PARETOCRM_KEEP_SCORE_RUNS", raising=False)
    assert settings_module._env_count("PARETOCRM_KEEP_SCORE_RUNS", None, minimum=1) is None
    monkeypatch.setenv("PARETOCRM_KEEP_SCORE_RUNS", "14")
    assert settings_module._env_count("PARETOCRM_KEEP_SCORE_RUNS", None, minimum=1) == 14
    assert settings_module.KEEP_MONTHLY_SCORE_RUNS == 12


@pytest.mark.django_db
def test_without_a_limit_every_run_stays_and_only_earlier_peak_rows_go(settings):
    # Score snapshots are append-only history; the peak-season plan is derived detail
    # that only the current run's page reads.
    settings.KEEP_SCORE_RUNS = None
    customer = make_customer()
    runs = [_scored(day, customer) for day in _days(1, 5)]

    result = services.prune_score_runs()

    assert (result.runs, result.scores, result.peak_rows) == (0, 0, 8)
    assert ScoreRun.objects.count() == 5 and CustomerScore.objects.count() == 5
    assert set(PeakSeasonDemand.objects.values_list("run_id", flat=True)) == {runs[-1].pk}


@pytest.mark.django_db
def test_the_command_without_a_limit_keeps_the_history(settings):
    settings.KEEP_SCORE_RUNS = None
    customer = make_customer()
    for day in _days(28, 30):
        _scored(day, customer)
    out = StringIO()

    with translation.override("zh-hant"):
        call_command("prune_runs", stdout=out)

    assert ScoreRun.objects.count() == 3
    assert "評分歷史全部保留" in out.getvalue()
    assert "已刪除的旺季需求列：4" in out.getvalue()


@pytest.mark.django_db
def test_a_failure_to_queue_the_pruning_leaves_the_run_succeeded(monkeypatch, caplog):
    run = make_run()

    def broken_enqueue(*args, **kwargs):
        raise RuntimeError("queue table locked")

    monkeypatch.setattr("paretocrm.jobs.services.enqueue", broken_enqueue)
    services._queue_pruning(run)

    assert "queueing the pruning after run" in caplog.text
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_scoring_run_queues_the_pruning_that_the_worker_does(settings):
    from django_tasks_db.models import DBTaskResult

    settings.KEEP_SCORE_RUNS, settings.KEEP_MONTHLY_SCORE_RUNS = 1, 0
    load_demo_company(seed=11, customers=60, anchor=JUNE_30)
    first = services.run_scoring(as_of=JUNE_30)
    assert PeakSeasonDemand.objects.filter(run=first).exists()

    second = services.run_scoring(as_of=JUNE_30)

    # The run does not wait for the housekeeping: the first run is still there...
    assert ScoreRun.objects.count() == 2
    assert DBTaskResult.objects.filter(args_kwargs__kwargs__name="prune-runs").count() == 2
    call_command("worker", "--batch", "--no-startup-delay", "--no-schedule", stdout=StringIO())
    # ...until the worker has run the queued pruning.
    assert list(ScoreRun.objects.all()) == [second]
    assert not CustomerScore.objects.exclude(run=second).exists()
    assert PeakSeasonDemand.objects.filter(run=second).exists()
    assert not PeakSeasonDemand.objects.exclude(run=second).exists()
