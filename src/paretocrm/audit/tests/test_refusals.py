"""Every refusal is audited, with a per-user rate limit (issue 14 finding 8, QUALITY.md AUD-3).

A 403 or a 404 answered to a signed-in user - a page of the users or settings area, a
customer outside the user's scope, on the pages or through the API with a token - is one
``access_denied`` event naming the status and the path; a refusal that
``require_function`` already logged is not logged twice; a user who hammers refused routes
writes at most ``AUDIT_REFUSALS_PER_MINUTE`` events a minute.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from paretocrm.audit.models import AuditEvent
from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.users.choices import Role
from paretocrm.users.services import issue_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def _page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _denials(user: Any) -> list[dict[str, Any]]:
    return list(
        AuditEvent.objects.filter(kind="access_denied", actor=user)
        .order_by("id")
        .values_list("detail", flat=True)
    )


@pytest.mark.parametrize("path", ["/users/", "/teams/", "/settings/scoring/", "/settings/rating/"])
def test_aud3_refusals_on_the_users_and_settings_pages_are_audited(path: str) -> None:
    rep = make_user(Role.SALES_REP)
    response = _page(rep).get(path)
    assert response.status_code == 403, path
    (detail,) = _denials(rep)
    assert detail["status"] == 403 and detail["path"] == path


def test_aud3_an_out_of_scope_customer_is_an_audited_404_on_page_and_api() -> None:
    rep = make_user(Role.SALES_REP)
    other = make_customer(make_user(Role.SALES_REP))
    assert _page(rep).get(f"/customers/{other.pk}/").status_code == 404
    token = issue_token(rep)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(f"/api/customers/{other.pk}/").status_code == 404
    details = _denials(rep)
    assert [(d["status"], d["path"]) for d in details] == [
        (404, f"/customers/{other.pk}/"),
        (404, f"/api/customers/{other.pk}/"),
    ]
    channels = AuditEvent.objects.filter(kind="access_denied").values_list("channel", flat=True)
    assert sorted(channels) == ["api", "web"]


def test_aud3_a_refusal_require_function_logged_is_not_logged_twice() -> None:
    rep = make_user(Role.SALES_REP)
    assert _page(rep).get("/audit/").status_code == 403
    (detail,) = _denials(rep)
    assert detail["function"] == "audit_read"


def test_aud3_refusals_are_rate_limited_per_user(settings: Any) -> None:
    settings.AUDIT_REFUSALS_PER_MINUTE = 3
    rep, other = make_user(Role.SALES_REP), make_user(Role.SALES_REP)
    client = _page(rep)
    for _ in range(8):
        assert client.get("/users/").status_code == 403
    assert len(_denials(rep)) == 3
    # The limit is per user: someone else's first refusal is still written.
    assert _page(other).get("/users/").status_code == 403
    assert len(_denials(other)) == 1


def test_aud3_anonymous_requests_and_allowed_pages_write_nothing() -> None:
    assert Client().get("/users/").status_code == 302  # to the sign-in page
    admin = make_user(Role.ADMINISTRATOR)
    assert _page(admin).get("/users/").status_code == 200
    assert not AuditEvent.objects.filter(kind="access_denied").exists()
