"""A scoring run whose process died never blocks "Run analysis now" (issue 14 #7).

Before, a run left "running" by a killed worker refused the button for two hours, even after
a later run had succeeded. Now the scoring page fails a run no live process holds (its lease
is lost, or it has none) as soon as it looks, and the button works at once.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from paretocrm.customers.tests.factories import make_user
from paretocrm.insights import services
from paretocrm.insights.background import start_scoring
from paretocrm.insights.choices import RunStatus
from paretocrm.insights.models import ScoreRun
from paretocrm.jobs.models import JobLease
from paretocrm.jobs.services import HOST
from paretocrm.users.choices import Role

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 11, 30)


def running_run(minutes_ago: int, **fields) -> ScoreRun:
    run = ScoreRun.objects.create(as_of=AS_OF, progress=40, step="RFM and lifecycle", **fields)
    started = timezone.now() - dt.timedelta(minutes=minutes_ago)
    ScoreRun.objects.filter(pk=run.pk).update(started_at=started)
    return run


def held_by(run: ScoreRun, pid: int, name: str = "scoring-requested") -> JobLease:
    now = timezone.now()
    return JobLease.objects.create(
        name=name,
        kwargs={"run_id": run.pk},
        record_id=run.pk,
        host=HOST,
        pid=pid,
        started_at=now,
        expires_at=now + dt.timedelta(seconds=40),
    )


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait(timeout=30)
    return child.pid


def admin_client() -> tuple[Client, object]:
    admin = make_user(Role.ADMINISTRATOR)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    return client, admin


def test_a_run_killed_minutes_ago_does_not_refuse_run_analysis_now():
    killed = running_run(minutes_ago=5)
    held_by(killed, dead_pid())
    client, _admin = admin_client()
    response = client.post(reverse("insights:scoring"), follow=True)
    assert "The analysis has started" in response.content.decode()
    killed.refresh_from_db()
    assert (killed.status, killed.error_code) == (RunStatus.FAILED, "worker_stopped")
    assert ScoreRun.objects.filter(status=RunStatus.RUNNING).count() == 1  # the new one


def test_a_dead_run_older_than_a_successful_one_is_failed_when_the_page_looks():
    dead = running_run(minutes_ago=30)  # no lease: left by a process that had none
    later = ScoreRun.objects.create(as_of=AS_OF, status=RunStatus.SUCCEEDED, progress=100)
    client, _admin = admin_client()
    page = client.get(reverse("insights:scoring"))
    assert page.status_code == 200
    dead.refresh_from_db()
    assert dead.status == RunStatus.FAILED
    assert "the worker stopped during this run" in page.content.decode()
    assert later.status == RunStatus.SUCCEEDED
    status = client.get(reverse("insights:scoring_status"))
    assert "hx-get" not in status.content.decode()  # nothing left to poll


def test_a_run_held_by_a_live_process_still_refuses_a_second_click():
    going = running_run(minutes_ago=5)
    held_by(going, os.getpid())
    _client, admin = admin_client()
    assert not start_scoring(admin)
    going.refresh_from_db()
    assert going.status == RunStatus.RUNNING


def test_a_run_just_started_by_a_process_is_not_taken_for_dead():
    """Between creating its run and naming it on its lease, a run has no holder yet."""
    running_run(minutes_ago=0)
    _client, admin = admin_client()
    assert not start_scoring(admin)


def test_the_retry_of_a_dead_run_does_not_repeat_a_run_started_since(monkeypatch):
    killed = running_run(minutes_ago=5)
    killed.status = RunStatus.FAILED
    killed.save()
    clicked = ScoreRun.objects.create(as_of=AS_OF)  # "Run analysis now" after the kill
    ran = []
    monkeypatch.setattr(services, "run_scoring", lambda **kwargs: ran.append(kwargs))
    services.run_requested_scoring(killed.pk)  # the killed run's retry, queued by the sweep
    assert ran == [] and ScoreRun.objects.count() == 2
    clicked.status = RunStatus.FAILED
    clicked.save()
    services.run_requested_scoring(killed.pk)  # nothing newer going or done: retried
    assert len(ran) == 1
