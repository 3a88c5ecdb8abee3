"""Per-role record scopes (QUALITY.md "Roles", AUTHZ-3, AUTHZ-5).

AUTHZ-5 is a hypothesis property test: a random team tree, random users of every role in
random teams, random customers, account-team members and service cases; for every user,
``visible_to`` must equal what a plain-Python reference oracle computes from the same data,
for the customers and for a child model (contacts inherit their customer's scope).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paretocrm.customers.models import AccountTeamMember, Contact, Customer
from paretocrm.customers.tests.factories import make_contact, make_customer, make_user
from paretocrm.service.models import Case
from paretocrm.users.choices import ROLE_SCOPES, STAFF_ROLES, Role, ScopeLevel
from paretocrm.users.models import Team

pytestmark = pytest.mark.django_db

# Staff roles only: the portal role has its own one-customer rule (portal tests).
ROLES = list(STAFF_ROLES)


@dataclass
class Org:
    """A random organisation as plain data: the oracle reads this, never the database."""

    parents: list[int | None]  # team i's parent index (always a lower index: a tree)
    users: list[tuple[str, int | None]]  # (role, team index or None)
    owners: list[int | None]  # customer j's owner (user index or None)
    account_team: set[tuple[int, int]] = field(default_factory=set)  # (customer, user)
    cases: set[tuple[int, int]] = field(default_factory=set)  # (customer, assigned user)


@st.composite
def orgs(draw: st.DrawFn) -> Org:
    """A random team tree with users, customers, account teams and cases."""
    n_teams = draw(st.integers(1, 6))
    parents = [None] + [draw(st.none() | st.integers(0, i - 1)) for i in range(1, n_teams)]
    team_index = st.none() | st.integers(0, n_teams - 1)
    users = draw(st.lists(st.tuples(st.sampled_from(ROLES), team_index), min_size=1, max_size=8))
    user_index = st.integers(0, len(users) - 1)
    owners = draw(st.lists(st.none() | user_index, min_size=1, max_size=10))
    pair = st.tuples(st.integers(0, len(owners) - 1), user_index)
    return Org(
        parents=parents,
        users=users,
        owners=owners,
        account_team=draw(st.sets(pair, max_size=4)),
        cases=draw(st.sets(pair, max_size=4)),
    )


def _subtree(org: Org, root: int) -> set[int]:
    """Team ``root`` and every team below it (walking the parent list)."""
    found = {root}
    changed = True
    while changed:
        changed = False
        for team, parent in enumerate(org.parents):
            if parent in found and team not in found:
                found.add(team)
                changed = True
    return found


def oracle(org: Org, viewer: int) -> set[int]:
    """The customers user ``viewer`` should see, computed from the rules in QUALITY.md."""
    role, team = org.users[viewer]
    level = ROLE_SCOPES[role]
    if level == ScopeLevel.ALL:
        return set(range(len(org.owners)))
    teams: set[int] = set()
    if team is not None and level == ScopeLevel.TEAM_TREE:
        teams = _subtree(org, team)
    elif team is not None and level == ScopeLevel.TEAM:
        teams = {team}
    owners = {viewer} | {u for u, (_, t) in enumerate(org.users) if t is not None and t in teams}
    seen = {c for c, owner in enumerate(org.owners) if owner in owners}
    seen |= {c for c, u in org.account_team if u == viewer}
    if level == ScopeLevel.CASES:
        seen |= {c for c, u in org.cases if u == viewer}
    return seen


def build(org: Org) -> tuple[list, list[Customer]]:
    """Write the organisation to the database; returns the users and the customers."""
    teams: list[Team] = []
    for i, parent in enumerate(org.parents):
        teams.append(
            Team.objects.create(name=f"T{i}", parent=None if parent is None else teams[parent])
        )
    users = [make_user(role, None if t is None else teams[t]) for role, t in org.users]
    customers = [make_customer(owner=None if o is None else users[o]) for o in org.owners]
    for c, u in org.account_team:
        AccountTeamMember.objects.create(customer=customers[c], user=users[u])
    for n, (c, u) in enumerate(sorted(org.cases)):
        Case.objects.create(
            number=f"CS{n}", customer=customers[c], case_type="inquiry", subject="Q",
            assigned_to=users[u],
        )  # fmt: skip
    for customer in customers:
        make_contact(customer)
    return users, customers


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(org=orgs())
def test_authz5_scope_matches_the_reference_oracle_on_random_org_trees(org: Org) -> None:
    """AUTHZ-5: managers see subordinates' records, not peers'; every role per its level."""
    with transaction.atomic():
        users, customers = build(org)
        index = {c.pk: j for j, c in enumerate(customers)}
        for i, user in enumerate(users):
            expected = oracle(org, i)
            got = {
                index[pk] for pk in Customer.objects.visible_to(user).values_list("pk", flat=True)
            }
            assert got == expected, (org.users[i], i)
            contacts = Contact.objects.visible_to(user).values_list("customer_id", flat=True)
            assert {index[pk] for pk in contacts} == expected
            # AUTHZ-3: the count is the same scope, each row once.
            assert Customer.objects.visible_to(user).count() == len(expected)
            # The owner filter's choices: exactly the owners of the visible customers.
            owners = {customers[j].owner_id for j in expected} - {None}
            assert set(Customer.objects.owners_visible_to(user).values_list("pk", flat=True)) == (
                owners
            )
        transaction.set_rollback(True)


@pytest.fixture
def org_tree() -> dict:
    """Key accounts > East > Shanghai and a peer team South, with one customer each."""
    ka = Team.objects.create(name="Key accounts")
    east = Team.objects.create(name="East", parent=ka)
    shanghai = Team.objects.create(name="Shanghai", parent=east)
    south = Team.objects.create(name="South", parent=ka)
    people = {
        "kam_east": make_user(Role.KEY_ACCOUNT_MANAGER, east),
        "specialist_east": make_user(Role.KEY_ACCOUNT_SPECIALIST, east),
        "assistant_east": make_user(Role.KEY_ACCOUNT_ASSISTANT, east),
        "rep_east": make_user(Role.SALES_REP, east),
        "rep_shanghai": make_user(Role.SALES_REP, shanghai),
        "rep_south": make_user(Role.SALES_REP, south),
        "agent": make_user(Role.SERVICE_AGENT, south),
        "marketer": make_user(Role.MARKETING, south),
    }
    customers = {name: make_customer(owner=user) for name, user in people.items()}
    return {"people": people, "customers": customers}


def _names(user: object, tree: dict) -> set[str]:
    names = {c.pk: n for n, c in tree["customers"].items()}
    return {names[pk] for pk in Customer.objects.visible_to(user).values_list("pk", flat=True)}


def test_roles_key_account_manager_sees_own_team_and_sub_teams(org_tree: dict) -> None:
    """Roles: key-account manager = own + team and sub-teams, not the peer team."""
    seen = _names(org_tree["people"]["kam_east"], org_tree)
    assert seen == {
        "kam_east", "specialist_east", "assistant_east", "rep_east", "rep_shanghai",
    }  # fmt: skip


@pytest.mark.parametrize("who", ["specialist_east", "assistant_east"])
def test_roles_specialist_and_assistant_see_their_team_without_sub_teams(
    org_tree: dict, who: str
) -> None:
    """Roles: specialist (team, edit) and assistant (team, read) see the team only."""
    assert _names(org_tree["people"][who], org_tree) == {
        "kam_east", "specialist_east", "assistant_east", "rep_east",
    }  # fmt: skip


def test_roles_sales_rep_sees_only_own_customers(org_tree: dict) -> None:
    """Roles: a sales rep sees their own customers, not their team-mates'."""
    assert _names(org_tree["people"]["rep_east"], org_tree) == {"rep_east"}


