"""API tokens are stored hashed and shown once (QUALITY.md AUTHN-2, AUTHN-5)."""

from __future__ import annotations

import hashlib
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient, APIRequestFactory
from tests.api_samples import new_user

from paretocrm.users.api.authentication import HashedTokenAuthentication
from paretocrm.users.models import ApiToken
from paretocrm.users.services import deactivate_user, issue_token

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"


def _obtain(username: str) -> str:
    response = APIClient().post(
        reverse("api-token"), {"username": username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


def _user_with_password():  # type: ignore[no-untyped-def]
    user = new_user("sales_rep")
    user.set_password(PASSWORD)
    user.save()
    return user


def _status_with(key: str) -> int:
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}").get(reverse("customer-list")).status_code


def test_the_token_table_holds_no_usable_key() -> None:
    key = _obtain(_user_with_password().username)
    stored = ApiToken.objects.get()
    columns = [str(value) for value in ApiToken.objects.values_list().get()]
    assert not any(key in value for value in columns)
    assert stored.digest == hashlib.sha256(key.encode()).hexdigest()
    # What a thief of the table holds does not open the API.
    assert _status_with(stored.digest) == 401
    assert _status_with(key) == 200


def test_a_token_authenticates_with_one_indexed_query() -> None:
    user = new_user("sales_rep")
    key = issue_token(user)
    request = APIRequestFactory().get("/api/customers/", HTTP_AUTHORIZATION=f"Token {key}")
    with CaptureQueriesContext(connection) as queries:
        authenticated, token = HashedTokenAuthentication().authenticate(request)  # type: ignore[misc]
    assert (authenticated.pk, token.user_id) == (user.pk, user.pk)
    assert len(queries) == 1
    assert "digest" in queries[0]["sql"]


def test_a_deactivated_users_token_fails() -> None:
    user = _user_with_password()
    key = _obtain(user.username)
    assert _status_with(key) == 200
    deactivate_user(user, None)
    assert not ApiToken.objects.filter(user=user).exists()
    assert _status_with(key) == 401
    # Even a token left behind (deactivated by another path) is refused for an inactive user.
    other = new_user("sales_rep")
    other_key = issue_token(other)
    other.is_active = False
    other.save()
    assert _status_with(other_key) == 401


def test_the_token_is_shown_once_and_a_new_one_retires_it() -> None:
    user = _user_with_password()
    first = _obtain(user.username)
    second = _obtain(user.username)
    assert first != second
    assert _status_with(first) == 401
    assert _status_with(second) == 200
    assert ApiToken.objects.filter(user=user).count() == 1
    # There is no way to read a key back: the endpoint only issues, the admin shows a prefix.
    assert APIClient().get(reverse("api-token")).status_code == 405
    admin = new_user("administrator")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    browser = APIClient()
    browser.force_login(admin)
    page = browser.get(reverse("admin:users_apitoken_changelist")).content.decode()
    assert second[:8] in page and second not in page
    assert browser.get(reverse("admin:users_apitoken_add")).status_code == 403


@pytest.mark.django_db(transaction=True)  # SQLite's schema editor refuses to run in a transaction
def test_the_migration_hashes_plain_tokens_and_drops_their_table() -> None:
    user = new_user("sales_rep")
    key = "0123456789abcdef0123456789abcdef01234567"
    with connection.schema_editor() as editor:
        editor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, "
            "user_id integer)"
        )
        editor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, NULL, %s)",
            [key, user.pk],
        )
    migration = importlib.import_module("paretocrm.users.migrations.0003_api_token_hashed")
    with connection.schema_editor() as editor:
        migration.hash_legacy_tokens(apps, editor)
    assert "authtoken_token" not in connection.introspection.table_names()
    assert ApiToken.objects.get(user=user).digest == hashlib.sha256(key.encode()).hexdigest()
    assert _status_with(key) == 200


def test_a_portal_user_gets_no_api_token() -> None:
    """The API is for staff (finding 8): a portal login's password opens no token."""
    customer_login = new_user("portal_customer")
    customer_login.set_password(PASSWORD)
    customer_login.save()
    response = APIClient().post(
        reverse("api-token"),
        {"username": customer_login.username, "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 403
    assert "token" not in response.json()
    assert not ApiToken.objects.filter(user=customer_login).exists()
