"""Cases from the portal: attachments checked, SLA, task for the owner, churn attribute."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from paretocrm.customers.profile import customer_360
from paretocrm.customers.tests.factories import make_customer, make_order, make_user
from paretocrm.insights.attributes import read_attributes
from paretocrm.portal.models import CaseAttachment, CaseReply
from paretocrm.portal.tests.factories import PNG, client_for, make_portal_user, pdf_file
from paretocrm.service.models import Case, SlaPolicy
from paretocrm.users.choices import Role
from paretocrm.work.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path) -> dict:
    settings.MEDIA_ROOT = tmp_path
    kam = make_user(Role.KEY_ACCOUNT_MANAGER)
    customer = make_customer(owner=kam, name="Mine")
    SlaPolicy.objects.all().delete()  # replace the shipped defaults with known targets
    SlaPolicy.objects.create(priority="high", first_response_hours=4, resolution_hours=24)
    return {"kam": kam, "customer": customer, "user": make_portal_user(customer)}


def _raise(client, **extra):
    data = {"case_type": "complaint", "subject": "Broken pallets", "description": "Two broken."}
    data.update(extra)
    return client.post(reverse("portal:case_new"), data)


def test_a_complaint_with_files_opens_a_case_with_sla_and_a_task_for_the_owner(world):
    order = make_order(world["customer"])
    client = client_for(world["user"])
    photo = SimpleUploadedFile("damage.png", PNG, content_type="image/png")
    response = _raise(client, order=order.pk, files=[pdf_file(), photo])
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/portal/cases/{case.pk}/"
    assert (case.customer, case.order, case.case_type) == (world["customer"], order, "complaint")
    assert case.contact == world["user"].portal_account.contact
    assert case.assigned_to == world["kam"]
    assert (case.priority, case.sla_first_response_hours, case.sla_resolution_hours) == (
        "high",
        4,
        24,
    )
    files = sorted(CaseAttachment.objects.values_list("original_name", "content_type"))
    assert files == [("damage.png", "image/png"), ("photo-of-damage.pdf", "application/pdf")]
    task = Task.objects.get()
    assert task.owner == world["kam"] and case.number in task.reason_text
    # The key-account manager sees it in the case list and the task queue.
    kam = client_for(world["kam"])
    assert case.number in kam.get("/service/").content.decode()
    assert case.number in kam.get("/work/tasks/").content.decode()


def test_an_oversized_file_is_refused_by_name_and_nothing_is_written(world, settings):
    settings.PORTAL_ATTACHMENT_MAX_BYTES = 1000
    big = pdf_file("scan.pdf", b"%PDF-1.4\n" + b"0" * 2000)
    response = _raise(client_for(world["user"]), files=[big])
    assert response.status_code == 400
    body = response.content.decode()
    assert "scan.pdf" in body and "limit is 1000" in body
    assert not Case.objects.exists() and not CaseAttachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "this type of file is not accepted"),
        ("invoice.pdf", b"MZ\x90\x00 not a pdf", "does not contain what its extension .pdf says"),
        ("photo.jpg", PNG, "does not contain what its extension .jpg says"),
        ("notes.txt", b"\xff\xfe\x00binary", "does not contain what its extension .txt says"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_wrong_types_are_refused_with_a_clear_message(world, name, data, message):
    upload = SimpleUploadedFile(name, data)
    response = _raise(client_for(world["user"]), files=[upload])
    assert response.status_code == 400
    body = response.content.decode()
    assert name in body and message in body
    assert not Case.objects.exists()


def test_an_order_of_another_customer_cannot_be_referenced(world):
    foreign = make_order(make_customer(owner=world["kam"]))
    response = _raise(client_for(world["user"]), order=foreign.pk)
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_replies_with_files_follow_the_case_and_wake_a_waiting_case(world):
    client = client_for(world["user"])
    _raise(client)
    case = Case.objects.get()
    Case.objects.filter(pk=case.pk).update(status="waiting")
    response = client.post(
        reverse("portal:case", args=[case.pk]), {"body": "Photos attached.", "files": [pdf_file()]}
    )
    assert response.status_code == 302
    reply = CaseReply.objects.get()
    assert (reply.body, reply.channel, reply.attachments.count()) == (
        "Photos attached.",
        "portal",
        1,
    )
    case.refresh_from_db()
    assert case.status == "in_progress"
    page = client.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert "Photos attached." in page


def test_a_portal_complaint_is_on_the_timeline_and_counts_as_an_open_complaint(world):
    _raise(client_for(world["user"]))
    case = Case.objects.get()
    timeline = customer_360(world["customer"], world["kam"])["timeline"]
    assert any(case.number in entry.text for entry in timeline)
    client_for(world["user"]).post(reverse("portal:case", args=[case.pk]), {"body": "Any news?"})
    timeline = customer_360(world["customer"], world["kam"])["timeline"]
    assert any(e.text == case.number and e.detail == "Any news?" for e in timeline)
    attributes = read_attributes(dt.date.today()).set_index("customer_id")
    assert attributes.loc[str(world["customer"].pk), "open_complaints"] == 1


def test_the_complaint_task_reads_in_the_managers_language_not_the_customers(world):
    _raise(client_for(world["user"], "en"))  # the customer writes from an English page
    case = Case.objects.get()
    manager = client_for(world["kam"], "zh-hant")

    page = manager.get("/work/tasks/").content.decode()

    task = Task.objects.get()
    assert (task.reason_code, task.reason_params["number"]) == ("portal_complaint", case.number)
    assert f"的投訴 {case.number}：Broken pallets" in page
