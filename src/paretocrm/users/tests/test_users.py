"""Users, roles, team trees and the staff directory."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.test import Client

from paretocrm.customers.tests.factories import make_user
from paretocrm.users.choices import Role
from paretocrm.users.models import Team, User
from paretocrm.users.services import staff_directory

pytestmark = pytest.mark.django_db


def test_there_are_the_eight_roles_of_the_quality_brief() -> None:
    # Plus the customers' portal logins (issue 8), which are not staff.
    assert set(Role.values) - {"portal_customer"} == {
        "administrator",
        "general_manager",
        "key_account_manager",
        "key_account_specialist",
        "key_account_assistant",
        "sales_rep",
        "service_agent",
        "marketing",
    }


FULL = (Role.ADMINISTRATOR, Role.GENERAL_MANAGER, Role.MARKETING)


@pytest.mark.parametrize(("role", "full"), [(r, r in FULL) for r in Role])
def test_full_scope_roles_are_administrator_general_manager_and_marketing(
    role: str, full: bool
) -> None:
    """Roles: administrator and GM see all; marketing reads all customers; others scoped."""
    assert make_user(role=role).has_full_scope is full


def test_superuser_has_full_scope_whatever_the_role() -> None:
    assert make_user(role=Role.SALES_REP, is_superuser=True).has_full_scope


def _tree() -> dict[str, Team]:
    ka = Team.objects.create(name="Key accounts")
    east = Team.objects.create(name="East", parent=ka)
    shanghai = Team.objects.create(name="Shanghai", parent=east)
    south = Team.objects.create(name="South", parent=ka)
    sales = Team.objects.create(name="Sales")
    return {"ka": ka, "east": east, "shanghai": shanghai, "south": south, "sales": sales}


def test_team_descendants_cover_every_depth(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    t = _tree()
    with django_assert_num_queries(1):
        ids = t["ka"].descendant_ids()
    assert ids == {t[k].pk for k in ("ka", "east", "shanghai", "south")}
    assert t["east"].descendant_ids(include_self=False) == {t["shanghai"].pk}
    assert t["sales"].descendant_ids() == {t["sales"].pk}


def test_scope_user_ids_are_self_plus_team_and_subteam_members() -> None:
    t = _tree()
    manager = make_user(role=Role.KEY_ACCOUNT_MANAGER, team=t["east"])
    below = make_user(team=t["shanghai"])
    peer = make_user(team=t["south"])
    loner = make_user(team=None)
    assert manager.scope_user_ids() == {manager.pk, below.pk}
    assert below.scope_user_ids() == {below.pk}
    assert peer.pk not in manager.scope_user_ids()
    assert loner.scope_user_ids() == {loner.pk}


def _chain() -> tuple[Team, Team, Team]:
    """Top > Middle > Bottom, three levels."""
    top = Team.objects.create(name="Top")
    middle = Team.objects.create(name="Middle", parent=top)
    return top, middle, Team.objects.create(name="Bottom", parent=middle)


def test_team_subtree_of_several_roots_or_none_in_one_query(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    top, middle, bottom = _chain()
    other = Team.objects.create(name="Other")
    with django_assert_num_queries(1):
        assert Team.objects.descendant_ids([middle.pk, other.pk]) == {
            middle.pk, bottom.pk, other.pk,
        }  # fmt: skip
    assert Team.objects.descendant_ids([]) == set()
    assert Team.objects.descendant_ids([middle.pk, top.pk], include_roots=False) == {bottom.pk}


def test_a_cycle_in_bad_data_ends_the_team_walk() -> None:
    """Top > Middle > Bottom > Top: the parent check only refuses a team as its own parent,
    so a longer loop can be in the data; every walk must still end, with each team once."""
    top, middle, bottom = _chain()
    Team.objects.filter(pk=top.pk).update(parent=bottom)
    loop = {top.pk, middle.pk, bottom.pk}
    for team in (top, middle, bottom):
        assert team.descendant_ids() == loop
    assert middle.descendant_ids(include_self=False) == {top.pk, bottom.pk}
    manager = make_user(role=Role.KEY_ACCOUNT_MANAGER, team=middle)
    members = {make_user(team=t).pk for t in (top, middle, bottom)}
    assert manager.scope_user_ids() == members | {manager.pk}


@pytest.mark.parametrize(
    ("role", "teams"),
    [
        (Role.KEY_ACCOUNT_MANAGER, ("middle", "bottom")),
        (Role.KEY_ACCOUNT_SPECIALIST, ("middle",)),
        (Role.SALES_REP, ()),
        (Role.SERVICE_AGENT, ()),
        (Role.GENERAL_MANAGER, ()),
    ],
)
def test_team_scope_follows_the_scope_level_of_the_role(role: str, teams: tuple[str, ...]) -> None:
    """Team tree: team + sub-teams (the same teams as descendant_ids); team: the team only;
    every other level, even all (which needs no owner rule): nobody through the team."""
    top, middle, bottom = _chain()
    by_name = {"top": top, "middle": middle, "bottom": bottom}
    member = {name: make_user(team=team) for name, team in by_name.items()}
    user = make_user(role=role, team=middle)
    expected = {member[name].pk for name in teams} | ({user.pk} if teams else set())
    assert set(User.objects.team_scope_of(user).values_list("pk", flat=True)) == expected
    assert user.scope_user_ids() == expected | {user.pk}
    if role == Role.KEY_ACCOUNT_MANAGER:
        in_tree = User.objects.team_scope_of(user).values_list("team_id", flat=True)
        assert set(in_tree) == middle.descendant_ids()


def test_a_manager_without_a_team_has_no_team_scope() -> None:
    manager = make_user(role=Role.KEY_ACCOUNT_MANAGER, team=None)
    make_user(team=None)
    assert not User.objects.team_scope_of(manager).exists()
    assert manager.scope_user_ids() == {manager.pk}


def test_user_cannot_be_their_own_manager() -> None:
    user = make_user()
    user.manager = user
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()


def test_team_cannot_be_its_own_parent() -> None:
    team = Team.objects.create(name="Loop")
    team.parent = team
    with pytest.raises(IntegrityError), transaction.atomic():
        team.save()


def test_staff_directory_lists_active_staff_by_team_and_teamless_last() -> None:
    t = _tree()
    a = make_user(team=t["east"], last_name="Zhang")
    b = make_user(team=t["east"], last_name="Li")
    make_user(team=t["south"], is_active=False)
    c = make_user(team=None)
    entries = staff_directory()
    assert [e.team.name if e.team else None for e in entries] == ["East", None]
    assert entries[0].members == (b, a)
    assert entries[1].members == (c,)


OPERATIONAL_APPS = ("core", "users", "customers", "sales", "service", "marketing", "knowledge")


def test_every_operational_model_is_registered_in_the_admin() -> None:
    missing = [
        m._meta.label
        for label in OPERATIONAL_APPS
        for m in apps.get_app_config(label).get_models()
        if m not in admin.site._registry
    ]
    assert missing == []


def test_every_admin_changelist_and_add_page_renders_for_a_superuser() -> None:
    root = User.objects.create(username="root", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(root)
    make_user(team=Team.objects.create(name="East"))  # some rows so list columns render
    failures = []
    for label in OPERATIONAL_APPS:
        for model in apps.get_app_config(label).get_models():
            base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            can_add = admin.site._registry[model].has_add_permission(_request(root))
            pages = [(base, 200), (f"{base}add/", 200 if can_add else 403)]
            for url, expected in pages:
                status = client.get(url).status_code
                if status != expected:
                    failures.append((url, status))
    assert failures == []


def _request(user: User) -> HttpRequest:
    request = HttpRequest()
    request.user = user
    return request


@pytest.mark.parametrize(
    ("language", "label"),
    [("zh-hans", "大客户经理"), ("zh-hant", "大客戶經理"), ("en", "key-account manager")],
)
def test_role_labels_are_translated(language: str, label: str) -> None:
    from django.utils import translation

    with translation.override(language):
        assert str(Role.KEY_ACCOUNT_MANAGER.label) == label
