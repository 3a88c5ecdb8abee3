"""The generator alone (no database): deterministic, heavy-tailed, trajectories planted."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import date, timedelta

import numpy as np
import pytest
from django.contrib.auth.password_validation import validate_password

from paretocrm.demo import reference as ref
from paretocrm.demo.activity import ActivityBlock, iter_activity
from paretocrm.demo.generator import DemoCompany, DemoConfig, generate_company

ANCHOR = date(2025, 6, 30)
CNY_PER_UNIT = {c.currency: c.cny_rate for c in ref.COUNTRIES}


def merged_activity(company: DemoCompany) -> ActivityBlock:
    """All blocks of a company's activity in one block."""
    merged = ActivityBlock()
    for block in iter_activity(company):
        for name in ActivityBlock.__slots__:
            getattr(merged, name).extend(getattr(block, name))
    return merged


@pytest.fixture(scope="module")
def default_company() -> tuple[DemoCompany, ActivityBlock]:
    """The default 300-customer demo company and its activity."""
    company = generate_company(DemoConfig(seed=42, customers=300, anchor=ANCHOR))
    return company, merged_activity(company)


def revenue_cny(company: DemoCompany, activity: ActivityBlock) -> dict[str, float]:
    """Revenue per customer code converted to CNY at the reference rates."""
    currency = {c.code: c.currency for c in company.customers}
    revenue: dict[str, float] = defaultdict(float)
    for order in activity.orders:
        revenue[order.customer] += float(order.total) * CNY_PER_UNIT[currency[order.customer]]
    return revenue


def test_same_seed_and_anchor_give_identical_company_and_activity() -> None:
    config = DemoConfig(seed=7, customers=60, anchor=ANCHOR)
    first, second = generate_company(config), generate_company(config)
    assert asdict(first) == asdict(second)
    assert asdict(merged_activity(first)) == asdict(merged_activity(second))


def test_different_seed_gives_different_customers() -> None:
    a = generate_company(DemoConfig(seed=1, customers=30, anchor=ANCHOR))
    b = generate_company(DemoConfig(seed=2, customers=30, anchor=ANCHOR))
    assert [c.name for c in a.customers] != [c.name for c in b.customers]


def test_default_company_has_enough_customers_countries_regions_and_industries(
    default_company: tuple[DemoCompany, ActivityBlock],
) -> None:
    company, _activity = default_company
    assert len(company.customers) == 300
    assert len({c.code for c in company.customers}) == 300
    assert all(c.code.startswith(ref.CUSTOMER_CODE_PREFIX) for c in company.customers)
    assert {"CN", "US", "DE", "JP", "SG", "AE"} <= {c.country for c in company.customers}
    assert {"华东", "华南", "华北"} <= {c.region for c in company.customers}
    assert len({c.industry for c in company.customers}) >= 6
    assert any(c.parent for c in company.customers)
    assert {n.country for n in company.country_notes} >= {"CN", "US", "DE", "JP", "SG", "AE"}


def test_top_fifth_of_customers_hold_75_to_85_percent_of_revenue(
    default_company: tuple[DemoCompany, ActivityBlock],
) -> None:
    company, activity = default_company
    revenue = revenue_cny(company, activity)
    values = np.sort([revenue.get(c.code, 0.0) for c in company.customers])[::-1]
    share = values[: len(values) // 5].sum() / values.sum()
    assert 0.75 <= share <= 0.85, share


def test_every_trajectory_is_present_and_visible_in_the_orders(
    default_company: tuple[DemoCompany, ActivityBlock],
) -> None:
    company, activity = default_company
    start = company.config.history_start
    days: dict[str, list[int]] = defaultdict(list)
    for order in activity.orders:
        days[order.customer].append((order.ordered_at.date() - start).days)
    by_trajectory: dict[str, list[str]] = defaultdict(list)
    for c in company.customers:
        by_trajectory[c.trajectory].append(c.code)
    assert set(by_trajectory) == {"growing", "stable", "declining", "lost", "new"}
    last_day = (ANCHOR - start).days

    def orders_between(codes: list[str], lo: int, hi: int) -> int:
        return sum(1 for code in codes for d in days[code] if lo <= d < hi)

    grow = by_trajectory["growing"]
    assert orders_between(grow, last_day - 365, last_day + 1) > 2 * orders_between(grow, 0, 365)
    fall = by_trajectory["declining"]
    assert orders_between(fall, last_day - 182, last_day + 1) < 0.5 * orders_between(
        fall, last_day - 730, last_day - 548
    )
    assert orders_between(by_trajectory["lost"], last_day - 182, last_day + 1) == 0
    for code in by_trajectory["new"]:
        assert min(days[code]) >= last_day - 270


def test_orders_have_positive_quantities_valid_discounts_and_varying_margins(
    default_company: tuple[DemoCompany, ActivityBlock],
) -> None:
    _company, activity = default_company
    margins = []
    for order in activity.orders[:2000]:
        assert order.lines
        for line in order.lines:
            assert line.quantity > 0 and line.unit_price > 0 and line.unit_cost > 0
            assert 0 <= line.discount <= 100
            margins.append(float(1 - line.unit_cost / line.unit_price))
    assert np.std(margins) > 0.05
    assert min(margins) < 0.2 < max(margins)


def test_some_receivables_are_overdue_and_some_sla_targets_breached(
    default_company: tuple[DemoCompany, ActivityBlock],
) -> None:
    _company, activity = default_company
    paid = {p.invoice for p in activity.payments}
    overdue = [i for i in activity.invoices if i.number not in paid and i.due_on < ANCHOR]
    assert len(overdue) >= 10
    breached = [
        c
        for c in activity.cases
        if c.first_response_at
        and c.first_response_at - c.opened_at > timedelta(hours=c.response_target_hours)
    ]
    assert breached
    assert {"complaint", "return"} <= {c.kind for c in activity.cases}
    assert any(c.order for c in activity.cases if c.kind == "return")


def test_one_user_per_role_with_passwords_django_accepts(
    default_company: tuple[DemoCompany, ActivityBlock],
) -> None:
    company, _activity = default_company
    assert sorted(u.role for u in company.users) == sorted(r for r, *_ in ref.ROLE_USERS)
    for user in company.users:
        assert len(user.password) >= 10
        validate_password(user.password)  # raises ValidationError when too weak


def test_orders_option_rescales_the_number_of_orders() -> None:
    natural = merged_activity(generate_company(DemoConfig(seed=3, customers=80, anchor=ANCHOR)))
    target = 3 * len(natural.orders)
    scaled = merged_activity(
        generate_company(DemoConfig(seed=3, customers=80, anchor=ANCHOR, orders=target))
    )
    assert abs(len(scaled.orders) - target) < 0.1 * target


def test_zero_customers_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="customers must be at least 1"):
        generate_company(DemoConfig(customers=0))
