"""The customer admin protects the owner field (changed only by a transfer)."""

from __future__ import annotations

import pytest
from django.test import Client

from paretocrm.customers.tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_as_root() -> Client:
    client = Client()
    client.force_login(make_user(is_superuser=True, is_staff=True))
    return client


def test_owner_can_be_chosen_when_adding_a_customer(client_as_root: Client) -> None:
    page = client_as_root.get("/admin/customers/customer/add/")
    assert page.status_code == 200
    assert 'name="owner"' in page.content.decode()


def test_owner_is_read_only_on_an_existing_customer(client_as_root: Client) -> None:
    customer = make_customer(owner=make_user())
    page = client_as_root.get(f"/admin/customers/customer/{customer.pk}/change/")
    assert page.status_code == 200
    assert 'name="owner"' not in page.content.decode()


def test_ownership_history_admin_is_read_only(client_as_root: Client) -> None:
    assert client_as_root.get("/admin/customers/ownershipchange/add/").status_code == 403
