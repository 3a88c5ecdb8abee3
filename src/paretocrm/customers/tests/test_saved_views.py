"""Saved views of the customer list: per user, optionally shared with the team, scoped."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from paretocrm.customers.models import Customer, SavedView
from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.users.choices import Role
from paretocrm.users.models import Team

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def team() -> dict:
    east, west = Team.objects.create(name="East"), Team.objects.create(name="West")
    alice = make_user(Role.KEY_ACCOUNT_MANAGER, team=east)
    bob = make_user(Role.SALES_REP, team=east)
    carol = make_user(Role.KEY_ACCOUNT_MANAGER, team=west)
    make_customer(owner=alice, name="East Fruit", region="East")
    make_customer(owner=alice, name="West Fruit", region="West")
    return {"alice": alice, "bob": bob, "carol": carol}


def test_a_view_saves_filters_and_sort_but_not_the_page(team):
    client = client_for(team["alice"])
    response = client.post(
        reverse("customers:save_view"),
        {"name": "East accounts", "query": "region=East&sort=-revenue&page=3&bogus=1"},
    )
    view = SavedView.objects.get()
    assert view.query == "region=East&sort=-revenue" and not view.shared
    assert response["Location"] == reverse("customers:list") + "?region=East&sort=-revenue"
    page = client.get(response["Location"])
    assert [c.name for c in page.context["object_list"]] == ["East Fruit"]
    assert page.context["saved_views"] == [view]
    assert "East accounts" in page.content.decode()


def test_htmx_save_takes_the_filter_form_fields_and_redirects_by_header(team):
    client = client_for(team["alice"])
    response = client.post(
        reverse("customers:save_view"),
        {"name": "West", "query": "region=East", "region": "West", "tier": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].endswith("?region=West")
    assert SavedView.objects.get().query == "region=West"


def test_saving_under_the_same_name_overwrites_and_a_name_is_required(team):
    client = client_for(team["alice"])
    client.post(reverse("customers:save_view"), {"name": "Mine", "query": "region=East"})
    client.post(reverse("customers:save_view"), {"name": "Mine", "query": "region=West"})
    assert list(SavedView.objects.values_list("query", flat=True)) == ["region=West"]
    client.post(reverse("customers:save_view"), {"name": "  ", "query": "region=East"})
    assert SavedView.objects.count() == 1


def test_shared_views_reach_the_team_only_and_only_the_owner_deletes(team):
    alice = client_for(team["alice"])
    alice.post(reverse("customers:save_view"), {"name": "Team view", "query": "", "shared": "on"})
    alice.post(reverse("customers:save_view"), {"name": "Private", "query": "region=West"})
    shared, private = SavedView.objects.get(name="Team view"), SavedView.objects.get(name="Private")
    bob_page = client_for(team["bob"]).get(reverse("customers:list"))
    assert bob_page.context["saved_views"] == [shared]
    assert "shared by" in bob_page.content.decode()
    assert client_for(team["carol"]).get(reverse("customers:list")).context["saved_views"] == []
    bob_delete = client_for(team["bob"]).post(reverse("customers:delete_view", args=[shared.pk]))
    assert bob_delete.status_code == 404 and SavedView.objects.count() == 2
    alice.post(reverse("customers:delete_view", args=[private.pk]))
    assert list(SavedView.objects.all()) == [shared]


def test_a_shared_view_shows_the_colleague_only_their_own_scope(team):
    client_for(team["alice"]).post(
        reverse("customers:save_view"), {"name": "East", "query": "region=East", "shared": "on"}
    )
    hidden = make_customer(owner=team["carol"], name="Carol East", region="East")
    page = client_for(team["bob"]).get(reverse("customers:list") + "?region=East")
    names = [c.name for c in page.context["object_list"]]
    assert hidden.name not in names, "the view shares a filter, not customers"
    assert names == [c.name for c in Customer.objects.visible_to(team["bob"]).filter(region="East")]


def test_an_interaction_is_logged_from_the_360_page_within_scope(team):
    customer = make_customer(owner=team["alice"], name="Logged Ltd")
    client = client_for(team["alice"])
    url = reverse("customers:detail", args=[customer.pk])
    form = {"kind": "visit", "occurred_at": "2026-05-04T10:30", "subject": "Quarterly review"}
    response = client.post(url, dict(form, notes="<script>x</script>"))
    assert response.status_code == 302 and response["Location"].endswith("#timeline")
    interaction = customer.interactions.get()
    assert interaction.user == team["alice"] and interaction.kind == "visit"
    page = client.get(url).content.decode()
    assert "Quarterly review" in page
    missing = client.post(url, {"kind": "visit", "occurred_at": "2026-05-04T10:30"})
    assert missing.status_code == 400 and customer.interactions.count() == 1
    outsider = client_for(team["carol"]).post(url, form)
    assert outsider.status_code == 404 and customer.interactions.count() == 1
    assistant = make_user(Role.KEY_ACCOUNT_ASSISTANT, team=customer.owner.team)
    assert client_for(assistant).post(url, form).status_code in (403, 404)
    assert customer.interactions.count() == 1
