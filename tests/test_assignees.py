"""Assignees are active staff who may see the record (issue 14 finding 4).

Every picker (task reassign, case assign and escalate, call-list assignee, account-plan and
plan-action owner, team manager, transfer target) comes from ``User.objects.assignable()``
/ ``assignees_for``; every assign path (pages and API) refuses a portal login or a
colleague outside the record's scope with a message naming the field.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from paretocrm.customers.models import AccountTeamMember, Customer
from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.service.models import Case
from paretocrm.service.services import open_case
from paretocrm.users.models import Team, User
from paretocrm.work.models import Task

pytestmark = pytest.mark.django_db
_seq = itertools.count(1)


@pytest.fixture
def world():
    team_a, team_b = Team.objects.create(name="A"), Team.objects.create(name="B")
    people = {
        "manager": make_user(role="key_account_manager", team=team_a, username="the-manager"),
        "rep": make_user(role="sales_rep", team=team_a, username="the-rep"),
        "outsider": make_user(role="sales_rep", team=team_b, username="outside-rep"),
        "agent": make_user(role="service_agent", team=team_b, username="an-agent"),
        "portal": make_user(role="portal_customer", username="portal-login"),
        "gone": make_user(role="sales_rep", team=team_a, username="gone-user", is_active=False),
    }
    customer = make_customer(owner=people["rep"], name="Renewals Ltd")
    return people, customer


def page(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def new_task(customer, owner) -> Task:
    return Task.objects.create(
        customer=customer, owner=owner, kind="manual", reason="renew", due_on=dt.date.today()
    )


def new_case(customer, assigned_to) -> Case:
    return open_case(
        number=f"CS-{next(_seq)}",
        customer=customer,
        case_type="inquiry",
        subject="Q",
        assigned_to=assigned_to,
    )


def offered(body: str, people: dict) -> set[str]:
    return {key for key, user in people.items() if f'value="{user.pk}"' in body}


# --- the pickers --------------------------------------------------------------------------


def test_task_reassign_picker_offers_only_staff_who_see_the_customer(world):
    people, customer = world
    new_task(customer, people["rep"])
    body = page(people["rep"]).get(reverse("work:tasks")).content.decode()
    assert "portal-login" not in body and "outside-rep" not in body and "gone-user" not in body
    assert {"manager", "rep"} <= offered(body, people)


def test_case_assign_and_escalate_pickers_offer_no_portal_login(world):
    people, customer = world
    case = new_case(customer, people["manager"])
    body = page(people["manager"]).get(reverse("service:case", args=[case.pk])).content.decode()
    assert "portal-login" not in body and "outside-rep" not in body
    assert "an-agent" in body  # a service agent sees the customers of the cases they take


def test_call_list_assignee_picker_offers_no_portal_login(world):
    people, _customer = world
    body = page(people["manager"]).get(reverse("work:call_lists")).content.decode()
    assert "portal-login" not in body and "gone-user" not in body
    assert "the-rep" in body


def test_plan_owner_pickers_offer_no_portal_login(world):
    people, customer = world
    body = page(people["manager"]).get(reverse("work:plan_create", args=[customer.pk]))
    html = body.content.decode()
    assert "portal-login" not in html and "outside-rep" not in html and "the-rep" in html


def test_user_admin_pickers_offer_no_portal_login(world):
    people, _customer = world
    from paretocrm.users.forms import TransferForm, UserForm

    form = UserForm()
    assert people["portal"] not in form.fields["manager"].queryset
    transfer = TransferForm(from_user=people["rep"])
    assert people["portal"] not in transfer.fields["to_user"].queryset


# --- the assign paths ---------------------------------------------------------------------


def test_task_reassign_refuses_portal_login_and_outsider(world):
    people, customer = world
    task = new_task(customer, people["rep"])
    for key in ("portal", "outsider"):
        response = page(people["rep"]).post(
            reverse("work:task_action", args=[task.pk, "reassign"]),
            {"owner": people[key].pk, "version": task.version},
            follow=True,
        )
        assert "owner:" in response.content.decode()
        task.refresh_from_db()
        assert task.owner == people["rep"]
    page(people["rep"]).post(
        reverse("work:task_action", args=[task.pk, "reassign"]),
        {"owner": people["manager"].pk, "version": task.version},
    )
    task.refresh_from_db()
    assert task.owner == people["manager"]


@pytest.mark.parametrize("action", ["assign", "escalate"])
def test_case_assign_and_escalate_refuse_portal_login(world, action):
    people, customer = world
    case = new_case(customer, people["manager"])
    field = "assigned_to" if action == "assign" else "escalated_to"
    for key in ("portal", "outsider"):
        response = page(people["manager"]).post(
            reverse("service:case_action", args=[case.pk, action]),
            {"to": people[key].pk, "version": case.version},
            follow=True,
        )
        assert f"{field}:" in response.content.decode()
    case.refresh_from_db()
    assert case.assigned_to == people["manager"] and case.escalated_to is None


@pytest.mark.parametrize("field", ["assigned_to", "escalated_to"])
def test_case_api_refuses_portal_login_as_assignee(world, field):
    people, customer = world
    case = new_case(customer, people["manager"])
    client = api(people["manager"])
    url = f"/api/cases/{case.pk}/"
    got = client.get(url)
    response = client.patch(
        url, {field: people["portal"].pk}, format="json", HTTP_IF_MATCH=got["ETag"]
    )
    assert response.status_code == 400 and field in response.json()
    created = client.post(
        "/api/cases/",
        {
            "customer": customer.pk,
            "number": "CS-API",
            "case_type": "inquiry",
            "subject": "Q",
            field: people["outsider"].pk,
        },
        format="json",
    )
    assert created.status_code == 400 and field in created.json()
    case.refresh_from_db()
    assert getattr(case, field) != people["portal"]


def test_task_api_cannot_set_the_owner(world):
    people, customer = world
    task = new_task(customer, people["rep"])
    client = api(people["rep"])
    url = f"/api/work/tasks/{task.pk}/"
    got = client.get(url)
    client.patch(url, {"owner": people["portal"].pk}, format="json", HTTP_IF_MATCH=got["ETag"])
    task.refresh_from_db()
    assert task.owner == people["rep"]


def test_sla_escalation_never_goes_to_a_portal_login(world):
    from paretocrm.service.services import escalation_target

    people, customer = world
    User.objects.filter(pk=people["rep"].pk).update(manager=people["portal"])
    case = new_case(Customer.objects.get(pk=customer.pk), people["manager"])
    case = Case.objects.select_related("customer__owner__manager").get(pk=case.pk)
    assert escalation_target(case) != people["portal"]


# --- the picker rule read backwards equals the scope rule ---------------------------------


def test_assignees_for_agrees_with_visible_to(world):
    people, customer = world
    root, child = Team.objects.create(name="Root"), None
    child = Team.objects.create(name="Child", parent=root)
    extra = [
        make_user(role="key_account_manager", team=root),
        make_user(role="key_account_specialist", team=child),
        make_user(role="key_account_assistant", team=child),
        make_user(role="general_manager"),
        make_user(role="marketing"),
        make_user(role="sales_rep", team=child),
        make_user(role="service_agent"),
    ]
    owned = make_customer(owner=extra[5])
    shared = make_customer(owner=people["outsider"])
    AccountTeamMember.objects.create(customer=shared, user=extra[2], role="service")
    new_case(shared, extra[6])
    orphan = make_customer(owner=None)
    ids = [customer.pk, owned.pk, shared.pk, orphan.pk]
    picks = User.objects.assignees_for(ids)
    for user in User.objects.all():
        for pk in ids:
            sees = (
                user.is_active
                and user.role != "portal_customer"
                and Customer.objects.visible_to(user).filter(pk=pk).exists()
            )
            assert (user in picks[pk]) is sees, (user.username, user.role, pk)
            assert User.objects.may_be_assigned(user, pk) is sees


def test_plan_services_refuse_a_portal_login_as_owner(world):
    from paretocrm.insights.tests.snapshots import make_run, make_score
    from paretocrm.work import plans

    people, customer = world
    make_score(make_run(), customer, tier="core")
    period = {"period_start": dt.date(2026, 1, 1), "period_end": dt.date(2026, 12, 31)}
    with pytest.raises(plans.PlanError, match="owner"):
        plans.create_plan(customer=customer, title="P", owner=people["portal"], **period)
    plan = plans.create_plan(customer=customer, title="P", owner=people["rep"], **period)
    with pytest.raises(plans.PlanError, match="owner"):
        plans.update_plan(plan, version=plan.version, owner=people["outsider"])
    with pytest.raises(plans.PlanError, match="owner"):
        plans.add_action(
            plan, description="Visit", owner=people["portal"], due_date=dt.date.today()
        )


def test_portal_case_of_a_customer_whose_owner_left_is_still_filed(world):
    from paretocrm.portal.services import file_case

    people, customer = world
    User.objects.filter(pk=people["rep"].pk).update(is_active=False)
    customer = Customer.objects.get(pk=customer.pk)
    case = file_case(
        customer=customer, contact=None, case_type="inquiry", subject="Q", description="?"
    )
    assert case.assigned_to is None


def test_pickers_post_ids_without_thousand_separators(world):
    """USE_THOUSAND_SEPARATOR rendered user 12345 as value="12,345"; the reassign then
    posted a non-number and nothing changed (seen on PostgreSQL, whose ids never restart)."""
    people, customer = world
    colleague = make_user(role="key_account_manager", team=people["rep"].team, id=12345)
    task = new_task(customer, people["rep"])
    body = page(people["rep"]).get(reverse("work:tasks")).content.decode()
    assert 'value="12345"' in body
    url = reverse("work:task_action", args=[task.pk, "reassign"])
    page(people["rep"]).post(url, {"owner": "12345", "version": task.version})
    task.refresh_from_db()
    assert task.owner_id == colleague.pk
