"""The job queue: schedule, bounded retries, and recovery of a job whose worker died."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from paretocrm.jobs import registry, services
from paretocrm.jobs.models import ScheduledJob
from paretocrm.jobs.registry import Job, UnknownJobError
from paretocrm.jobs.tasks import run_job

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALLS: list[dict] = []


def flaky(*, fail_times: int, label: str) -> None:
    """Fails the first ``fail_times`` calls, then succeeds (a job for these tests)."""
    CALLS.append({"label": label})
    if len(CALLS) <= fail_times:
        raise RuntimeError(f"{label}: database blip #{len(CALLS)}")


@pytest.fixture
def test_jobs(monkeypatch):
    """A registry with one flaky job retried at once, and one periodic job every hour."""
    CALLS.clear()
    jobs = (
        Job("flaky", f"{__name__}.flaky", max_attempts=3, retry_after=dt.timedelta(0)),
        Job("hourly", f"{__name__}.flaky", every=dt.timedelta(hours=1)),
    )
    monkeypatch.setattr(registry, "registered_jobs", lambda: jobs)
    return jobs


def run_worker(*extra: str) -> None:
    call_command(
        "worker", "--batch", "--no-startup-delay", "--no-schedule", *extra, stdout=StringIO()
    )


def results() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.order_by("enqueued_at"))


def test_daily_job_is_due_at_its_local_time_next():
    job = Job("scoring", "x.y", daily_at=dt.time(2, 0))
    before = dt.datetime(2026, 3, 1, 1, 59, tzinfo=SHANGHAI)
    after = dt.datetime(2026, 3, 1, 2, 0, tzinfo=SHANGHAI)
    assert services.next_due(job, before) == dt.datetime(2026, 3, 1, 2, 0, tzinfo=SHANGHAI)
    assert services.next_due(job, after) == dt.datetime(2026, 3, 2, 2, 0, tzinfo=SHANGHAI)
    hourly = Job("h", "x.y", every=dt.timedelta(hours=1))
    assert services.next_due(hourly, after) == after + dt.timedelta(hours=1)


def test_scoring_is_registered_daily_at_the_configured_time(settings):
    settings.SCORING_AT = dt.time(3, 30)
    assert registry.get_job("scoring").daily_at == dt.time(3, 30)
    settings.SCORING_AT = None  # PARETOCRM_SCORING_AT=off
    assert not registry.get_job("scoring").periodic
    with pytest.raises(UnknownJobError, match="no background job named 'nope'"):
        registry.get_job("nope")


@pytest.mark.django_db
def test_a_due_periodic_job_is_queued_once_and_a_missed_one_once(test_jobs):
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    assert services.enqueue_due_jobs(start) == []  # first sight: due in an hour, not now
    assert ScheduledJob.objects.get(name="hourly").next_run_at == start + dt.timedelta(hours=1)
    assert services.enqueue_due_jobs(start + dt.timedelta(minutes=59)) == []
    # The worker was down for five hours: the job runs once when it is back, not five times.
    later = start + dt.timedelta(hours=6)
    assert services.enqueue_due_jobs(later) == ["hourly"]
    assert services.enqueue_due_jobs(later) == []
    assert DBTaskResult.objects.count() == 1
    state = ScheduledJob.objects.get(name="hourly")
    assert state.next_run_at == later + dt.timedelta(hours=1)
    assert state.last_enqueued_at == later


@pytest.mark.django_db(transaction=True)
def test_a_failing_job_is_retried_and_succeeds(test_jobs):
    services.enqueue("flaky", fail_times=2, label="scores")
    run_worker()
    attempts = results()
    assert [r.status for r in attempts] == ["FAILED", "FAILED", "SUCCESSFUL"]
    assert [r.args_kwargs["kwargs"]["attempt"] for r in attempts] == [1, 2, 3]
    assert "database blip #1" in attempts[0].traceback  # the failure is reported
    assert len(CALLS) == 3


@pytest.mark.django_db(transaction=True)
def test_retries_are_bounded_and_the_last_failure_is_kept(test_jobs):
    services.enqueue("flaky", fail_times=99, label="scores")
    run_worker()
    attempts = results()
    assert [r.status for r in attempts] == ["FAILED"] * 3  # max_attempts, then it stops
    assert "database blip #3" in attempts[-1].traceback
    assert not DBTaskResult.objects.ready().exists()


@pytest.mark.django_db(transaction=True)
def test_a_retry_waits_before_it_runs(test_jobs, monkeypatch):
    slow = (Job("flaky", f"{__name__}.flaky", retry_after=dt.timedelta(minutes=5)),)
    monkeypatch.setattr(registry, "registered_jobs", lambda: slow)
    services.enqueue("flaky", fail_times=1, label="scores")
    run_worker()
    first, retry = results()
    assert first.status == "FAILED" and retry.status == "READY"
    assert retry.run_after >= first.finished_at + dt.timedelta(minutes=4, seconds=59)


@pytest.mark.django_db(transaction=True)
def test_a_restarted_worker_retries_the_job_its_killed_process_left_running(test_jobs):
    services.enqueue("flaky", fail_times=0, label="scores")
    claimed = DBTaskResult.objects.get()
    claimed.claim("worker-1")  # ... and then the process was killed with SIGKILL
    run_worker("--worker-id", "worker-2")  # another worker leaves it alone
    assert DBTaskResult.objects.get(pk=claimed.pk).status == "RUNNING"
    run_worker("--worker-id", "worker-1")  # the same worker, restarted
    interrupted, retry = results()
    assert interrupted.status == "FAILED"
    assert interrupted.exception_class_path.endswith("WorkerStoppedError")
    assert retry.status == "SUCCESSFUL" and retry.args_kwargs["kwargs"]["attempt"] == 2
    assert CALLS == [{"label": "scores"}]


@pytest.mark.django_db
def test_an_unknown_job_is_refused_when_queued():
    with pytest.raises(UnknownJobError):
        services.enqueue("no-such-job")
    assert not DBTaskResult.objects.exists()
    assert run_job.module_path == "paretocrm.jobs.tasks.run_job"


@pytest.mark.django_db
def test_every_registered_job_names_a_callable_and_the_service_jobs_run():
    """The registry's dotted paths resolve; SLA escalation and surveys run as the worker
    would call them (no keyword arguments) on a database with nothing to do."""
    from django.utils.module_loading import import_string

    jobs = {job.name: job for job in registry.registered_jobs()}
    assert {"scoring", "scoring-requested", "sla-escalation", "surveys"} <= set(jobs)
    for job in jobs.values():
        assert callable(import_string(job.function)), job.name
    assert jobs["sla-escalation"].every == dt.timedelta(minutes=15)
    for name in ("sla-escalation", "surveys"):
        services.execute(name, {}, attempt=1)
