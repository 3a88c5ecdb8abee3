"""Rating weights saved from the settings page: versions, validation, and the scoring run."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from django.db.models import Count
from django.urls import reverse

from paretocrm.core.models import AppendOnlyError
from paretocrm.customers.tests.factories import make_user
from paretocrm.demo.services import load_demo_company
from paretocrm.insights import rating_settings, services
from paretocrm.insights.choices import WeightMethod
from paretocrm.insights.models import CustomerScore, RatingWeights
from paretocrm.insights.tests.test_views import client_for
from paretocrm.sales.models import Order
from paretocrm.users.choices import Role

ANCHOR = dt.date(2026, 6, 30)
CODES = [code for code, _ in rating_settings.criterion_choices()]


def _weights_post(**weights: float) -> dict[str, str]:
    return {f"w_{code}": str(weights.get(code, 0)) for code in CODES} | {"note": "test"}


@pytest.mark.django_db
def test_saving_weights_creates_a_version_and_a_repeat_is_a_no_op():
    admin = make_user(Role.ADMINISTRATOR)
    client = client_for(admin)
    response = client.post(reverse("insights:save_weights"), _weights_post(revenue=3, credit=1))
    assert response.status_code == 302
    version = RatingWeights.objects.get()
    assert version.method == WeightMethod.DIRECT and version.saved_by == admin
    assert version.weights["revenue"] == 3 and version.weights["growth_potential"] == 0
    assert set(version.weights) == set(CODES), "a version holds every criterion"
    config, in_force = rating_settings.scoring_config()
    assert in_force == version and config.rating.weights["revenue"] == 3
    page = client.get(reverse("insights:rating_settings"))
    assert [row.code for row in page.context["weights"]][:2] == ["revenue", "credit"]
    client.post(reverse("insights:save_weights"), _weights_post(revenue=3, credit=1))
    assert RatingWeights.objects.count() == 1
    with pytest.raises(AppendOnlyError):
        version.save()


@pytest.mark.django_db
def test_bad_weights_are_refused_with_the_field_named_and_nothing_saved():
    client = client_for(make_user(Role.ADMINISTRATOR))
    negative = client.post(reverse("insights:save_weights"), _weights_post(revenue=-1))
    assert negative.status_code == 400
    assert (
        "revenue" in negative.context["weights_form"].errors["w_revenue"][0]
        or (negative.context["weights_form"].errors["w_revenue"])
    )
    zeros = client.post(reverse("insights:save_weights"), _weights_post())
    assert zeros.status_code == 400
    assert "At least one criterion" in zeros.content.decode()
    assert not RatingWeights.objects.exists()
    with pytest.raises(services.RatingSettingsError, match="unknown rating criterion 'luck'"):
        services.save_rating_weights({"luck": 1.0}, by=None)


@pytest.mark.django_db
def test_only_administrators_may_save_weights():
    client = client_for(make_user(Role.KEY_ACCOUNT_MANAGER))
    assert (
        client.post(reverse("insights:save_weights"), _weights_post(revenue=1)).status_code == 403
    )
    assert client.post(reverse("insights:save_ahp"), {}).status_code == 403
    assert not RatingWeights.objects.exists()


@pytest.mark.django_db
def test_ahp_weights_are_saved_when_consistent_and_refused_when_not():
    client = client_for(make_user(Role.ADMINISTRATOR))
    criteria = ["profit_contribution", "revenue", "credit"]
    consistent = {"criteria": criteria, "profit_contribution__revenue": "3",
                  "profit_contribution__credit": "5", "revenue__credit": "3"}  # fmt: skip
    client.post(reverse("insights:save_ahp"), consistent)
    version = RatingWeights.objects.get()
    assert version.method == WeightMethod.AHP and version.consistency_ratio < 0.1
    assert version.weights["profit_contribution"] > version.weights["revenue"] > 0
    assert version.weights["growth_potential"] == 0
    assert ["profit_contribution", "revenue", 3.0] in version.judgements
    contradictory = dict(consistent, revenue__credit="1/9", profit_contribution__credit="1/9")
    contradictory["profit_contribution__revenue"] = "9"
    response = client.post(reverse("insights:save_ahp"), contradictory, follow=True)
    assert RatingWeights.objects.count() == 1
    assert "were not saved" in response.content.decode()


def _order_days() -> pd.Series:
    rows = Order.objects.values("customer_id").annotate(n=Count("ordered_at__date", distinct=True))
    return pd.Series({r["customer_id"]: r["n"] for r in rows})


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_changed_weights_change_ratings_and_tiers_in_the_next_run():
    load_demo_company(seed=11, customers=60, anchor=ANCHOR)
    before = services.run_scoring(as_of=ANCHOR)
    assert before.rating_settings is None and before.rating_weights
    only_frequency = {code: 0.0 for code in CODES} | {"purchase_frequency": 1.0}
    version = services.save_rating_weights(only_frequency, by=None)

    after = services.run_scoring(as_of=ANCHOR)

    assert after.rating_settings == version
    assert after.rating_weights == {"purchase_frequency": 1.0}
    tiers = {
        run.pk: dict(CustomerScore.objects.filter(run=run).values_list("customer_id", "tier"))
        for run in (before, after)
    }
    moved = [c for c in tiers[before.pk] if tiers[before.pk][c] != tiers[after.pk][c]]
    assert moved, "putting all weight on frequency must move some customers between tiers"
    scores = CustomerScore.objects.filter(run=after)
    assert all(set(s.rating_breakdown) == {"purchase_frequency"} for s in scores)
    ratings = pd.Series(dict(scores.values_list("customer_id", "rating")))
    days = _order_days().reindex(ratings.index)
    assert ratings.corr(days, method="spearman") > 0.8
