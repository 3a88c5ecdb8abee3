"""Passwords and sign-out (QUALITY.md AUTHN-1, AUTHN-2, AUTHN-4)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from paretocrm.customers.tests.factories import make_user

pytestmark = pytest.mark.django_db

GOOD = "Tea-garden-Hangzhou-7"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1-xyz!q", "too short. It must contain at least 10 characters"),
        ("password123", "too common"),
        ("1234567890123", "entirely numeric"),
        ("zhang.wei.sales", "too similar to the username"),
    ],
)
def test_authn1_validators_refuse_short_common_numeric_and_similar(
    password: str, message: str
) -> None:
    user = make_user(username="zhang.wei.sales", email="zhang.wei@example.com")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert any(message in text for text in refused.value.messages), refused.value.messages
    validate_password(GOOD, user)  # and a good one passes


def test_authn2_passwords_are_stored_as_argon2_hashes_only() -> None:
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    user = make_user(username="li.na")
    user.set_password(GOOD)
    user.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM users_user WHERE id = %s", [user.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("argon2$argon2id$") and GOOD not in stored
    assert Client().post("/login/", {"username": "li.na", "password": GOOD}).status_code == 302


def test_authn4_sign_out_ends_the_session_on_the_server() -> None:
    """After sign-out the old session cookie is worth nothing, even replayed."""
    user = make_user(username="wang.fang")
    user.set_password(GOOD)
    user.save()
    client = Client()
    assert client.post("/login/", {"username": "wang.fang", "password": GOOD}).status_code == 302
    cookie = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=cookie).exists()
    assert client.post("/logout/").status_code == 302
    assert not Session.objects.filter(session_key=cookie).exists()
    replay = Client()
    replay.cookies["sessionid"] = cookie
    response = replay.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
