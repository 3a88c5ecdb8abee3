"""Reading the audit log: API and page (QUALITY.md AUD-2, AUD-3, AUTHZ-6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from paretocrm.audit.models import AuditEvent, FieldChange
from paretocrm.audit.services import record_event
from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.users.choices import STAFF_ROLES, Role
from paretocrm.users.permissions import Function, has_function

pytestmark = pytest.mark.django_db

AUDIT_READERS = (Role.ADMINISTRATOR, Role.GENERAL_MANAGER)
OTHERS = tuple(r for r in STAFF_ROLES if r not in AUDIT_READERS)


def api(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def log() -> dict:
    """A customer renamed by one user, a sign-in and an export by another, one old event."""
    editor, exporter = make_user(Role.SALES_REP), make_user(Role.KEY_ACCOUNT_MANAGER)
    customer = make_customer(editor, name="Before")
    customer.name = "After"
    customer.save()
    record_event("login_success", actor=editor)
    record_event("export", actor=exporter, target=customer, detail={"kind": "customers"})
    # Append-only: an old event is written with its time, never moved afterwards.
    AuditEvent.objects.create(
        kind="login_failure", channel="web", occurred_at=timezone.now() - dt.timedelta(days=40)
    )
    return {"editor": editor, "exporter": exporter, "customer": customer}


def test_aud2_the_readers_are_exactly_the_roles_with_audit_read() -> None:
    """AUTHZ-6: the table decides; the tests below use the same split."""
    for role in Role:
        assert has_function(make_user(role), Function.AUDIT_READ) is (role in AUDIT_READERS)


@pytest.mark.parametrize("role", AUDIT_READERS)
def test_aud2_audit_readers_list_security_events_and_field_changes(log: dict, role: str) -> None:
    reader = api(make_user(role))
    events = reader.get(reverse("auditevent-list"), {"page_size": 100})
    assert events.status_code == 200
    kinds = {row["kind"] for row in events.json()["results"]}
    assert {"login_success", "export", "login_failure"} <= kinds
    changes = reader.get(reverse("fieldchange-list")).json()["results"]
    assert [(c["field"], c["old_value"], c["new_value"]) for c in changes] == [
        ("name", "Before", "After")
    ]
    one = reader.get(reverse("auditevent-detail", args=[events.json()["results"][0]["id"]]))
    assert one.status_code == 200


def test_aud2_filters_by_kind_user_record_and_date(log: dict) -> None:
    reader = api(make_user(Role.ADMINISTRATOR))
    url = reverse("auditevent-list")

    def kinds(**params: object) -> list[str]:
        response = reader.get(url, params)
        assert response.status_code == 200, response.content
        return sorted(row["kind"] for row in response.json()["results"])

    assert kinds(kind="export") == ["export"]
    assert kinds(user=log["editor"].pk) == ["login_success"]
    customer = log["customer"]
    assert kinds(object_type="customers.customer", object_id=customer.pk) == ["export"]
    assert kinds(object_type="nonsense.model") == []
    since = (timezone.now() - dt.timedelta(days=7)).date().isoformat()
    assert "login_failure" not in kinds(since=since)
    until = (timezone.now() - dt.timedelta(days=30)).date().isoformat()
    assert kinds(until=until) == ["login_failure"]
    changes = reader.get(reverse("fieldchange-list"), {"customer": customer.pk, "field": "name"})
    assert len(changes.json()["results"]) == 1
    assert reader.get(reverse("fieldchange-list"), {"field": "code"}).json()["results"] == []


@pytest.mark.parametrize("role", OTHERS)
def test_aud3_other_roles_get_403_on_api_and_page_and_the_denial_is_logged(
    log: dict, role: str
) -> None:
    user = make_user(role)
    before = AuditEvent.objects.filter(kind="access_denied", actor=user).count()
    assert api(user).get(reverse("auditevent-list")).status_code == 403
    assert api(user).get(reverse("fieldchange-list")).status_code == 403
    page = Client()
    page.force_login(user)
    assert page.get(reverse("audit:log")).status_code == 403
    denied = AuditEvent.objects.filter(kind="access_denied", actor=user)
    assert denied.count() == before + 3
    assert {e.detail["function"] for e in denied} == {"audit_read"}


def test_aud2_the_audit_api_has_no_write_path(log: dict) -> None:
    admin = api(make_user(Role.ADMINISTRATOR))
    event = AuditEvent.objects.first()
    change = FieldChange.objects.get()
    counts = (AuditEvent.objects.count(), FieldChange.objects.count())
    assert admin.post(reverse("auditevent-list"), {"kind": "export"}).status_code == 405
    for name, row in (("auditevent-detail", event), ("fieldchange-detail", change)):
        for method in ("put", "patch", "delete"):
            assert getattr(admin, method)(reverse(name, args=[row.pk]), {}).status_code == 405
    # Only the reads above added nothing; the log is unchanged.
    assert (AuditEvent.objects.count(), FieldChange.objects.count()) == counts
    assert FieldChange.objects.get().new_value == "After"


@pytest.mark.parametrize("language", ["en", "zh-hans", "zh-hant"])
def test_aud2_audit_page_lists_and_filters_for_readers(log: dict, language: str) -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE=language)
    page.force_login(make_user(Role.GENERAL_MANAGER))
    events = page.get(reverse("audit:log"), {"kind": "export"})
    assert events.status_code == 200
    assert [e.kind for e in events.context["object_list"]] == ["export"]
    changes = page.get(reverse("audit:log"), {"log": "changes", "user": ""})
    assert changes.status_code == 200
    body = changes.content.decode()
    assert "Before" in body and "After" in body
    assert reverse("audit:log") in page.get(reverse("insights:dashboard")).content.decode()
