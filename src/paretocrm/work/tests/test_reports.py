"""Reports a manager sends on: the concentration-risk report (page, print, Excel) and scope."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.insights.tests.snapshots import make_run, make_score

pytestmark = pytest.mark.django_db


@pytest.fixture
def snapshot():
    big, mid, small = (make_customer(name=n) for n in ("Big Co", "Mid Co", "Small Co"))
    run = make_run(dependency_alerts=[str(big.pk)])
    make_score(run, big, revenue=Decimal("600.00"))
    make_score(run, mid, revenue=Decimal("300.00"), tier="key")
    make_score(run, small, revenue=Decimal("100.00"), tier="potential", potential_value=91.0)
    return run


def test_concentration_report_shares_by_hand_print_and_excel(client, snapshot):
    client.force_login(make_user(role="general_manager"))
    page = client.get(reverse("work:concentration")).content.decode()
    # 600 / 1000 = 60 %, cumulative 60 % then 90 % then 100 %
    assert "60.0%" in page and "90.0%" in page and "100.0%" in page
    assert "Big Co alone holds more than the dependency threshold" in page
    assert "Small Co" in page and "91.0" in page  # next core customer
    assert "data-print" in client.get(reverse("work:concentration"), {"print": 1}).content.decode()
    export = client.get(reverse("work:concentration_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    largest = [r for r in rows if r[0] == "largest customer"]
    assert [(r[1], r[2], r[3]) for r in largest] == [
        ("Big Co", 0.6, 0.6),
        ("Mid Co", 0.3, 0.9),
        ("Small Co", 0.1, 1.0),
    ]
    assert ("dependency alert", "Big Co") in [(r[0], r[1]) for r in rows]
    assert client.get(reverse("work:reports")).status_code == 200


def test_concentration_report_is_for_full_scope_only(client, snapshot):
    client.force_login(make_user(role="key_account_manager"))
    assert client.get(reverse("work:concentration")).status_code == 403
    assert client.get(reverse("work:concentration_export")).status_code == 403
    page = client.get(reverse("work:reports")).content.decode()
    assert reverse("work:concentration") not in page
