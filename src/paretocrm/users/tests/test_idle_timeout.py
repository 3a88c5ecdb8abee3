"""AUTHN-4 idle timeout: sessions end after SESSION_COOKIE_AGE idle seconds, and are
refreshed at most once a minute rather than written on every request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.api_samples import new_user

from paretocrm.users import middleware
from paretocrm.users.services import issue_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1_900_000_000.0]
    monkeypatch.setattr(middleware.time, "time", lambda: now[0])
    return now


def _expiry(client: Client) -> dt.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_requests_within_a_minute_do_not_write_the_session(clock: list[float]) -> None:
    client = Client()
    client.force_login(new_user("sales_rep"))
    client.get(reverse("customers:list"))
    first = _expiry(client)
    clock[0] += 30
    client.get(reverse("customers:list"))
    assert _expiry(client) == first


def test_a_request_after_a_minute_pushes_the_expiry_forward(clock: list[float]) -> None:
    client = Client()
    client.force_login(new_user("sales_rep"))
    client.get(reverse("customers:list"))
    first = _expiry(client)
    clock[0] += middleware.REFRESH_SECONDS + 1
    client.get(reverse("customers:list"))
    later = _expiry(client)
    assert later > first
    assert later - timezone.now() > dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 5)


def test_an_idle_session_has_ended() -> None:
    client = Client()
    client.force_login(new_user("sales_rep"))
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_api_token_calls_start_no_session() -> None:
    key = issue_token(new_user("sales_rep"))
    before = Session.objects.count()
    response = Client().get(reverse("customer-list"), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert Session.objects.count() == before
