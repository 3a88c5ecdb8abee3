"""visible_to(user): the basic record-scope rule, inherited by customer-owned models."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from paretocrm.customers.models import AccountTeamMember, Contact, Customer, Interaction
from paretocrm.customers.tests.factories import make_contact, make_customer, make_user
from paretocrm.users.choices import Role
from paretocrm.users.models import Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> dict:
    """Key accounts > East > Shanghai, and a peer team South; one customer per person."""
    ka = Team.objects.create(name="Key accounts")
    east = Team.objects.create(name="East", parent=ka)
    shanghai = Team.objects.create(name="Shanghai", parent=east)
    south = Team.objects.create(name="South", parent=ka)
    people = {
        "head": make_user(Role.KEY_ACCOUNT_MANAGER, ka),
        "east_mgr": make_user(Role.KEY_ACCOUNT_MANAGER, east),
        "sh_rep": make_user(Role.SALES_REP, shanghai),
        "south_rep": make_user(Role.SALES_REP, south),
        "gm": make_user(Role.GENERAL_MANAGER),
        "admin": make_user(Role.ADMINISTRATOR),
        "teamless": make_user(Role.SALES_REP),
    }
    customers = {name: make_customer(owner=user) for name, user in people.items()}
    customers["orphan"] = make_customer(owner=None)
    return {"people": people, "customers": customers}


def _codes(qs: object, org: dict) -> set[str]:
    names = {c.pk: n for n, c in org["customers"].items()}
    return {names[c.pk] for c in qs}  # type: ignore[attr-defined]


def test_anonymous_and_inactive_users_see_nothing(org: dict) -> None:
    assert Customer.objects.visible_to(AnonymousUser()).count() == 0
    assert Customer.objects.visible_to(None).count() == 0
    rep = org["people"]["sh_rep"]
    rep.is_active = False
    assert Customer.objects.visible_to(rep).count() == 0


@pytest.mark.parametrize("who", ["gm", "admin"])
def test_general_manager_and_administrator_see_everything(org: dict, who: str) -> None:
    assert Customer.objects.visible_to(org["people"][who]).count() == len(org["customers"])


def test_manager_sees_own_team_and_sub_teams_but_not_peers(org: dict) -> None:
    assert _codes(Customer.objects.visible_to(org["people"]["east_mgr"]), org) == {
        "east_mgr",
        "sh_rep",
    }
    assert _codes(Customer.objects.visible_to(org["people"]["head"]), org) == {
        "head",
        "east_mgr",
        "sh_rep",
        "south_rep",
    }


def test_rep_sees_own_and_team_customers_only(org: dict) -> None:
    assert _codes(Customer.objects.visible_to(org["people"]["sh_rep"]), org) == {"sh_rep"}
    assert _codes(Customer.objects.visible_to(org["people"]["teamless"]), org) == {"teamless"}


def test_account_team_membership_shares_the_account(org: dict) -> None:
    rep = org["people"]["south_rep"]
    target = org["customers"]["sh_rep"]
    AccountTeamMember.objects.create(customer=target, user=rep)
    assert _codes(Customer.objects.visible_to(rep), org) == {"south_rep", "sh_rep"}


def test_contacts_and_interactions_inherit_the_customer_scope(org: dict) -> None:
    mine = make_contact(org["customers"]["sh_rep"])
    make_contact(org["customers"]["south_rep"])
    Interaction.objects.create(customer=org["customers"]["south_rep"], kind="call", subject="hello")
    rep = org["people"]["sh_rep"]
    assert list(Contact.objects.visible_to(rep)) == [mine]
    assert Interaction.objects.visible_to(rep).count() == 0
    assert Interaction.objects.visible_to(org["people"]["head"]).count() == 1


def test_visible_to_returns_each_row_once_with_account_team_and_ownership(org: dict) -> None:
    rep = org["people"]["sh_rep"]
    AccountTeamMember.objects.create(customer=org["customers"]["sh_rep"], user=rep)
    assert Customer.objects.visible_to(rep).count() == 1
