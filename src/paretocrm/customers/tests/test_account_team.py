"""Issue 16 finding 5: the account team on the customer 360 page, kept in the app.

Members are shown with their role in the account; roles with the edit-accounts function add
and remove them through ``customers.services`` (the assignee rule: active staff who may see
the customer, ``User.objects.may_be_assigned``); outside the user's scope is a 404.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from paretocrm.core.policy import STAFF_ROLES, Function, has_function
from paretocrm.customers import services
from paretocrm.customers.models import AccountTeamMember
from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.portal.tests.factories import make_portal_user
from paretocrm.users.models import Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def east():
    """East China team: a key-account manager owning 苏州恒达精密, a specialist and a rep."""
    team = Team.objects.create(name="华东大客户部")
    manager = make_user("key_account_manager", team, first_name="建国", last_name="王")
    specialist = make_user("key_account_specialist", team, first_name="丽娟", last_name="陈")
    outsider = make_user("sales_rep", Team.objects.create(name="华南销售部"), first_name="强")
    customer = make_customer(owner=manager, team=team, name="苏州恒达精密机械有限公司")
    return {
        "team": team,
        "manager": manager,
        "specialist": specialist,
        "outsider": outsider,
        "customer": customer,
    }


def page(user, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_the_360_page_shows_the_account_team_with_roles_in_chinese(east):
    AccountTeamMember.objects.create(
        customer=east["customer"], user=east["specialist"], role="specialist"
    )
    text = page(east["manager"]).get(reverse("customers:detail", args=[east["customer"].pk]))
    html = text.content.decode()
    section = html.split('id="account-team"', 1)[1].split("</section>", 1)[0]
    assert "客户团队" in section and "陈丽娟" in section and "专员" in section


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_adding_a_member_follows_the_role_policy(role, east):
    user = make_user(role, east["team"])
    customer = make_customer(owner=user, team=east["team"], name="无锡华光纺织有限公司")
    url = reverse("customers:team_add", args=[customer.pk])

    answer = page(user).post(url, {"user": east["specialist"].pk, "role": "specialist"})

    added = AccountTeamMember.objects.filter(customer=customer, user=east["specialist"])
    if has_function(user, Function.EDIT_ACCOUNTS):
        assert answer.status_code == 302 and added.get().role == "specialist"
    else:
        assert answer.status_code == 403 and not added.exists()


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_removing_a_member_follows_the_role_policy(role, east):
    user = make_user(role, east["team"])
    customer = make_customer(owner=user, team=east["team"], name="宁波东海塑胶有限公司")
    member = AccountTeamMember.objects.create(customer=customer, user=east["specialist"])
    url = reverse("customers:team_remove", args=[customer.pk, member.pk])

    answer = page(user).post(url)

    still = AccountTeamMember.objects.filter(pk=member.pk).exists()
    if has_function(user, Function.EDIT_ACCOUNTS):
        assert answer.status_code == 302 and not still
    else:
        assert answer.status_code == 403 and still


def test_another_teams_customer_is_not_found_and_unchanged(east):
    stranger_customer = make_customer(owner=east["outsider"], name="东莞新利电子厂")
    client = page(east["manager"])

    add = client.post(
        reverse("customers:team_add", args=[stranger_customer.pk]),
        {"user": east["specialist"].pk, "role": "sales"},
    )
    assert add.status_code == 404
    assert not AccountTeamMember.objects.filter(customer=stranger_customer).exists()


@pytest.mark.parametrize("who", ["outsider", "portal", "inactive"])
def test_only_people_the_assignee_rule_allows_can_join(east, who):
    if who == "outsider":
        candidate = east["outsider"]  # another team's rep: does not see the customer
    elif who == "portal":
        candidate = make_portal_user(east["customer"])
    else:
        candidate = make_user("key_account_specialist", east["team"], is_active=False)

    answer = page(east["manager"]).post(
        reverse("customers:team_add", args=[east["customer"].pk]),
        {"user": candidate.pk, "role": "sales"},
    )

    assert answer.status_code == 400
    assert not AccountTeamMember.objects.filter(user=candidate).exists()
    assert "团队成员" in answer.content.decode()  # the message names the field


def test_the_picker_offers_only_assignable_people(east):
    html = page(east["manager"]).get(reverse("customers:detail", args=[east["customer"].pk]))
    picker = html.content.decode().split('id="team-add"', 1)[1].split("</form>", 1)[0]
    assert f'value="{east["specialist"].pk}"' in picker
    assert f'value="{east["outsider"].pk}"' not in picker


def test_adding_someone_already_in_the_team_changes_their_role(east):
    services.add_account_team_member(east["customer"], east["specialist"], "sales")
    services.add_account_team_member(east["customer"], east["specialist"], "lead")
    member = AccountTeamMember.objects.get(customer=east["customer"])
    assert member.role == "lead"


def test_an_unknown_role_is_refused_naming_the_field(east):
    with pytest.raises(services.AccountTeamError, match=r"^role: "):
        services.add_account_team_member(east["customer"], east["specialist"], "boss")


def api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_the_api_uses_the_same_service_and_rule(east):
    client = api(east["manager"])
    url = reverse("account-team-member-list")

    refused = client.post(
        url, {"customer": east["customer"].pk, "user": east["outsider"].pk}, format="json"
    )
    added = client.post(
        url,
        {"customer": east["customer"].pk, "user": east["specialist"].pk, "role": "specialist"},
        format="json",
    )

    assert refused.status_code == 400 and "user" in refused.json()
    assert added.status_code == 201, added.json()
    member = AccountTeamMember.objects.get(customer=east["customer"])
    assert (member.user, member.role) == (east["specialist"], "specialist")
    changed = client.patch(
        reverse("account-team-member-detail", args=[member.pk]), {"role": "lead"}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["role"] == "lead"
    gone = client.delete(reverse("account-team-member-detail", args=[member.pk]))
    assert gone.status_code == 204 and not AccountTeamMember.objects.exists()


def test_the_api_does_not_move_a_membership_to_another_customer(east):
    member = AccountTeamMember.objects.create(customer=east["customer"], user=east["specialist"])
    other = make_customer(owner=east["manager"], team=east["team"], name="常州天宁五金有限公司")

    answer = api(east["manager"]).patch(
        reverse("account-team-member-detail", args=[member.pk]),
        {"customer": other.pk},
        format="json",
    )

    assert answer.status_code == 400 and "customer" in answer.json()
    member.refresh_from_db()
    assert member.customer == east["customer"]
