"""Sales pages: contracts (list + detail) and invoices with receivable aging."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from paretocrm.customers.tests.factories import make_customer, make_invoice, make_payment, make_user
from paretocrm.sales.models import Contract
from paretocrm.users.choices import Role
from paretocrm.users.models import Team

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def world() -> dict:
    east, west = Team.objects.create(name="East"), Team.objects.create(name="West")
    kam = make_user(Role.KEY_ACCOUNT_MANAGER, team=east)
    other = make_user(Role.KEY_ACCOUNT_MANAGER, team=west)
    mine, theirs = make_customer(owner=kam, name="Mine Ltd"), make_customer(owner=other)
    return {"kam": kam, "other": other, "mine": mine, "theirs": theirs}


def _contract(customer, number: str, **fields) -> Contract:
    fields.setdefault("start_date", dt.date(2025, 1, 1))
    return Contract.objects.create(customer=customer, number=number, **fields)


def test_contract_list_is_scoped_filtered_and_ordered_by_end_date(world):
    _contract(world["mine"], "C-LATE", end_date=dt.date(2027, 1, 1), status="active")
    _contract(world["mine"], "C-SOON", end_date=dt.date(2026, 3, 1), status="active")
    _contract(world["mine"], "C-DRAFT", status="draft")
    _contract(
        world["mine"],
        "C-OLD",
        start_date=dt.date(2023, 1, 1),
        end_date=dt.date(2024, 1, 1),
        status="expired",
    )
    _contract(world["theirs"], "C-THEIRS", end_date=dt.date(2026, 1, 1), status="active")
    client = client_for(world["kam"])
    page = client.get(reverse("sales:contracts"))
    numbers = [c.number for c in page.context["object_list"]]
    assert numbers == ["C-SOON", "C-LATE", "C-DRAFT", "C-OLD"], "in force first, next to end"
    active = client.get(reverse("sales:contracts"), {"status": "active"})
    assert [c.number for c in active.context["object_list"]] == ["C-SOON", "C-LATE"]


def test_contract_detail_shows_terms_and_renewal_and_hides_other_scopes(world):
    first = _contract(world["mine"], "C-1", end_date=dt.date(2025, 12, 31), value=Decimal("120000"))
    second = _contract(
        world["mine"], "C-2", renewed_from=first, notice_period_days=30,
        end_date=dt.date(2026, 12, 31), renewal_type="automatic",
    )  # fmt: skip
    theirs = _contract(world["theirs"], "C-X")
    client = client_for(world["kam"])
    page = client.get(reverse("sales:contract", args=[first.pk]))
    text = page.content.decode()
    assert "120,000" in text and "C-2" in text
    renewed = client.get(reverse("sales:contract", args=[second.pk]))
    assert renewed.context["notice_by"] == dt.date(2026, 12, 1)
    assert "automatic renewal" in renewed.content.decode()
    assert client.get(reverse("sales:contract", args=[theirs.pk])).status_code == 404


def test_invoice_page_ages_receivables_and_totals_each_bucket(world):
    today = timezone.localdate()
    mine = world["mine"]
    not_due = make_invoice(mine, "100.00", today, today + dt.timedelta(days=10))
    late = make_invoice(
        mine, "500.00", today - dt.timedelta(days=80), today - dt.timedelta(days=45)
    )
    very_late = make_invoice(
        mine, "300.00", today - dt.timedelta(days=200), today - dt.timedelta(days=120)
    )
    paid = make_invoice(mine, "50.00", today - dt.timedelta(days=20), today - dt.timedelta(days=5))
    make_payment(mine, "50.00", today, invoice=paid)
    make_payment(mine, "200.00", today, invoice=late)
    make_invoice(
        world["theirs"], "999.00", today - dt.timedelta(days=40), today - dt.timedelta(days=35)
    )

    page = client_for(world["kam"]).get(reverse("sales:invoices"))

    rows = {i.number: i for i in page.context["object_list"]}
    assert set(rows) == {not_due.number, late.number, very_late.number}
    assert rows[late.number].outstanding == Decimal("300.00")
    assert rows[late.number].aging_bucket == "31-60"
    assert rows[very_late.number].aging_bucket == "90+"
    (totals,) = page.context["totals"]
    cells = dict(zip(["not_due", "0-30", "31-60", "61-90", "90+"], totals["cells"], strict=True))
    assert cells["not_due"] == (Decimal("100.00"), 1)
    assert cells["31-60"] == (Decimal("300.00"), 1)
    assert cells["90+"] == (Decimal("300.00"), 1)
    assert cells["0-30"] == (None, 0)
    assert totals["total"] == Decimal("700.00"), "the other team's 999 is not counted"
    one_bucket = client_for(world["kam"]).get(reverse("sales:invoices"), {"bucket": "90+"})
    assert [i.number for i in one_bucket.context["object_list"]] == [very_late.number]
    everything = client_for(world["kam"]).get(reverse("sales:invoices"), {"all": "1"})
    assert paid.number in {i.number for i in everything.context["object_list"]}


@pytest.mark.parametrize("count", [3, 30])
def test_list_pages_use_a_bounded_number_of_queries(world, count, django_assert_max_num_queries):
    today = timezone.localdate()
    for i in range(count):
        customer = make_customer(owner=world["kam"])
        _contract(customer, f"C-{count}-{i}", end_date=dt.date(2027, 1, 1), value=Decimal("10"))
        make_invoice(
            customer, "10.00", today - dt.timedelta(days=i), today + dt.timedelta(days=5 - i)
        )
    client = client_for(world["kam"])
    for name in ("sales:contracts", "sales:invoices", "sales:orders"):
        with django_assert_max_num_queries(14):
            assert client.get(reverse(name)).status_code == 200


def test_pages_need_sign_in(world):
    for name in ("sales:contracts", "sales:invoices"):
        assert Client().get(reverse(name)).status_code == 302
