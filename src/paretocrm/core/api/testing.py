"""Generic API test mixins: declare an endpoint, inherit its access-control tests.

STYLE.md: every endpoint gets anonymous / no-permission / permitted / out-of-scope tests by
declaring its model and sample data, and list endpoints record their query count so an N+1
fails. A test class sets ``spec`` to an :class:`EndpointSpec` and inherits
:class:`ScopedEndpointTests`. Kept free of app imports (the kernel knows no app): the spec's
callables build the app's data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

#: Statuses meaning "you may not": unauthenticated (401) or forbidden (403).
DENIED = {401, 403}


@dataclass(frozen=True)
class EndpointSpec:
    """What the generic tests need to know about one endpoint.

    ``make(user)`` creates a record inside ``user``'s scope (e.g. for a customer they own);
    ``payload(user)`` returns a valid create body for ``user`` (``None``: read-only
    endpoint); ``change`` is a PATCH body. ``writer_role`` may write, ``reader_role`` may
    read but not write (``None`` when every role may write or nobody may).
    """

    basename: str
    model: type[models.Model]
    make: Callable[[Any], models.Model]
    make_user: Callable[..., Any]
    writer_role: str
    reader_role: str | None = None
    payload: Callable[[Any], dict[str, Any]] | None = None
    change: dict[str, Any] | None = None
    company_wide: bool = False
    writable_methods: tuple[str, ...] = ("put", "patch", "delete")


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The stored field values of ``obj`` (re-read from the database)."""
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    return {f.attname: getattr(fresh, f.attname) for f in type(obj)._meta.concrete_fields}


def client_for(user: Any | None) -> APIClient:
    """An API client signed in as ``user`` (anonymous when ``None``)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


@pytest.mark.django_db
class ScopedEndpointTests:
    """The access-control contract every endpoint passes (set ``spec`` in the subclass)."""

    spec: EndpointSpec

    @pytest.fixture(autouse=True)
    def _fresh_throttles(self) -> None:
        # Throttle counters live in the cache; one test must not exhaust another's budget.
        cache.clear()

    def list_url(self) -> str:
        return reverse(f"{self.spec.basename}-list")

    def detail_url(self, obj: models.Model) -> str:
        return reverse(f"{self.spec.basename}-detail", args=[obj.pk])

    def test_anonymous_is_denied_list_and_detail(self) -> None:
        owner = self.spec.make_user(self.spec.writer_role)
        obj = self.spec.make(owner)
        anonymous = client_for(None)
        assert anonymous.get(self.list_url()).status_code in DENIED
        assert anonymous.get(self.detail_url(obj)).status_code in DENIED

    def test_permitted_user_reads_own_record_in_list_and_detail(self) -> None:
        owner = self.spec.make_user(self.spec.writer_role)
        obj = self.spec.make(owner)
        client = client_for(owner)
        listed = client.get(self.list_url(), {"page_size": 500})
        assert listed.status_code == 200, listed.content
        assert obj.pk in {row["id"] for row in listed.json()["results"]}
        detail = client.get(self.detail_url(obj))
        assert detail.status_code == 200
        assert detail.json()["id"] == obj.pk

    def test_role_without_write_permission_cannot_create_or_change(self) -> None:
        owner = self.spec.make_user(self.spec.writer_role)
        obj = self.spec.make(owner)
        reader = self.spec.make_user(self.spec.reader_role, team=getattr(owner, "team", None))
        client = client_for(reader)
        before_count = self.spec.model._default_manager.count()
        body = self.spec.payload(owner) if self.spec.payload else {}
        assert client.post(self.list_url(), body, format="json").status_code == 403
        before = snapshot(obj)
        assert client.patch(self.detail_url(obj), {}, format="json").status_code in {403, 405}
        assert self.spec.model._default_manager.count() == before_count
        assert snapshot(obj) == before

    def test_out_of_scope_record_is_404_for_every_method_and_unchanged(self) -> None:
        stranger = self.spec.make_user(self.spec.writer_role)
        hidden = self.spec.make(self.spec.make_user(self.spec.writer_role))
        before = snapshot(hidden)
        client = client_for(stranger)
        url = self.detail_url(hidden)
        assert client.get(url).status_code == 404
        assert hidden.pk not in {r["id"] for r in client.get(self.list_url()).json()["results"]}
        body = self.spec.change or {}
        for method in self.spec.writable_methods:
            response = getattr(client, method)(url, body, format="json", HTTP_IF_MATCH='"1"')
            assert response.status_code == 404, (method, response.status_code)
        assert snapshot(hidden) == before

    def test_permitted_user_creates_a_record(self) -> None:
        writer = self.spec.make_user(self.spec.writer_role)
        assert self.spec.payload is not None
        response = client_for(writer).post(
            self.list_url(), self.spec.payload(writer), format="json"
        )
        assert response.status_code == 201, response.content
        created = self.spec.model._default_manager.get(pk=response.json()["id"])
        assert created.pk == response.json()["id"]

    def test_list_query_count_does_not_grow_with_rows(self) -> None:
        owner = self.spec.make_user(self.spec.writer_role)
        self.spec.make(owner)
        client = client_for(owner)
        with CaptureQueriesContext(connection) as one:
            assert client.get(self.list_url()).status_code == 200
        for _ in range(4):
            self.spec.make(owner)
        with CaptureQueriesContext(connection) as five:
            assert client.get(self.list_url()).status_code == 200
        assert len(five) == len(one), [q["sql"] for q in five.captured_queries]


def endpoint_test_class(spec: EndpointSpec) -> type[ScopedEndpointTests]:
    """A test class for ``spec`` holding only the tests that apply to it.

    Inapplicable tests are left out instead of skipped, so a report never counts a skip:
    no out-of-scope test for company-wide data, no create test for a read-only endpoint, no
    "role without write permission" test when no such role is declared.
    """
    attrs: dict[str, Any] = {"spec": spec}
    if spec.company_wide:
        attrs["test_out_of_scope_record_is_404_for_every_method_and_unchanged"] = None
    if spec.payload is None:
        attrs["test_permitted_user_creates_a_record"] = None
    if spec.reader_role is None:
        attrs["test_role_without_write_permission_cannot_create_or_change"] = None
    name = f"Test{spec.model.__name__}Endpoint"
    return type(name, (ScopedEndpointTests,), attrs)
