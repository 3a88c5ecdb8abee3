"""Portal logins of the demo company: one contact per core customer, passwords reproducible."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from paretocrm.core.choices import CustomerTier
from paretocrm.customers.models import Customer
from paretocrm.demo.portal import demo_portal_logins, grant_portal_access, portal_password
from paretocrm.demo.services import load_demo_company
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.portal.models import PortalAccount

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings) -> list[Customer]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo_company(seed=42, customers=12, anchor=dt.date(2025, 6, 30))
    customers = list(Customer.objects.order_by("code"))
    run = make_run()
    for customer in customers[:3]:
        make_score(run, customer, tier=CustomerTier.CORE)
    for customer in customers[3:]:
        make_score(run, customer, tier=CustomerTier.ORDINARY)
    return customers


def test_each_core_customer_gets_one_portal_login_that_signs_in(demo):
    logins = grant_portal_access(42)
    accounts = PortalAccount.objects.select_related("contact__customer", "user")
    assert {a.contact.customer for a in accounts} == set(demo[:3])
    assert len(logins) == 3
    for login in logins:
        assert login.password == portal_password(42, login.username)
        client = Client()
        response = client.post("/login/", {"username": login.username, "password": login.password})
        assert response.status_code == 302
        assert client.get("/", follow=True).redirect_chain[-1][0] == "/portal/"


def test_granting_twice_adds_nothing_and_prints_the_same_logins(demo):
    first = grant_portal_access(42)
    second = grant_portal_access(42)
    assert PortalAccount.objects.count() == 3
    assert [(x.username, x.password) for x in first] == [(x.username, x.password) for x in second]
    assert demo_portal_logins(42) == second


def test_portal_logins_print_whole_on_a_narrow_terminal():
    """An 80-column console (a pipe, a small window) shows every username and password whole."""
    from io import StringIO

    from rich.console import Console

    from paretocrm.demo.portal import print_portal_logins
    from paretocrm.demo.services import DemoLogin

    login = DemoLogin(
        "demo-c000197-p1@customer.example.com",
        "portal_customer · 恩悌网络有限公司 (a long customer name that has to wrap)",
        "Quarry-Falcon-9608",
    )
    out = StringIO()
    print_portal_logins(Console(file=out, width=80), [login])
    assert login.username in out.getvalue() and login.password in out.getvalue()
