"""The import page: upload -> dry-run report -> commit, permission, scope and progress."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from paretocrm.audit.models import AuditEvent
from paretocrm.customers.models import Customer
from paretocrm.customers.tests.factories import make_user
from paretocrm.imports import background, services
from paretocrm.imports.models import ImportBatch, ImportStatus
from paretocrm.users.choices import Role

pytestmark = pytest.mark.django_db

GOOD = "code,name,region\nK1,华东果业,East\nK2,Acme GmbH,West\n"
WITH_ERRORS = "code,name,region\nK1,华东果业,East\n,No code Ltd,East\nK3,,West\nK1,Duplicate,East\n"


@pytest.fixture(autouse=True)
def run_in_request(monkeypatch, settings, tmp_path):
    """Batches run in the calling thread (a thread cannot share the test transaction)."""
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(background, "start_import", services.run_batch)


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def upload(client: Client, text: str, name: str = "customers.csv", kind: str = "customers"):
    data = {"kind": kind, "encoding": "utf-8", "file": SimpleUploadedFile(name, text.encode())}
    return client.post(reverse("imports:page"), data)


def test_a_file_with_errors_gets_a_row_column_message_report_and_writes_nothing():
    client = client_for(make_user(Role.KEY_ACCOUNT_MANAGER))
    response = upload(client, WITH_ERRORS)
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("imports:batch", args=[batch.pk])
    assert batch.dry_run and batch.status == ImportStatus.VALIDATED and batch.errors >= 3
    page = client.get(response["Location"])
    issues = {(i["row"], i["column"]) for i in page.context["issues"]}
    assert {(3, "code"), (4, "name")} <= issues
    text = page.content.decode()
    assert "Report" in text and "skip the invalid rows" in text
    assert not Customer.objects.exists()
    refused = client.post(reverse("imports:commit", args=[batch.pk]), follow=True)
    assert "Not committed" in refused.content.decode()
    assert not Customer.objects.exists()


def test_commit_is_a_separate_step_and_skipping_invalid_rows_writes_the_rest():
    user = make_user(Role.KEY_ACCOUNT_MANAGER)
    client = client_for(user)
    upload(client, WITH_ERRORS)
    checked = ImportBatch.objects.get()
    response = client.post(reverse("imports:commit", args=[checked.pk]), {"skip_invalid": "on"})
    commit = ImportBatch.objects.exclude(pk=checked.pk).get()
    assert response["Location"] == reverse("imports:batch", args=[commit.pk])
    assert commit.status == ImportStatus.COMMITTED and not commit.dry_run
    assert commit.checked_batch == checked and commit.skipped == 3 and commit.created == 1
    assert list(Customer.objects.values_list("code", flat=True)) == ["K1"]
    assert AuditEvent.objects.filter(kind="import", object_id=commit.pk).exists()
    assert not (services.upload_root() / commit.stored_file).exists(), "upload removed"
    again = client.post(reverse("imports:commit", args=[checked.pk]), {"skip_invalid": "on"})
    assert again["Location"] == reverse("imports:batch", args=[checked.pk])
    assert ImportBatch.objects.count() == 2, "a dry run is committed once only"


def test_a_clean_file_commits_and_a_second_import_changes_nothing():
    specialist = make_user(Role.KEY_ACCOUNT_SPECIALIST)
    client = client_for(specialist)
    # The rows name their owner: customers the importer may not see could not be re-imported
    # by them (IMP-5 refuses rows about customers outside the importer's scope).
    owned = "".join(
        f"{line},{specialist.username}\n" if i else f"{line},owner\n"
        for i, line in enumerate(GOOD.splitlines())
    )
    for expected_created in (2, 0):
        upload(client, owned)
        checked = ImportBatch.objects.filter(dry_run=True).first()
        assert checked.errors == 0
        client.post(reverse("imports:commit", args=[checked.pk]))
        commit = ImportBatch.objects.filter(dry_run=False).first()
        assert commit.status == ImportStatus.COMMITTED
        assert commit.created == expected_created
    assert commit.unchanged == 2
    assert Customer.objects.get(code="K1").name == "华东果业"


def test_bad_uploads_are_refused_with_the_file_named():
    client = client_for(make_user(Role.KEY_ACCOUNT_MANAGER))
    response = upload(client, "x", name="notes.txt")
    assert response.status_code == 400
    assert "notes.txt is not a .csv or .xlsx file" in response.content.decode()
    broken = upload(client, "\x00\x01garbage", name="fake.xlsx")
    batch = ImportBatch.objects.get()
    assert broken.status_code == 302 and batch.status == ImportStatus.REJECTED
    page = client.get(reverse("imports:batch", args=[batch.pk])).content.decode()
    assert "fake.xlsx" in page and "Nothing was written" in page


def test_roles_without_the_import_function_are_refused_and_logged():
    assistant = make_user(Role.KEY_ACCOUNT_ASSISTANT)
    client = client_for(assistant)
    assert client.get(reverse("imports:page")).status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert not ImportBatch.objects.exists()
    assert AuditEvent.objects.filter(kind="access_denied", actor=assistant).exists()


def test_batches_of_other_users_are_not_shown_and_progress_polls_until_done():
    owner, other = make_user(Role.KEY_ACCOUNT_MANAGER), make_user(Role.KEY_ACCOUNT_MANAGER)
    upload(client_for(owner), GOOD)
    batch = ImportBatch.objects.get()
    stranger = client_for(other)
    assert stranger.get(reverse("imports:batch", args=[batch.pk])).status_code == 404
    assert stranger.post(reverse("imports:commit", args=[batch.pk])).status_code == 404
    assert batch not in client_for(other).get(reverse("imports:page")).context["batches"]
    assert (
        batch
        in client_for(make_user(Role.ADMINISTRATOR)).get(reverse("imports:page")).context["batches"]
    )
    done = client_for(owner).get(reverse("imports:batch_status", args=[batch.pk]))
    assert done["HX-Refresh"] == "true"
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.RUNNING, finished_at=None, progress=10
    )
    running = client_for(owner).get(reverse("imports:batch_status", args=[batch.pk]))
    assert "HX-Refresh" not in running and 'hx-trigger="every 1s"' in running.content.decode()


def test_writing_progress_is_read_from_the_file_beside_the_upload():
    folder = services.upload_root() / "abc"
    folder.mkdir(parents=True)
    (folder / "big.csv").write_text(GOOD)
    batch = ImportBatch.objects.create(
        kind="customers", file_name="big.csv", stored_file="abc/big.csv"
    )
    assert services.batch_progress(batch) == 0
    hooks = services._progress_hooks(batch.pk, folder / services.PROGRESS_FILE)
    hooks.start(200, "writing customers")
    hooks.advance(100)
    batch.refresh_from_db()
    assert services.batch_progress(batch) == 69  # 40 + 59 * 0.5
