"""Customer API: masking by role, protected fields, scoped references, brief, ETag/If-Match."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient
from tests.api_samples import new_user

from paretocrm.customers.models import Contact, Customer
from paretocrm.customers.tests.factories import make_contact, make_customer
from paretocrm.users.choices import STAFF_ROLES

pytestmark = pytest.mark.django_db


def client_for(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_contact_phone_and_email_are_masked_for_every_role(role: str) -> None:
    """PRIV-5 / AUTHZ-7: masked on the API for every role; unmasking is its own action."""
    user = new_user(role)
    contact = make_contact(
        make_customer(owner=user), phone="13812345678", mobile="13987654321", email="zhang@ex.com"
    )
    data = client_for(user).get(reverse("contact-detail", args=[contact.pk])).json()
    assert (data["phone"], data["mobile"]) == ("138****5678", "139****4321")
    assert data["email"] == "z***@ex.com"


def test_masked_list_shows_no_full_number_anywhere() -> None:
    user = new_user("sales_rep")
    make_contact(make_customer(owner=user), phone="13812345678", email="zhang@ex.com")
    body = client_for(user).get(reverse("contact-list")).content.decode()
    assert "13812345678" not in body
    assert "zhang@" not in body


def test_owner_and_credit_limit_cannot_be_mass_assigned_on_create() -> None:
    user, other = new_user("sales_rep"), new_user("sales_rep")
    response = client_for(user).post(
        reverse("customer-list"),
        {"code": "NEW1", "name": "新客户", "owner": other.pk, "credit_limit": "999999.00"},
        format="json",
    )
    assert response.status_code == 201, response.content
    created = Customer.objects.get(code="NEW1")
    assert created.owner_id == user.pk
    assert created.credit_limit is None


def test_contact_for_a_customer_the_user_cannot_see_is_refused_like_a_missing_one() -> None:
    user = new_user("sales_rep")
    hidden = make_customer(owner=new_user("sales_rep"))
    client = client_for(user)
    hidden_answer = client.post(
        reverse("contact-list"), {"customer": hidden.pk, "name": "X"}, format="json"
    )
    missing_answer = client.post(
        reverse("contact-list"), {"customer": 10**9, "name": "X"}, format="json"
    )
    assert hidden_answer.status_code == missing_answer.status_code == 400
    # Same message for "hidden" and "absent": the answer does not reveal that it exists.
    assert hidden_answer.json()["customer"][0].replace(str(hidden.pk), "ID") == (
        missing_answer.json()["customer"][0].replace(str(10**9), "ID")
    )
    assert not Contact.objects.filter(customer=hidden).exists()


def test_filter_by_a_hidden_customer_answers_like_a_missing_one() -> None:
    user = new_user("sales_rep")
    hidden = make_contact(make_customer(owner=new_user("sales_rep")))
    client = client_for(user)
    hidden_answer = client.get(reverse("contact-list"), {"customer": hidden.customer_id})
    missing_answer = client.get(reverse("contact-list"), {"customer": 10**9})
    assert hidden_answer.status_code == missing_answer.status_code == 200
    assert hidden_answer.json()["count"] == missing_answer.json()["count"] == 0


def test_brief_representation_keeps_only_the_brief_fields() -> None:
    user = new_user("sales_rep")
    make_customer(owner=user, name="华东贸易")
    rows = client_for(user).get(reverse("customer-list"), {"brief": "1"}).json()["results"]
    assert set(rows[0]) == {"id", "display", "code", "name", "version"}
    full = client_for(user).get(reverse("customer-list")).json()["results"][0]
    assert {"industry", "owner", "credit_limit"} <= set(full)


def test_search_finds_chinese_names() -> None:
    user = new_user("sales_rep")
    make_customer(owner=user, name="华东贸易有限公司")
    make_customer(owner=user, name="Acme GmbH")
    rows = client_for(user).get(reverse("customer-list"), {"search": "华东"}).json()["results"]
    assert [r["name"] for r in rows] == ["华东贸易有限公司"]


class TestEtagAndIfMatch:
    """DUR-1: ETag out, If-Match in; 428 without it, 412 on a stale version."""

    def test_detail_carries_the_version_as_etag(self) -> None:
        user = new_user("sales_rep")
        customer = make_customer(owner=user)
        response = client_for(user).get(reverse("customer-detail", args=[customer.pk]))
        assert response["ETag"] == f'"{customer.version}"'

    def test_write_without_if_match_is_428_and_changes_nothing(self) -> None:
        user = new_user("sales_rep")
        customer = make_customer(owner=user, name="Old")
        url = reverse("customer-detail", args=[customer.pk])
        response = client_for(user).patch(url, {"name": "New"}, format="json")
        assert response.status_code == 428
        customer.refresh_from_db()
        assert (customer.name, customer.version) == ("Old", 1)

    def test_stale_if_match_is_412_and_changes_nothing(self) -> None:
        user = new_user("sales_rep")
        customer = make_customer(owner=user, name="Old")
        customer.notes = "someone else saved meanwhile"
        customer.save()
        url = reverse("customer-detail", args=[customer.pk])
        response = client_for(user).patch(url, {"name": "New"}, format="json", HTTP_IF_MATCH='"1"')
        assert response.status_code == 412
        customer.refresh_from_db()
        assert (customer.name, customer.version) == ("Old", 2)

    def test_matching_if_match_saves_and_returns_the_next_etag(self) -> None:
        user = new_user("sales_rep")
        customer = make_customer(owner=user, name="Old")
        client = client_for(user)
        url = reverse("customer-detail", args=[customer.pk])
        etag = client.get(url)["ETag"]
        response = client.patch(url, {"name": "New"}, format="json", HTTP_IF_MATCH=etag)
        assert response.status_code == 200, response.content
        assert response["ETag"] == '"2"'
        customer.refresh_from_db()
        assert (customer.name, customer.version) == ("New", 2)

    def test_delete_needs_if_match_too_and_referenced_customer_answers_409(self) -> None:
        user = new_user("sales_rep")
        customer = make_customer(owner=user)
        make_contact(customer)
        client = client_for(user)
        url = reverse("customer-detail", args=[customer.pk])
        assert client.delete(url).status_code == 428
        assert client.delete(url, HTTP_IF_MATCH='"1"').status_code == 409
        assert Customer.objects.filter(pk=customer.pk).exists()

    def test_out_of_scope_write_is_404_even_with_the_right_version(self) -> None:
        hidden = make_customer(owner=new_user("sales_rep"), name="Theirs")
        url = reverse("customer-detail", args=[hidden.pk])
        response = client_for(new_user("sales_rep")).patch(
            url, {"name": "Mine"}, format="json", HTTP_IF_MATCH='"1"'
        )
        assert response.status_code == 404
        hidden.refresh_from_db()
        assert hidden.name == "Theirs"


def test_database_constraint_violation_is_a_400_naming_the_field() -> None:
    user = new_user("sales_rep")
    response = client_for(user).post(
        reverse("customer-list"),
        {"code": "C-RANGE", "name": "X", "industry_influence": 9},
        format="json",
    )
    assert response.status_code == 400
    assert "between 1 and 5" in response.content.decode()
    assert not Customer.objects.filter(code="C-RANGE").exists()


def test_serializer_fields_built_once_stay_per_request_and_protected() -> None:
    """Built fields are shared per class (B8); every serializer still gets its own copies,
    protected fields stay read-only, and a many-to-many field validates every time."""
    from paretocrm.customers.api.serializers import CustomerSerializer

    first, second = CustomerSerializer().fields, CustomerSerializer().fields
    assert first["owner"] is not second["owner"]
    assert first["owner"].read_only and second["owner"].read_only
    assert first["credit_limit"].read_only and second["credit_limit"].read_only
    assert first["tags"].child_relation is not second["tags"].child_relation
    first["name"].label = "changed"
    assert CustomerSerializer().fields["name"].label != "changed"

    user = new_user("sales_rep")
    for code in ("T1", "T2"):
        response = client_for(user).post(
            reverse("customer-list"), {"code": code, "name": code, "tags": [999999]}, format="json"
        )
        assert response.status_code == 400
        assert "tags" in response.json()
