"""Surveys answered on the portal; detail changes recorded with channel "portal"."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from paretocrm.audit.models import FieldChange
from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.portal import services
from paretocrm.portal.tests.factories import client_for, make_portal_user
from paretocrm.service.models import Case, SurveyResponse
from paretocrm.users.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict:
    kam = make_user(Role.KEY_ACCOUNT_MANAGER)
    customer = make_customer(owner=kam, name="Mine", website="old.example.com")
    user = make_portal_user(customer)
    case = Case.objects.create(
        number="C-1", customer=customer, case_type="inquiry", subject="Q", status="resolved"
    )
    return {"customer": customer, "user": user, "case": case}


def test_surveys_due_are_nps_and_csat_for_a_finished_case(world):
    due = services.surveys_due(world["user"])
    assert [(s.kind, s.case) for s in due] == [("nps", None), ("csat", world["case"])]


def test_a_csat_survey_answered_is_stored_once(world):
    client = client_for(world["user"])
    data = {"kind": "csat", "case": world["case"].pk, "score": 4, "comment": "Quick, thanks"}
    assert client.post(reverse("portal:surveys"), data).status_code == 302
    answer = SurveyResponse.objects.get()
    assert (answer.kind, answer.score, answer.case, answer.customer) == (
        "csat",
        4,
        world["case"],
        world["customer"],
    )
    assert answer.contact == world["user"].portal_account.contact
    again = client.post(reverse("portal:surveys"), data)
    assert again.status_code == 400 and "already answered" in again.content.decode()
    assert SurveyResponse.objects.count() == 1
    assert [s.kind for s in services.surveys_due(world["user"])] == ["nps"]


def test_a_score_off_the_scale_is_refused(world):
    client = client_for(world["user"])
    data = {"kind": "csat", "case": world["case"].pk, "score": 9}
    response = client.post(reverse("portal:surveys"), data)
    assert response.status_code == 400 and "from 1 to 5" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_a_survey_about_another_customers_case_is_refused(world):
    other = Case.objects.create(
        number="C-2", customer=make_customer(), case_type="inquiry", subject="Q", status="resolved"
    )
    client = client_for(world["user"])
    response = client.post(
        reverse("portal:surveys"), {"kind": "csat", "case": other.pk, "score": 5}
    )
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


def test_detail_changes_are_audited_with_channel_portal(world):
    client = client_for(world["user"])
    contact = world["user"].portal_account.contact
    data = {
        "website": "www.example.cn",
        "address": "上海市浦东新区 1 号",
        "title": "采购经理",
        "department": "",
        "phone": "021-5555 0101",
        "mobile": "",
        "email": contact.email,
        "wechat": "",
        "customer_version": world["customer"].version,
        "contact_version": contact.version,
    }
    assert client.post(reverse("portal:details"), data).status_code == 302
    world["customer"].refresh_from_db()
    assert world["customer"].website == "www.example.cn"
    changes = FieldChange.objects.order_by("field")
    assert {c.field for c in changes} == {"website", "address", "title", "phone"}
    assert {c.channel for c in changes} == {"portal"}
    assert {c.actor_id for c in changes} == {world["user"].pk}
    website = changes.get(field="website")
    assert (website.old_value, website.new_value) == ("old.example.com", "www.example.cn")
    # Saving the same values again is a no-op: no new history rows.
    client.post(reverse("portal:details"), data)
    assert FieldChange.objects.count() == 4


def test_protected_fields_cannot_be_changed_from_the_portal(world):
    client = client_for(world["user"])
    client.post(reverse("portal:details"), {"name": "Hijacked", "owner": 1, "email": "bad"})
    world["customer"].refresh_from_db()
    assert world["customer"].name == "Mine"
    assert not FieldChange.objects.exists()


def test_dur1_details_saved_over_a_colleagues_change_show_a_conflict(world):
    client = client_for(world["user"])
    html = client.get(reverse("portal:details")).content.decode()
    shown = dict(re.findall(r'name="(customer_version|contact_version)" value="(\d+)"', html))
    assert set(shown) == {"customer_version", "contact_version"}
    customer = world["customer"]
    customer.website = "colleague.example.com"  # staff edit the customer meanwhile
    customer.save()
    data = {"website": "mine.example.cn", "address": "", "email": "", **shown}
    answer = client.post(reverse("portal:details"), data, follow=True)
    assert "changed by someone else" in answer.content.decode()
    customer.refresh_from_db()
    assert customer.website == "colleague.example.com"
    assert not FieldChange.objects.filter(channel="portal").exists()
    # Without the versions the form is invalid and nothing is saved either.
    assert client.post(reverse("portal:details"), {"website": "x.cn"}).status_code == 400
    customer.refresh_from_db()
    assert customer.website == "colleague.example.com"
