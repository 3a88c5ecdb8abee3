"""One rule for who may do what (QUALITY.md AUTHZ-6; issue 14 finding 8, "rules that disagree").

For every role and every function-guarded action, the web page and the REST API give the
same answer, and that answer is the role policy's (``core.policy.has_function``): allowed
(any answer but a refusal) exactly when the role has the action's function. An action with
only a page (transfer, portal invitation, run analysis, ...) or only an API route (create
a contact, an order, a product, ...) is compared with the policy on the path it has.

The records acted on are always inside the user's scope (a customer the user owns), so a
refusal here can only come from the function check, never from the record scope.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.http import HttpResponseForbidden
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from paretocrm.core.policy import Function, Role, has_function
from paretocrm.customers.models import AccountPlan, Customer
from paretocrm.customers.tests.factories import make_contact, make_customer
from paretocrm.marketing.models import Campaign
from paretocrm.service.models import Case
from paretocrm.users.models import User
from tests.api_samples import PAYLOADS, make_campaign, make_case, make_score, make_task, new_user

pytestmark = pytest.mark.django_db

F = Function


@dataclass
class World:
    """One user of the role under test and records inside their scope."""

    user: User
    customer: Customer
    case: Case
    campaign: Campaign
    #: A colleague whose accounts the transfer moves, and the one who receives them.
    leaver: User
    successor: User


def make_world(role: str) -> World:
    user = new_user(role)
    customer = make_customer(owner=user)
    make_score(user, customer, tier="core")  # a core customer: an account plan is allowed
    make_contact(customer, name="王经理", email="wang@example.cn")
    case = make_case(user)
    case.customer = customer
    case.save()
    leaver = new_user(Role.SALES_REP)
    make_customer(owner=leaver)
    return World(
        user=user,
        customer=customer,
        case=case,
        campaign=make_campaign(user),
        leaver=leaver,
        successor=new_user(Role.SALES_REP),
    )


# --- how an answer reads ------------------------------------------------------------------


def allowed(response: Any) -> bool:
    """True unless the answer is a refusal (403, or a portal user sent back to the portal).

    A 404 would mean the record is out of scope, which the world never sets up: it fails.
    """
    status = response.status_code
    assert status != 404, f"{response.request['PATH_INFO']}: out of scope in the test setup"
    assert status < 500, f"{response.request['PATH_INFO']}: {status}"
    if status == 403:
        return False
    location = response.get("Location", "") if status in (301, 302) else ""
    return not location.startswith((reverse("portal:overview"), reverse("users:login")))


def page_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def api_patch(w: World, url: str, body: dict[str, Any], record: Any) -> Any:
    """A PATCH under If-Match with the record's current version (DUR-1)."""
    return api_client(w.user).patch(url, body, format="json", HTTP_IF_MATCH=f'"{record.version}"')


# --- the actions: (function, page or None, API or None) ----------------------------------

Path = Callable[[World], Any] | None


def page_edit_customer(w: World) -> Any:
    url = reverse("customers:edit", args=[w.customer.pk])
    return page_client(w.user).post(url, {"name": "改名", "version": w.customer.version})


def api_edit_customer(w: World) -> Any:
    url = reverse("customer-detail", args=[w.customer.pk])
    return api_patch(w, url, {"notes": "changed"}, w.customer)


def page_log_interaction(w: World) -> Any:
    url = reverse("customers:detail", args=[w.customer.pk])
    body = {"kind": "call", "subject": "Called", "occurred_at": "2025-06-01T10:00"}
    return page_client(w.user).post(url, body)


def api_create(basename: str, body: Callable[[World], dict[str, Any]] | None = None) -> Path:
    def call(w: World) -> Any:
        data = body(w) if body else PAYLOADS[basename](w.user)
        return api_client(w.user).post(reverse(f"{basename}-list"), data, format="json")

    return call


def page_create_case(w: World) -> Any:
    body = {
        "customer_code": w.customer.code,
        "case_type": "inquiry",
        "priority": "normal",
        "subject": "Where is my order?",
    }
    return page_client(w.user).post(reverse("service:case_new"), body)


def page_edit_case(w: World) -> Any:
    url = reverse("service:case_action", args=[w.case.pk, "status"])
    return page_client(w.user).post(url, {"to": "in_progress", "version": w.case.version})


def api_edit_case(w: World) -> Any:
    return api_patch(w, reverse("case-detail", args=[w.case.pk]), {"subject": "New"}, w.case)


def page_change_campaign(w: World) -> Any:
    url = reverse("marketing:campaign_action", args=[w.campaign.pk, "attribute"])
    body = {"window_days": "30", "version": w.campaign.version}
    return page_client(w.user).post(url, body)


def api_change_campaign(w: World) -> Any:
    url = reverse("campaign-detail", args=[w.campaign.pk])
    return api_patch(w, url, {"name": "Renamed"}, w.campaign)


def plan_body(w: World) -> dict[str, Any]:
    return {
        "customer": w.customer.pk,
        "title": "2025 plan",
        "status": "draft",
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
    }


def page_create_plan(w: World) -> Any:
    url = reverse("work:plan_create", args=[w.customer.pk])
    body = {k: v for k, v in plan_body(w).items() if k != "customer"}
    return page_client(w.user).post(url, body | {"owner": w.user.pk})


def page_transfer(w: World) -> Any:
    url = reverse("users:user_transfer", args=[w.leaver.pk])
    body = {"to_user": w.successor.pk, "reason": "leaves the company"}
    return page_client(w.user).post(url, body)


def page_invite(w: World) -> Any:
    contact = w.customer.contacts.get()
    return page_client(w.user).post(reverse("portal_access:list"), {"contact": contact.pk})


