"""Imports run as queued jobs of the worker; a batch whose job died can be committed again.

Before (issue 14 #7) a commit ran in a thread of the web process: killed with it, the batch
showed "Commit running 40%" for ever and could not be committed again.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from paretocrm.customers.models import Customer
from paretocrm.customers.tests.factories import make_user
from paretocrm.imports import services
from paretocrm.imports.models import ImportBatch, ImportStatus
from paretocrm.jobs.models import JobLease
from paretocrm.jobs.services import HOST
from paretocrm.users.choices import Role

GOOD = "code,name,region\nK1,华东果业,East\nK2,Acme GmbH,West\n"


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def upload(client: Client, text: str = GOOD):
    data = {
        "kind": "customers",
        "encoding": "utf-8",
        "file": SimpleUploadedFile("c.csv", text.encode()),
    }
    return client.post(reverse("imports:page"), data)


def run_worker() -> None:
    call_command("worker", "--batch", "--no-startup-delay", "--no-schedule", stdout=StringIO())


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait(timeout=30)
    return child.pid


@pytest.mark.django_db(transaction=True)
def test_an_upload_and_its_commit_are_queued_for_the_worker():
    user = make_user(Role.KEY_ACCOUNT_MANAGER)
    client = client_for(user)
    upload(client)
    checked = ImportBatch.objects.get()
    assert checked.status == ImportStatus.RUNNING  # queued, not run in the request
    job = DBTaskResult.objects.get()
    assert job.args_kwargs["kwargs"] == {
        "name": "import-batch",
        "kwargs": {"batch_id": checked.pk},
        "attempt": 1,
    }
    page = client.get(reverse("imports:batch_status", args=[checked.pk]))
    assert "Waiting for the background worker" in page.content.decode()
    run_worker()
    checked.refresh_from_db()
    assert checked.status == ImportStatus.VALIDATED
    client.post(reverse("imports:commit", args=[checked.pk]))
    run_worker()
    assert ImportBatch.objects.filter(status=ImportStatus.COMMITTED).count() == 1
    assert Customer.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_commit_whose_worker_died_is_failed_and_can_be_committed_again():
    user = make_user(Role.KEY_ACCOUNT_MANAGER)
    client = client_for(user)
    upload(client)
    run_worker()
    checked = ImportBatch.objects.get()
    client.post(reverse("imports:commit", args=[checked.pk]))
    commit = ImportBatch.objects.get(dry_run=False)
    # The worker claims the commit, writes 40 % ... and is killed (kill -9).
    row = DBTaskResult.objects.get(status="READY")
    row.claim("worker-1")
    now = timezone.now()
    JobLease.objects.create(
        name="import-batch",
        task_id=str(row.pk),
        kwargs={"batch_id": commit.pk},
        host=HOST,
        pid=dead_pid(),
        started_at=now,
        expires_at=now + dt.timedelta(seconds=40),
    )
    ImportBatch.objects.filter(pk=commit.pk).update(progress=40)
    progress = (services.upload_root() / commit.stored_file).parent / services.PROGRESS_FILE
    progress.write_text("57")

    status = client.get(reverse("imports:batch_status", args=[commit.pk]))
    assert status["HX-Refresh"] == "true"  # the watching page reloads: the job is over
    page = client.get(reverse("imports:batch", args=[commit.pk])).content.decode()
    commit.refresh_from_db()
    assert commit.status == ImportStatus.FAILED and commit.finished_at is not None
    assert "the process running it ended" in page
    assert "Commit again" in page and "Writing the rows" not in page
    assert not progress.exists(), "a new commit would start from the dead one's 57 %"
    assert DBTaskResult.objects.get(pk=row.pk).status == "FAILED"
    assert not DBTaskResult.objects.filter(status="READY").exists(), "never retried unasked"

    client.post(reverse("imports:commit", args=[checked.pk]))  # "Commit again"
    run_worker()
    again = ImportBatch.objects.filter(dry_run=False).latest("id")
    assert again.pk != commit.pk and again.status == ImportStatus.COMMITTED
    assert Customer.objects.count() == 2


@pytest.mark.django_db
def test_commit_again_is_offered_only_to_whoever_started_it():
    owner = make_user(Role.KEY_ACCOUNT_MANAGER)
    admin = make_user(Role.ADMINISTRATOR)
    checked = ImportBatch.objects.create(
        kind="customers", file_name="c.csv", user=owner, dry_run=True, status="validated"
    )
    failed = ImportBatch.objects.create(
        kind="customers",
        file_name="c.csv",
        user=owner,
        status=ImportStatus.FAILED,
        finished_at=timezone.now(),
        checked_batch=checked,
    )
    url = reverse("imports:batch", args=[failed.pk])
    assert "Commit again" in client_for(owner).get(url).content.decode()
    assert "Commit again" not in client_for(admin).get(url).content.decode()


@pytest.mark.django_db
def test_a_running_batch_with_no_job_left_is_failed_when_its_page_is_opened():
    """Left by a web process killed while imports still ran in its threads."""
    owner = make_user(Role.KEY_ACCOUNT_MANAGER)
    batch = ImportBatch.objects.create(kind="customers", file_name="c.csv", user=owner)
    ImportBatch.objects.filter(pk=batch.pk).update(
        started_at=timezone.now() - dt.timedelta(minutes=10), progress=40
    )
    page = client_for(owner).get(reverse("imports:batch", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert "the process running it ended" in page.content.decode()


@pytest.mark.django_db
def test_a_batch_waiting_long_for_a_worker_says_so():
    owner = make_user(Role.KEY_ACCOUNT_MANAGER)
    client = client_for(owner)
    upload(client)
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(
        started_at=timezone.now() - dt.timedelta(minutes=3)
    )
    text = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "waited 3" in text and "paretocrm worker" in text
    batch.refresh_from_db()
    assert batch.status == ImportStatus.RUNNING  # its job is queued: waiting, not dead
