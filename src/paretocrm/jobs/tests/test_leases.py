"""Leases: a job whose process died is failed (with its record) and retried when allowed."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from paretocrm.jobs import registry, services
from paretocrm.jobs.models import JobLease
from paretocrm.jobs.registry import Job

LOST: list[dict] = []
CALLS: list[dict] = []


def lost(*, kwargs: dict, record_id: int | None) -> None:
    LOST.append({"kwargs": kwargs, "record_id": record_id})


def work(**kwargs: object) -> None:
    CALLS.append(kwargs)


def peek() -> None:
    CALLS.append({"leases": list(JobLease.objects.values_list("name", "task_id", "pid"))})


def stop_like_ctrl_c(**kwargs: object) -> None:
    services.attach_record(7)
    raise KeyboardInterrupt


@pytest.fixture(autouse=True)
def test_jobs(monkeypatch):
    LOST.clear()
    CALLS.clear()
    jobs = (
        Job("retried", f"{__name__}.work", max_attempts=3, on_lost=f"{__name__}.lost"),
        Job("once", f"{__name__}.work", max_attempts=1, on_lost=f"{__name__}.lost"),
        Job("stopped", f"{__name__}.stop_like_ctrl_c", max_attempts=1, on_lost=f"{__name__}.lost"),
        Job("peek", f"{__name__}.peek"),
    )
    monkeypatch.setattr(registry, "registered_jobs", lambda: jobs)


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait(timeout=30)
    return child.pid


def claimed(name: str, **kwargs: object) -> DBTaskResult:
    services.enqueue(name, **kwargs)
    row = DBTaskResult.objects.get(status="READY")
    row.claim("worker-1")
    return row


def lease(row: DBTaskResult | None, *, pid: int, host: str = services.HOST, **fields) -> JobLease:
    now = timezone.now()
    params = row.args_kwargs["kwargs"] if row else {"name": "once", "kwargs": {}, "attempt": 1}
    values = {
        "name": params["name"],
        "task_id": str(row.pk) if row else "",
        "kwargs": params["kwargs"],
        "attempt": params["attempt"],
        "host": host,
        "pid": pid,
        "started_at": now,
        "expires_at": now + dt.timedelta(seconds=40),
        **fields,
    }
    return JobLease.objects.create(**values)


@pytest.mark.django_db
def test_a_job_whose_process_died_is_failed_with_its_record_and_retried():
    row = claimed("retried", batch_id=5)
    lease(row, pid=dead_pid(), record_id=5)
    assert services.sweep_lost_jobs() == 1
    row.refresh_from_db()
    assert row.status == "FAILED" and row.exception_class_path.endswith("WorkerStoppedError")
    assert "stopped" in row.traceback
    assert LOST == [{"kwargs": {"batch_id": 5}, "record_id": 5}]
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["kwargs"] == {
        "name": "retried",
        "kwargs": {"batch_id": 5},
        "attempt": 2,
    }
    assert not JobLease.objects.exists()
    assert services.sweep_lost_jobs() == 0  # once only: a second look finds nothing
    assert len(LOST) == 1


@pytest.mark.django_db
def test_a_job_that_may_not_retry_itself_is_only_failed():
    row = claimed("once", batch_id=9)
    lease(row, pid=dead_pid())
    assert services.sweep_lost_jobs() == 1
    assert LOST == [{"kwargs": {"batch_id": 9}, "record_id": None}]
    assert not DBTaskResult.objects.filter(status="READY").exists()


@pytest.mark.django_db
def test_a_live_process_keeps_its_lease_even_when_it_could_not_renew_it():
    """On this host the process table decides: a job holding SQLite's write lock for a
    long commit cannot renew its lease, and is alive."""
    row = claimed("retried")
    lease(row, pid=os.getpid(), expires_at=timezone.now() - dt.timedelta(hours=1))
    assert services.sweep_lost_jobs() == 0
    assert DBTaskResult.objects.get(pk=row.pk).status == "RUNNING" and not LOST


@pytest.mark.django_db
def test_a_new_process_with_a_dead_workers_pid_is_not_taken_for_it():
    row = claimed("once")
    lease(row, pid=os.getpid(), pid_started="1")  # same pid, another start time
    assert services.sweep_lost_jobs() == 1


@pytest.mark.django_db
def test_a_lease_on_another_host_is_lost_once_it_expires():
    row = claimed("once")
    held = lease(row, pid=os.getpid(), host="other-host")
    assert services.sweep_lost_jobs() == 0
    JobLease.objects.filter(pk=held.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.sweep_lost_jobs() == 1
    assert DBTaskResult.objects.get(pk=row.pk).status == "FAILED"


@pytest.mark.django_db
def test_a_row_claimed_but_never_leased_is_failed_after_a_lease_duration(settings):
    row = claimed("retried", batch_id=3)
    assert services.sweep_lost_jobs() == 0  # just claimed: its lease may be coming
    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - dt.timedelta(seconds=settings.JOB_LEASE_SECONDS + 1)
    )
    assert services.sweep_lost_jobs() == 1
    assert LOST == [{"kwargs": {"batch_id": 3}, "record_id": None}]
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # the retry


@pytest.mark.django_db
def test_a_lease_outside_the_queue_fails_its_record_without_a_retry():
    """``paretocrm score`` holds a lease of its own (no queue row) while it runs."""
    lease(None, pid=dead_pid(), record_id=11)
    assert services.sweep_lost_jobs() == 1
    assert LOST == [{"kwargs": {}, "record_id": 11}]
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_a_job_runs_under_a_lease_that_is_gone_when_it_ends():
    services.execute("peek", {}, attempt=1, task_id="abc")
    leases = CALLS[0]["leases"]
    assert leases == [("peek", "abc", os.getpid())]
    assert not JobLease.objects.exists()


@pytest.mark.django_db
def test_a_job_stopped_mid_way_by_a_signal_fails_its_record():
    """Ctrl+C or a second SIGTERM to the worker ends the job with a BaseException."""
    with pytest.raises(KeyboardInterrupt):
        services.execute("stopped", {"batch_id": 2}, attempt=1)
    assert LOST == [{"kwargs": {"batch_id": 2}, "record_id": 7}]
    assert not JobLease.objects.exists()


@pytest.mark.django_db
def test_work_outside_the_worker_holds_a_lease_of_its_own():
    with services.working_on("once", 42):
        held = JobLease.objects.get()
        assert (held.name, held.record_id, held.task_id) == ("once", 42, "")
        assert services.live_records("once") == {42}
    assert not JobLease.objects.exists()