def page_get(name: str) -> Path:
    return lambda w: page_client(w.user).get(reverse(name))


def page_set_target(w: World) -> Any:
    body = {
        "manager": w.user.pk,
        "period_start": "2025-01-01",
        "period_end": "2025-12-31",
        "revenue_target": "100000",
    }
    return page_client(w.user).post(reverse("work:scorecards"), body)


def page_complete_task(w: World) -> Any:
    task = make_task(w.user)
    url = reverse("work:task_action", args=[task.pk, "done"])
    response = page_client(w.user).post(url, {"outcome": "Called", "version": task.version})
    task.refresh_from_db()
    # The page answers with a redirect either way; whether the task moved is the answer.
    return response if task.status == "done" else HttpResponseForbidden()


def api_change_task(w: World) -> Any:
    task = make_task(w.user)
    return api_patch(w, reverse("task-detail", args=[task.pk]), {"due_on": "2025-08-01"}, task)


def api_get(basename: str) -> Path:
    return lambda w: api_client(w.user).get(reverse(f"{basename}-list"))


ACTIONS: dict[str, tuple[Function, Path, Path]] = {
    "edit customer": (F.EDIT_ACCOUNTS, page_edit_customer, api_edit_customer),
    "log interaction": (F.EDIT_ACCOUNTS, page_log_interaction, api_create("interaction")),
    "create contact": (F.EDIT_ACCOUNTS, None, api_create("contact")),
    "create order": (F.EDIT_ACCOUNTS, None, api_create("order")),
    "create account plan": (
        F.EDIT_ACCOUNTS,
        page_create_plan,
        api_create("accountplan", plan_body),
    ),
    "create case": (F.EDIT_SERVICE, page_create_case, api_create("case")),
    "edit case": (F.EDIT_SERVICE, page_edit_case, api_edit_case),
    "create campaign": (F.EDIT_CAMPAIGNS, None, api_create("campaign")),
    "change campaign": (F.EDIT_CAMPAIGNS, page_change_campaign, api_change_campaign),
    "create article": (F.EDIT_KNOWLEDGE, None, api_create("article")),
    "create product": (F.EDIT_CATALOGUE, None, api_create("product")),
    "transfer": (F.TRANSFER, page_transfer, None),
    "invite portal user": (F.INVITE_PORTAL, page_invite, None),
    "run analysis": (F.RUN_ANALYSIS, page_get("insights:scoring"), None),
    "change settings": (F.SETTINGS, page_get("insights:rating_settings"), None),
    "administer users": (F.USER_ADMIN, page_get("users:user_new"), None),
    "import": (F.IMPORT, page_get("imports:page"), None),
    "export": (F.EXPORT, lambda w: page_client(w.user).get("/customers/export/csv/"), None),
    "read audit log": (F.AUDIT_READ, page_get("audit:log"), api_get("auditevent")),
    "set targets": (F.SET_TARGETS, page_set_target, None),
    "work a task": (F.WORK_TASKS, page_complete_task, api_change_task),
}


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    cache.clear()  # API throttles count per user; every test starts from zero


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", list(Role))
def test_page_and_api_give_the_role_policys_answer(role: str, action: str) -> None:
    function, page, api = ACTIONS[action]
    world = make_world(role)
    expected = has_function(world.user, function)
    answers = {}
    if page is not None:
        answers["page"] = allowed(page(world))
    if api is not None:
        answers["api"] = allowed(api(world))
    assert answers == dict.fromkeys(answers, expected), (
        f"{role} / {action}: the policy says {'allowed' if expected else 'refused'}"
    )


def test_every_function_with_a_write_or_page_is_compared() -> None:
    """The table's functions that guard a page or an API route all appear above."""
    compared = {function for function, _page, _api in ACTIONS.values()}
    # Functions that guard what is shown rather than an action (checked in their own tests):
    shown_only = {F.VIEW_UNMASKED, F.VIEW_CREDIT, F.EXPORT_ALL, F.ERASE, F.MANAGE_CALL_LISTS}
    assert compared | shown_only == set(Function)


def test_account_plan_api_refuses_a_customer_that_is_not_core_or_key() -> None:
    """The API creates a plan through the plan service, like the page: core and key only."""
    manager = new_user(Role.KEY_ACCOUNT_MANAGER)
    ordinary = make_customer(owner=manager)
    make_score(manager, ordinary, tier="ordinary")
    client = api_client(manager)
    body = {"customer": ordinary.pk, "title": "Plan", "period_start": "2025-01-01"}
    response = client.post(reverse("accountplan-list"), body | {"period_end": "2025-12-31"})
    assert response.status_code == 400
    assert "customer" in response.json()
    assert not AccountPlan.objects.filter(customer=ordinary).exists()
    page = page_client(manager).post(
        reverse("work:plan_create", args=[ordinary.pk]),
        {
            "title": "Plan",
            "status": "draft",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "owner": manager.pk,
        },
    )
    assert page.status_code == 200 and not AccountPlan.objects.exists()


def test_account_plan_api_update_checks_dates_like_the_page() -> None:
    manager = new_user(Role.KEY_ACCOUNT_MANAGER)
    customer = make_customer(owner=manager)
    make_score(manager, customer, tier="key")
    plan = AccountPlan.objects.create(
        customer=customer,
        title="P",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
    )
    url = reverse("accountplan-detail", args=[plan.pk])
    response = api_client(manager).patch(
        url, {"review_date": "2024-01-01"}, format="json", HTTP_IF_MATCH=f'"{plan.version}"'
    )
    assert response.status_code == 400 and "review_date" in response.json()
    plan.refresh_from_db()
    assert plan.review_date is None
