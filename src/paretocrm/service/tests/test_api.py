"""Service API: cases opened through the SLA service, references checked per customer."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient
from tests.api_samples import new_user

from paretocrm.customers.tests.factories import make_contact, make_customer
from paretocrm.service.models import Case, SlaPolicy

pytestmark = pytest.mark.django_db


def client_for(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_case_created_through_the_api_gets_the_sla_of_its_priority() -> None:
    SlaPolicy.objects.all().delete()  # replace the shipped defaults with known targets
    SlaPolicy.objects.create(priority="high", first_response_hours=2, resolution_hours=24)
    agent = new_user("service_agent")
    customer = make_customer(owner=agent)
    response = client_for(agent).post(
        reverse("case-list"),
        {
            "customer": customer.pk,
            "number": "CS-1",
            "case_type": "complaint",
            "priority": "high",
            "subject": "Damaged goods",
            "sla_resolution_hours": 999,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(number="CS-1")
    assert (case.sla_first_response_hours, case.sla_resolution_hours) == (2, 24)


def test_case_contact_must_belong_to_the_case_customer() -> None:
    agent = new_user("service_agent")
    customer, other = make_customer(owner=agent), make_customer(owner=agent)
    stranger_contact = make_contact(other)
    response = client_for(agent).post(
        reverse("case-list"),
        {
            "customer": customer.pk,
            "contact": stranger_contact.pk,
            "number": "CS-2",
            "case_type": "inquiry",
            "subject": "Q",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "contact" in response.json()
    assert not Case.objects.filter(number="CS-2").exists()


def test_marketing_reads_cases_of_its_scope_but_cannot_open_one() -> None:
    marketer = new_user("marketing")
    customer = make_customer(owner=marketer)
    response = client_for(marketer).post(
        reverse("case-list"),
        {"customer": customer.pk, "number": "CS-3", "case_type": "inquiry", "subject": "Q"},
        format="json",
    )
    assert response.status_code == 403
    assert client_for(marketer).get(reverse("case-list")).status_code == 200


def test_status_change_through_the_api_follows_the_workflow() -> None:
    agent = new_user("service_agent")
    customer = make_customer(owner=agent)
    client = client_for(agent)
    created = client.post(
        reverse("case-list"),
        {"customer": customer.pk, "number": "CS-W", "case_type": "inquiry", "subject": "Price"},
        format="json",
    )
    url = reverse("case-detail", args=[created.data["id"]])
    moved = client.patch(
        url, {"status": "in_progress"}, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert moved.status_code == 200, moved.data
    case = Case.objects.get(pk=created.data["id"])
    assert case.first_response_at is not None  # leaving "new" is the first response
    assert case.events.filter(kind="status", to_status="in_progress").exists()
    refused = client.patch(url, {"status": "new"}, format="json", HTTP_IF_MATCH=moved["ETag"])
    assert refused.status_code == 400 and "status" in refused.data
    case.refresh_from_db()
    assert case.status == "in_progress"


def test_knowledge_articles_are_linked_and_unlinked_through_the_case_service() -> None:
    """``/api/cases/{id}/articles/`` (issue 16): the page's service, the same refusals."""
    from paretocrm.knowledge.models import Article

    agent = new_user("service_agent")
    case = Case.objects.create(
        number="CS-KB-1",
        customer=make_customer(owner=new_user("sales_rep"), name="宁波海鲜进出口有限公司"),
        case_type="complaint",
        subject="冷链断链",
        assigned_to=agent,
    )
    published = Article.objects.create(title="冷链断链处理", body="记录温度", status="published")
    draft = Article.objects.create(title="草稿", body="待审", status="draft")
    url = reverse("case-articles", args=[case.pk])
    api = client_for(agent)
    answer = api.post(url, {"article": published.pk}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["articles"] == [published.pk]
    refused = api.post(url, {"article": draft.pk}, format="json")
    assert refused.status_code == 400 and "article" in refused.json()
    missing = api.post(url, {"article": 999999}, format="json")
    assert missing.status_code == 400 and "article" in missing.json()
    assistant = client_for(new_user("key_account_assistant"))
    assert assistant.delete(url, {"article": published.pk}, format="json").status_code in (403, 404)
    stranger = client_for(new_user("service_agent"))
    assert stranger.post(url, {"article": published.pk}, format="json").status_code == 404
    assert list(case.articles.all()) == [published]
    answer = api.delete(url, {"article": published.pk}, format="json")
    assert answer.status_code == 200 and answer.json()["articles"] == []
