"""Peak-season plan: stored by the scoring run, read (never computed) by the page, scoped."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pandas as pd
import pytest
from django.urls import reverse

from paretocrm.core.bulk import insert_rows
from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.demo.services import load_demo_company
from paretocrm.insights import services
from paretocrm.insights.models import PeakSeasonDemand
from paretocrm.insights.seasonality import PEAK_COLUMNS, plan_rows
from paretocrm.insights.tests.snapshots import make_run

ANCHOR = dt.date(2026, 6, 30)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_scoring_run_stores_a_plan_whose_categories_add_up_to_its_customers():
    load_demo_company(seed=11, customers=60, anchor=ANCHOR)
    run = services.run_scoring(as_of=ANCHOR)
    rows = list(PeakSeasonDemand.objects.filter(run=run))
    assert rows, "the demo company has profitable customers with quantities"
    by_customer, by_category = defaultdict(float), defaultdict(float)
    for row in rows:
        target = by_category if row.customer_id is None else by_customer
        target[row.month] += row.expected_quantity
    assert set(by_customer) == set(by_category) == set(range(1, 13))
    for month in range(1, 13):  # both are sums over the same profitable customers
        assert by_category[month] == pytest.approx(by_customer[month], rel=1e-9)
    profitable = set(
        run.scores.filter(profitability_class="profitable").values_list("customer_id", flat=True)
    )
    assert {r.customer_id for r in rows if r.customer_id} <= profitable


@pytest.mark.django_db
def test_plan_rows_and_the_page_by_scope(client):
    kam = make_user(role="key_account_manager")
    mine, other = make_customer(owner=kam, name="Orchard Ltd"), make_customer(name="Other Ltd")
    run = make_run()
    lines = pd.DataFrame(
        {
            "customer_id": [str(mine.pk), str(mine.pk), str(other.pk)],
            "timestamp": pd.to_datetime(["2025-09-01", "2025-10-01", "2025-09-01"]),
            "category": ["apples", "pears", "apples"],
            "quantity": [120.0, 80.0, 50.0],
        }
    )
    scores = pd.DataFrame(
        {"profitability_class": ["profitable", "profitable"]}, index=[mine.pk, other.pk]
    )
    insert_rows(PeakSeasonDemand, PEAK_COLUMNS, plan_rows(run, lines, scores))
    # one covered year: September apples 120 + 50 = 170, October pears 80
    apples = PeakSeasonDemand.objects.get(run=run, category="apples", month=9)
    assert apples.expected_quantity == pytest.approx(170.0)
    client.force_login(make_user(role="general_manager"))
    page = client.get(reverse("work:peak_season")).content.decode()
    assert 'id="peak-categories"' in page and "<strong>170</strong>" in page
    assert "Orchard Ltd" in page and "Other Ltd" in page
    client.force_login(kam)
    page = client.get(reverse("work:peak_season")).content.decode()
    assert 'id="peak-categories"' not in page  # company-wide totals only with full scope
    assert "Orchard Ltd" in page and "Other Ltd" not in page
