"""A portal user sees one customer, through every portal page, download and API route."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from paretocrm.customers.models import Contact, Customer
from paretocrm.customers.tests.factories import (
    make_contact,
    make_customer,
    make_invoice,
    make_order,
    make_payment,
    make_user,
)
from paretocrm.knowledge.models import Article
from paretocrm.portal import services
from paretocrm.portal.models import CaseAttachment, CaseReply
from paretocrm.portal.tests.factories import client_for, make_portal_user, pdf_file
from paretocrm.sales.models import Invoice, Order, Payment
from paretocrm.service.models import Case
from paretocrm.users.choices import Role
from paretocrm.users.services import issue_token

pytestmark = pytest.mark.django_db


def _records(customer: Customer, owner: Any) -> dict[str, Any]:
    order = make_order(customer)
    invoice = make_invoice(
        customer, "100.00", dt.date(2026, 1, 1), dt.date(2026, 2, 1), order=order
    )
    make_payment(customer, "40.00", dt.date(2026, 1, 10), invoice)
    case = Case.objects.create(
        number=f"C-{customer.pk}", customer=customer, case_type="complaint", subject="Late"
    )
    reply = CaseReply.objects.create(case=case, channel="portal", body="Any news?")
    attachment = CaseAttachment.objects.create(
        case=case, file=pdf_file(), original_name="x.pdf", content_type="application/pdf", size=10
    )
    return {
        "order": order,
        "invoice": invoice,
        "case": case,
        "reply": reply,
        "attachment": attachment,
    }


@pytest.fixture
def world(settings, tmp_path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    kam = make_user(Role.KEY_ACCOUNT_MANAGER)
    mine, theirs = make_customer(owner=kam, name="Mine"), make_customer(owner=kam, name="Theirs")
    return {
        "kam": kam,
        "mine": mine,
        "theirs": theirs,
        "user": make_portal_user(mine),
        "own": _records(mine, kam),
        "other": _records(theirs, kam),
    }


def test_visible_to_gives_a_portal_user_exactly_their_customer(world):
    user = world["user"]
    assert list(Customer.objects.visible_to(user)) == [world["mine"]]
    assert set(Order.objects.visible_to(user)) == {world["own"]["order"]}
    assert set(Invoice.objects.visible_to(user)) == {world["own"]["invoice"]}
    assert Payment.objects.visible_to(user).count() == 1
    assert set(Case.objects.visible_to(user)) == {world["own"]["case"]}
    assert set(CaseAttachment.objects.visible_to(user)) == {world["own"]["attachment"]}
    assert set(Contact.objects.visible_to(user)) == set(world["mine"].contacts.all())


def test_a_deactivated_portal_account_sees_nothing(world):
    account = world["user"].portal_account
    services.deactivate_portal_account(account, by=world["kam"])
    world["user"].refresh_from_db()
    world["user"].is_active = True  # even if the login itself were still active
    assert not Customer.objects.visible_to(world["user"]).exists()


def _portal_routes() -> list[URLPattern]:
    resolver = get_resolver()
    portal = next(
        p for p in resolver.url_patterns if isinstance(p, URLResolver) and str(p.pattern) == ""
    )
    found = []
    for entry in portal.url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "portal":
            found += [p for p in entry.url_patterns if isinstance(p, URLPattern)]
    return found


#: Portal routes with an object id -> the record key in ``world["other"]`` they take.
PORTAL_OBJECT_ROUTES = {
    "order": "order",
    "invoice": "invoice",
    "case": "case",
    "attachment": "attachment",
}
#: Portal routes without a customer record (article ids: public articles only; token).
PORTAL_OTHER_ROUTES = {
    "overview",
    "orders",
    "invoices",
    "cases",
    "case_new",
    "surveys",
    "knowledge",
    "details",
    "article",
    "invitation",
}


def test_every_portal_route_is_classified():
    names = {p.name for p in _portal_routes()}
    assert names == set(PORTAL_OBJECT_ROUTES) | PORTAL_OTHER_ROUTES


def test_another_customers_records_answer_404_on_every_portal_route_and_method(world):
    client = client_for(world["user"])
    for name, key in PORTAL_OBJECT_ROUTES.items():
        other = reverse(f"portal:{name}", kwargs={"pk": world["other"][key].pk})
        own = reverse(f"portal:{name}", kwargs={"pk": world["own"][key].pk})
        assert client.get(own).status_code == 200, own
        assert client.get(other).status_code == 404, other
        assert client.post(other, {"body": "hello"}).status_code in (404, 405), other
    # Nothing was written through the refused replies.
    assert world["other"]["case"].replies.count() == 1


def test_portal_lists_show_only_the_own_customer(world):
    client = client_for(world["user"])
    for name in ("overview", "orders", "invoices", "cases"):
        body = client.get(reverse(f"portal:{name}")).content.decode()
        for key in ("order", "invoice", "case"):
            assert str(world["other"][key].number) not in body, (name, key)
    body = client.get(reverse("portal:orders")).content.decode()
    assert world["own"]["order"].number in body


def test_staff_only_articles_are_not_on_the_portal(world):
    public = Article.objects.create(
        title="How to return", body="b", public=True, status="published"
    )
    internal = Article.objects.create(title="Margins", body="b", public=False, status="published")
    client = client_for(world["user"])
    assert client.get(reverse("portal:article", kwargs={"pk": public.pk})).status_code == 200
    assert client.get(reverse("portal:article", kwargs={"pk": internal.pk})).status_code == 404
    found = client.get(reverse("portal:knowledge"), {"q": "Margins"}).context["object_list"]
    assert list(found) == []
    found = client.get(reverse("portal:knowledge"), {"q": "return"}).context["object_list"]
    assert list(found) == [public]
    assert list(client.get(reverse("portal:knowledge")).context["object_list"]) == [public]


def _staff_paths() -> list[str]:
    """Every non-portal web route, with 1 for each parameter (admin included)."""
    paths = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern):
                paths.append("/" + _fill(route))

    walk(get_resolver().url_patterns, "")
    return [p for p in paths if not p.startswith(("/portal/", "/i18n/", "/api/"))]


def _fill(route: str) -> str:
    import re

    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    return re.sub(r"<[^>]+>|\(\?P<[^>]+>[^)]+\)", "1", route)


def test_portal_users_never_reach_a_staff_page(world):
    client = client_for(world["user"])
    paths = _staff_paths()
    assert "/" in paths and "/customers/" in paths and "/portal-access/" in paths
    for path in paths:
        if path in ("/login/", "/logout/", "/health/"):
            continue
        response = client.get(path)
        assert response.status_code in (302, 403, 404), (path, response.status_code)
        if response.status_code == 302:
            assert response["Location"] in ("/portal/", "/login/?next=" + path), path
        assert client.post(path, {}).status_code in (403, 404, 405), path


def test_the_staff_api_refuses_portal_users_by_session_and_by_token(world):
    cache.clear()
    from tests.test_api_matrix import api_route_names

    session = APIClient()
    session.force_login(world["user"])
    by_token = APIClient(HTTP_AUTHORIZATION=f"Token {issue_token(world['user'])}")
    for name in sorted(api_route_names() - {"api-token"}):
        try:
            url = reverse(name)
        except NoReverseMatch:  # a detail route or a detail action (erase, unmask, ...)
            url = reverse(name, kwargs={"pk": world["own"]["case"].pk})
        for client in (session, by_token):
            answers = {client.get(url).status_code, client.post(url, {}, format="json").status_code}
            # 405 for the method a route does not offer (GET on a POST-only action such as
            # erase); the method it offers must be refused by the permission layer.
            assert 403 in answers and answers <= {403, 405}, (name, client, answers)


def test_staff_keep_their_scope_and_do_not_get_portal_pages(world):
    kam_client = client_for(world["kam"])
    assert kam_client.get(reverse("portal:overview")).status_code == 403
    assert kam_client.get("/customers/").status_code == 200
    stranger = make_user(Role.SALES_REP)
    response = client_for(stranger).get(
        reverse("portal_access:attachment", kwargs={"pk": world["own"]["attachment"].pk})
    )
    assert response.status_code == 404
    response = kam_client.get(
        reverse("portal_access:attachment", kwargs={"pk": world["own"]["attachment"].pk})
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]


def test_new_contacts_are_linked_only_through_portal_accounts(world):
    # A second contact of the same customer without an account gives the user nothing more.
    make_contact(world["theirs"], email=world["user"].username)
    assert list(Customer.objects.visible_to(world["user"])) == [world["mine"]]


def test_a_portal_login_without_an_account_gets_no_portal_page(world):
    orphan = make_user(Role.PORTAL_CUSTOMER)
    client = client_for(orphan)
    assert client.get(reverse("portal:overview")).status_code == 403
    assert client.get("/customers/").status_code == 302  # and no staff page either
    assert not Customer.objects.visible_to(orphan).exists()