def test_roles_service_agent_sees_customers_with_their_cases(org_tree: dict) -> None:
    """Roles: service agent = customers with their cases (and every case of them)."""
    agent = org_tree["people"]["agent"]
    target = org_tree["customers"]["rep_shanghai"]
    assert _names(agent, org_tree) == {"agent"}
    Case.objects.create(
        number="CS-9", customer=target, case_type="complaint", subject="Late", assigned_to=agent
    )
    other = Case.objects.create(number="CS-10", customer=target, case_type="inquiry", subject="Q")
    assert _names(agent, org_tree) == {"agent", "rep_shanghai"}
    assert other in Case.objects.visible_to(agent)


def test_roles_marketing_reads_every_customer(org_tree: dict) -> None:
    """Roles: marketing reads all customers (contacts stay masked, see test_unmask)."""
    assert _names(org_tree["people"]["marketer"], org_tree) == set(org_tree["customers"])


def test_roles_assistant_reads_the_team_but_writes_nothing_through_pages_or_api(
    org_tree: dict,
) -> None:
    """Roles: assistant = team, read-only: 403 on the edit page and the API, nothing changed."""
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse
    from rest_framework.test import APIClient

    cache.clear()
    assistant = org_tree["people"]["assistant_east"]
    target = org_tree["customers"]["kam_east"]
    before = Customer.objects.filter(pk=target.pk).values().get()
    page = Client()
    page.force_login(assistant)
    assert page.get(reverse("customers:detail", args=[target.pk])).status_code == 200
    assert page.get(reverse("customers:edit", args=[target.pk])).status_code == 403
    edit = page.post(reverse("customers:edit", args=[target.pk]), {"name": "Changed"})
    assert edit.status_code == 403
    api = APIClient()
    api.force_authenticate(user=assistant)
    url = reverse("customer-detail", args=[target.pk])
    assert api.get(url).status_code == 200
    assert api.patch(url, {"name": "Changed"}, format="json").status_code == 403
    assert (
        api.post(reverse("contact-list"), {"customer": target.pk, "name": "X"}).status_code == 403
    )
    assert Customer.objects.filter(pk=target.pk).values().get() == before
    assert not Contact.objects.filter(name="X").exists()


