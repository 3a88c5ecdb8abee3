"""Staff directory API and token authentication."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient
from tests.api_samples import new_user

pytestmark = pytest.mark.django_db


def test_directory_lists_staff_without_secrets_or_contact_data() -> None:
    user = new_user("sales_rep")
    user.email, user.phone = "rep@example.com", "13812345678"
    user.save()
    client = APIClient()
    client.force_authenticate(user=user)
    row = client.get(reverse("user-detail", args=[user.pk])).json()
    assert row["username"] == user.username
    assert not {"password", "email", "phone"} & set(row)


def test_token_obtained_with_the_password_authenticates_and_dies_with_deactivation() -> None:
    user = new_user("sales_rep")
    user.set_password("a-long-passphrase-42")
    user.save()
    anonymous = APIClient()
    token = anonymous.post(
        reverse("api-token"),
        {"username": user.username, "password": "a-long-passphrase-42"},
        format="json",
    ).json()["token"]
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(reverse("customer-list")).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(reverse("customer-list")).status_code == 401


def test_wrong_password_gets_no_token() -> None:
    user = new_user("sales_rep")
    response = APIClient().post(
        reverse("api-token"), {"username": user.username, "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()


@pytest.mark.parametrize("name", ["api-schema", "api-docs"])
def test_schema_and_swagger_ui_need_a_login(name: str) -> None:
    assert APIClient().get(reverse(name)).status_code in {401, 403}
    client = APIClient()
    client.force_authenticate(user=new_user("sales_rep"))
    assert client.get(reverse(name)).status_code == 200
