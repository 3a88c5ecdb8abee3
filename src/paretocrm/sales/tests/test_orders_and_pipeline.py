"""Orders and lines (totals, constraints), opportunities with stage history, contracts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from paretocrm.core.exceptions import AppendOnlyError
from paretocrm.customers.tests.factories import make_customer, make_order, make_user
from paretocrm.sales.models import Contract, Opportunity, OpportunityStageChange, Order, OrderLine
from paretocrm.sales.services import change_stage

pytestmark = pytest.mark.django_db


def test_line_and_order_totals_apply_discount_and_cost() -> None:
    order = make_order(
        make_customer(),
        lines=[("3", "9.7767", "5.0000", "0"), ("10", "20.00", "12.50", "10")],
    )
    first, second = order.lines.all()
    assert first.revenue() == Decimal("29.33")  # 3 x 9.7767 = 29.3301
    assert second.revenue() == Decimal("180.00")
    assert second.cost() == Decimal("125.00")
    assert order.revenue() == Decimal("209.33")
    assert order.cost() == Decimal("140.00")
    assert order.margin() == Decimal("69.33")


def test_unknown_cost_makes_order_cost_and_margin_unknown() -> None:
    order = make_order(make_customer(), lines=[("1", "10", None, "0"), ("1", "5", "1", "0")])
    assert order.cost() is None
    assert order.margin() is None
    assert order.revenue() == Decimal("15.00")


def test_with_totals_annotation_matches_the_python_methods() -> None:
    customer = make_customer()
    orders = [
        make_order(customer, lines=[("2", "50.5", "30", "5"), ("1", "100", "70", "0")]),
        make_order(customer, lines=[("4", "12.25", "10", "25")]),
    ]
    annotated = {o.pk: o for o in Order.objects.with_totals()}
    for order in orders:
        row = annotated[order.pk]
        assert Decimal(row.revenue).quantize(Decimal("0.01")) == order.revenue()
        assert Decimal(row.margin).quantize(Decimal("0.01")) == order.margin()
    lines = OrderLine.objects.with_totals().filter(order=orders[1])
    assert Decimal(lines[0].revenue).quantize(Decimal("0.01")) == Decimal("36.75")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (("0", "10", "1", "0"), "quantity must be greater than zero"),
        (("-1", "10", "1", "0"), "quantity must be greater than zero"),
        (("1", "-0.01", "1", "0"), "unit price cannot be negative"),
        (("1", "10", "-1", "0"), "unit cost cannot be negative"),
        (("1", "10", "1", "100.01"), "discount must be between 0 and 100"),
        (("1", "10", "1", "-1"), "discount must be between 0 and 100"),
    ],
)
def test_order_line_check_constraints_refuse_bad_values(
    line: tuple[str, str, str, str], message: str
) -> None:
    customer = make_customer()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_order(customer, lines=[line])
    qty, price, cost, discount = line
    order = make_order(customer)
    bad = OrderLine(
        order=order,
        line_number=9,
        quantity=Decimal(qty),
        unit_price=Decimal(price),
        unit_cost=Decimal(cost),
        discount=Decimal(discount),
    )
    with pytest.raises(ValidationError, match=message):
        bad.validate_constraints()


def test_order_number_unique_and_customer_with_orders_is_protected() -> None:
    customer = make_customer()
    make_order(customer, number="SO-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_order(customer, number="SO-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        customer.delete()


def test_change_stage_appends_history_and_sets_closed_on() -> None:
    rep = make_user()
    opp = Opportunity.objects.create(customer=make_customer(), name="Big deal", amount="1000")
    assert change_stage(opp, "proposal", by=rep) is not None
    assert change_stage(opp, "proposal", by=rep) is None  # no-op, no history
    change_stage(opp, "won", by=rep)
    opp.refresh_from_db()
    assert opp.stage == "won"
    assert opp.closed_on == timezone.localdate()
    history = list(
        OpportunityStageChange.objects.filter(opportunity=opp).values_list("from_stage", "to_stage")
    )
    assert history == [("prospecting", "proposal"), ("proposal", "won")]
    with pytest.raises(AppendOnlyError):
        OpportunityStageChange.objects.filter(opportunity=opp).delete()
    with pytest.raises(ValueError, match="stage: 'signed'"):
        change_stage(opp, "signed")


def test_opportunity_probability_is_a_percentage() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Opportunity.objects.create(customer=make_customer(), name="x", probability="120")


def test_contract_must_end_after_it_starts() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(
            customer=make_customer(),
            number="K-1",
            start_date=dt.date(2024, 1, 1),
            end_date=dt.date(2023, 12, 31),
        )
    contract = Contract.objects.create(
        customer=make_customer(),
        number="K-2",
        start_date=dt.date(2024, 1, 1),
        renewal_type="automatic",
    )
    assert contract.auto_renew
