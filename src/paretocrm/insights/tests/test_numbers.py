"""Numbers that do not mislead (issue 16, finding 9): the current month drawn as partial,
weights shown with enough precision, AHP naming the criteria it sets to zero."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from paretocrm.customers.tests.factories import make_customer, make_order, make_user
from paretocrm.insights import rating_settings
from paretocrm.insights.labels import CRITERION_LABELS, label
from paretocrm.insights.services import save_rating_weights
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.insights.tests.test_views import client_for
from paretocrm.users.choices import Role

pytestmark = pytest.mark.django_db

AHP_CRITERIA = ["profit_contribution", "revenue", "credit"]


def test_the_current_month_of_the_revenue_chart_is_marked_month_to_date():
    admin = make_user(Role.ADMINISTRATOR)
    customer = make_customer(owner=admin)
    make_order(customer)
    make_score(make_run(), customer)
    response = client_for(admin).get("/")
    trend = response.context["trend"]
    assert trend["partial"] is True  # today's month is not over
    assert trend["months"][-1] == timezone.localdate().strftime("%Y-%m")
    body = response.content.decode()
    chart = json.loads(
        body.split('id="trend-data" type="application/json">')[1].split("</script>")[0]
    )
    assert chart["partial"] is True and chart["partial_label"] == "month to date"
    assert f"{trend['months'][-1]} (month to date)" in body  # the table row says it too
    chinese = client_for(admin, "zh-hans").get("/").content.decode()
    assert f"{trend['months'][-1]} (本月至今)" in chinese


def test_weights_in_force_show_small_weights_with_their_precision():
    admin = make_user(Role.ADMINISTRATOR)
    codes = [code for code, _ in rating_settings.criterion_choices()]
    weights = dict.fromkeys(codes, 0.0) | {codes[0]: 0.5, codes[1]: 0.414, codes[2]: 0.086}
    save_rating_weights(weights, by=admin)
    body = client_for(admin).get(reverse("insights:rating_settings")).content.decode()
    table = body.split('id="weights-in-force"')[1].split("</table>")[0]
    small = table.split(str(label(CRITERION_LABELS, codes[2])))[1].split("</tr>")[0]
    assert ">0.0<" not in small and ">0.1<" not in small
    assert "0.086" in small and "8.6%" in small


def test_ahp_names_the_criteria_it_sets_to_zero():
    admin = make_user(Role.ADMINISTRATOR)
    client = client_for(admin)
    post = {"criteria": AHP_CRITERIA, "profit_contribution__revenue": "3",
            "profit_contribution__credit": "5", "revenue__credit": "3"}  # fmt: skip
    result = client.post(reverse("insights:ahp_check"), post).content.decode()
    left_out = [code for code, _ in rating_settings.criterion_choices() if code not in AHP_CRITERIA]
    assert left_out
    assert "Not compared, so weighted 0" in result
    for code in left_out:
        assert str(label(CRITERION_LABELS, code)) in result, code
    saved = client.post(reverse("insights:save_ahp"), post, follow=True).content.decode()
    assert "weighted 0" in saved


def test_tier_migration_is_a_from_to_matrix_whose_cells_list_the_customers():
    admin = make_user(Role.ADMINISTRATOR)
    moved = [make_customer(owner=admin, name=f"Moved {n}") for n in range(2)]
    stayed = make_customer(owner=admin, name="Stayed")
    before = make_run()
    for customer in moved:
        make_score(before, customer, tier="key")
    make_score(before, stayed, tier="core")
    before.finished_at -= dt.timedelta(days=30)
    before.save(update_fields=["finished_at"])
    now = make_run()
    for customer in moved:
        make_score(now, customer, tier="core")
    make_score(now, stayed, tier="core")
    client = client_for(admin)
    page = client.get("/")
    cells = {(c["from"], c["to"]): c for row in page.context["migration"] for c in row["cells"]}
    assert cells[("key", "core")]["count"] == 2
    assert cells[("core", "core")]["count"] == 1
    assert cells[("core", "key")]["count"] == 0
    url = cells[("key", "core")]["url"]
    assert url in page.content.decode().replace("&amp;", "&")
    listed = client.get(url).content.decode()
    assert "Moved 0" in listed and "Moved 1" in listed and "Stayed" not in listed
