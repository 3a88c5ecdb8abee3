"""Every export checks the one logged permission (QUALITY.md EXP-2, AUD-3).

The web routes are enumerated: a route whose name says it exports must refuse a role
without the export functions with 403 and a denied-access event naming the export, before
it reads anything (an unknown record id is refused the same way, so nothing leaks).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from paretocrm.audit.models import AuditEvent
from paretocrm.customers.tests.factories import make_contact, make_customer, make_user
from paretocrm.users.choices import Role
from paretocrm.users.permissions import ROLE_FUNCTIONS, Function

pytestmark = pytest.mark.django_db

#: The export routes today; the enumeration must find at least these (so the walk works).
KNOWN_EXPORTS = {
    "customers:export",
    "customers:contact_personal_data",
    "insights:core_customers_export",
    "marketing:audience_export",
    "work:call_list_export",
    "work:concentration_export",
    "work:plan_export",
    "work:scorecards_export",
}
EXPORT_FUNCTIONS = {Function.EXPORT, Function.EXPORT_ALL}
#: A staff role with neither export function.
REFUSED_ROLE = next(
    role
    for role, functions in ROLE_FUNCTIONS.items()
    if role != Role.PORTAL_CUSTOMER and not functions & EXPORT_FUNCTIONS
)


def _export_routes(
    resolver: URLResolver | None = None, namespace: str = ""
) -> dict[str, URLPattern]:
    """Named web routes (admin, API and i18n excluded) whose name says they export."""
    found: dict[str, URLPattern] = {}
    for entry in (resolver or get_resolver()).url_patterns:
        if str(entry.pattern).startswith(("admin/", "api/", "i18n/")):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found |= _export_routes(entry, inner)
        elif entry.name and ("export" in entry.name or "personal_data" in entry.name):
            found[namespace + entry.name] = entry
    return found


def _url(name: str, route: URLPattern) -> str:
    """The route with an id no record has and a valid-looking format."""
    converters = getattr(route.pattern, "converters", {})
    kwargs = {
        key: 999_999 if type(converter).__name__ == "IntConverter" else "csv"
        for key, converter in converters.items()
    }
    return reverse(name, kwargs=kwargs)


def test_every_export_route_refuses_without_the_function_and_logs_it() -> None:
    cache.clear()
    routes = _export_routes()
    assert set(routes) >= KNOWN_EXPORTS
    client = Client()
    client.force_login(make_user(REFUSED_ROLE))
    for name, route in sorted(routes.items()):
        url = _url(name, route)
        before = AuditEvent.objects.filter(kind="access_denied").count()
        response = client.get(url)
        assert response.status_code == 403, (name, url, response.status_code)
        denied = AuditEvent.objects.filter(kind="access_denied").order_by("-id")
        assert denied.count() == before + 1, name
        detail = denied.first().detail
        assert detail["function"] in EXPORT_FUNCTIONS, (name, detail)
        assert detail.get("what"), (name, detail)


def test_the_api_personal_data_export_refuses_and_logs_it_too() -> None:
    cache.clear()
    user = make_user(REFUSED_ROLE)
    contact = make_contact(make_customer(owner=user))
    client = APIClient()
    client.force_authenticate(user=user)
    url = reverse("contact-personal-data", args=[contact.pk])
    assert client.get(url).status_code == 403
    event = AuditEvent.objects.get(kind="access_denied")
    assert event.detail == {"function": "export_all", "what": "personal_data"}