VIEWER_OF_LEVEL = {
    ScopeLevel.TEAM_TREE: "kam_east",
    ScopeLevel.TEAM: "specialist_east",
    ScopeLevel.OWN: "rep_east",
    ScopeLevel.CASES: "agent",
    ScopeLevel.ALL: "marketer",
}


@pytest.mark.parametrize("level", list(ScopeLevel))
def test_owner_choices_are_the_owners_of_the_visible_customers_at_every_level(
    org_tree: dict, level: ScopeLevel
) -> None:
    """owners_visible_to and visible_to are one rule: the owner filter offers exactly the
    owners of the customers the list shows, through every arm (team, account team, cases)."""
    viewer = org_tree["people"][VIEWER_OF_LEVEL[level]]
    assert viewer.scope_level == level
    shared = org_tree["customers"]["rep_south"]
    AccountTeamMember.objects.create(customer=shared, user=viewer)
    AccountTeamMember.objects.create(customer=make_customer(owner=None), user=viewer)
    Case.objects.create(
        number="CS-1", customer=org_tree["customers"]["rep_shanghai"], case_type="inquiry",
        subject="Q", assigned_to=viewer,
    )  # fmt: skip
    visible = Customer.objects.visible_to(viewer)
    owners = set(Customer.objects.owners_visible_to(viewer).values_list("pk", flat=True))
    assert owners == set(visible.exclude(owner=None).values_list("owner_id", flat=True))
    assert {viewer.pk, shared.owner_id} <= owners


def test_team_tree_scope_in_sql_is_the_tree_of_descendant_ids_even_on_a_cycle() -> None:
    """Top > Middle > Bottom > Top (bad data) and a team outside: the customer scope (one
    SQL statement) and the Python-facing descendant_ids walk the same tree, and both end."""
    top = Team.objects.create(name="Top")
    middle = Team.objects.create(name="Middle", parent=top)
    bottom = Team.objects.create(name="Bottom", parent=middle)
    outside = Team.objects.create(name="Outside")
    Team.objects.filter(pk=top.pk).update(parent=bottom)
    for team in (top, middle, bottom, outside):
        make_customer(owner=make_user(Role.SALES_REP, team))
    manager = make_user(Role.KEY_ACCOUNT_MANAGER, bottom)
    teams = set(Customer.objects.visible_to(manager).values_list("owner__team_id", flat=True))
    assert teams == bottom.descendant_ids() == {top.pk, middle.pk, bottom.pk}
