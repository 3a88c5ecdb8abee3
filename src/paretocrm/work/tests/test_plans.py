"""Account plans: services, the overdue-action task rule with de-duplication, the pages."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from paretocrm.customers.choices import AccountPlanStatus, ActionStatus
from paretocrm.customers.models import AccountPlan
from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.work import plans, services
from paretocrm.work.choices import TaskKind
from paretocrm.work.models import Task

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)
NOW = timezone.make_aware(dt.datetime(2026, 3, 10, 9, 0))


@pytest.fixture
def kam():
    return make_user(role="key_account_manager", username="kam_li")


@pytest.fixture
def core(kam):
    customer = make_customer(owner=kam, name="East Fruit Co")
    make_score(make_run(), customer, tier="core")
    return customer


def live_plan(customer, **fields) -> AccountPlan:
    values = {
        "title": "2026 growth plan",
        "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2026, 12, 31),
        "status": AccountPlanStatus.ACTIVE,
    }
    values.update(fields)
    return plans.create_plan(customer=customer, **values)


def test_plan_is_refused_for_an_ordinary_customer_and_names_the_field(kam):
    ordinary = make_customer(owner=kam, name="Small Shop")
    make_score(make_run(), ordinary, tier="ordinary")
    with pytest.raises(plans.PlanError, match=r"^customer: .*Small Shop"):
        live_plan(ordinary)
    assert not AccountPlan.objects.exists()


def test_plan_for_core_customer_defaults_owner_and_checks_dates(core, kam):
    plan = live_plan(core)
    assert plan.owner == kam and plan.customer == core
    with pytest.raises(plans.PlanError, match=r"^period_end"):
        live_plan(core, period_end=dt.date(2025, 12, 31))


def test_update_with_stale_version_changes_nothing(core):
    plan = live_plan(core)
    plans.update_plan(plan, version=plan.version, our_objectives="Share of wallet 30 %")
    with pytest.raises(plans.PlanError, match=r"^version"):
        plans.update_plan(plan, version=plan.version, title="Overwritten")
    plan.refresh_from_db()
    assert plan.title == "2026 growth plan"
    assert plan.our_objectives == "Share of wallet 30 %"


def test_action_needs_owner_and_due_date(core, kam):
    plan = live_plan(core)
    with pytest.raises(plans.PlanError, match=r"^owner"):
        plans.add_action(plan, description="Visit", due_date=TODAY)
    with pytest.raises(plans.PlanError, match=r"^due_date"):
        plans.add_action(plan, description="Visit", owner=kam)
    action = plans.add_action(plan, description="Visit", owner=kam, due_date=TODAY)
    done = plans.set_action_status(action, ActionStatus.DONE)
    assert done.completed_at is not None


def test_overdue_actions_raise_one_task_for_the_oldest_actions_owner_without_twins(core, kam):
    from paretocrm.customers.models import AccountTeamMember

    specialist = make_user(role="key_account_specialist", username="zhang")
    AccountTeamMember.objects.create(customer=core, user=specialist)  # sees the customer
    plan = live_plan(core)
    plans.add_action(
        plan, description="Quarterly review", owner=specialist, due_date=dt.date(2026, 3, 1)
    )
    plans.add_action(plan, description="Send samples", owner=kam, due_date=dt.date(2026, 3, 5))
    plans.add_action(plan, description="Plan the visit", owner=kam, due_date=dt.date(2026, 4, 1))
    done = plans.add_action(plan, description="Old", owner=kam, due_date=dt.date(2026, 2, 1))
    plans.set_action_status(done, ActionStatus.DONE)
    run = make_run()

    services.raise_tasks_for_run(run, today=TODAY, now=NOW)

    task = Task.objects.get(customer=core, kind=TaskKind.PLAN_ACTION_OVERDUE)
    assert task.owner == specialist  # the owner of the oldest overdue action moves first
    assert "2 actions overdue" in task.reason_text
    assert "Quarterly review" in task.reason_text and "Send samples" in task.reason_text
    assert "Plan the visit" not in task.reason_text and "Old" not in task.reason_text
    assert task.due_on == TODAY + dt.timedelta(days=3)

    result = services.raise_tasks_for_run(make_run(), today=TODAY, now=NOW)
    assert result.updated >= 1
    assert Task.objects.filter(customer=core, kind=TaskKind.PLAN_ACTION_OVERDUE).count() == 1


def test_draft_and_closed_plans_raise_no_task(core, kam):
    for status in (AccountPlanStatus.DRAFT, AccountPlanStatus.CLOSED):
        plan = live_plan(core, status=status)
        plans.add_action(plan, description="x", owner=kam, due_date=dt.date(2026, 1, 5))
    services.raise_tasks_for_run(make_run(), today=TODAY, now=NOW)
    assert not Task.objects.filter(kind=TaskKind.PLAN_ACTION_OVERDUE).exists()


def test_plan_pages_create_view_add_action_print_and_export(client, core, kam):
    client.force_login(kam)
    listing = client.get(reverse("work:plans"))
    assert listing.status_code == 200
    assert "East Fruit Co" in listing.content.decode()  # listed as a core customer without plan

    created = client.post(
        reverse("work:plan_create", args=[core.pk]),
        {
            "title": "Grow the export lines",
            "status": "active",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "owner": kam.pk,
            "customer_strategy": "Enter the EU market",
            "our_objectives": "Become the preferred supplier",
        },
    )
    plan = AccountPlan.objects.get(customer=core)
    assert created.status_code == 302 and created["Location"] == reverse(
        "work:plan", args=[plan.pk]
    )

    client.post(
        reverse("work:plan_add", args=[plan.pk, "action"]),
        {"description": "Visit the buyer", "owner": kam.pk, "due_date": "2026-03-01"},
    )
    action = plan.actions.get()
    page = client.get(reverse("work:plan", args=[plan.pk])).content.decode()
    assert "Enter the EU market" in page and "Visit the buyer" in page

    client.post(
        reverse("work:plan_action_status", args=[plan.pk, action.pk]),
        {"status": "in_progress", "version": plan.version},
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS

    printed = client.get(reverse("work:plan", args=[plan.pk]), {"print": 1}).content.decode()
    assert "data-print" in printed and "Visit the buyer" in printed

    export = client.get(reverse("work:plan_export", args=[plan.pk]))
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "Grow the export lines" in cells and "Visit the buyer" in cells


def test_plan_edit_with_stale_version_shows_the_conflict(client, core, kam):
    plan = live_plan(core)
    client.force_login(kam)
    data = {
        "title": "New title",
        "status": "active",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "owner": kam.pk,
        "version": plan.version,
    }
    plans.update_plan(plan, version=plan.version, title="Changed elsewhere")
    response = client.post(reverse("work:plan_edit", args=[plan.pk]), data)
    assert response.status_code == 200
    assert "someone else changed this plan" in response.content.decode()


def test_plan_of_another_team_is_404_and_assistants_may_not_edit(client, core):
    plan = live_plan(core)
    client.force_login(make_user(role="key_account_manager"))
    assert client.get(reverse("work:plan", args=[plan.pk])).status_code == 404
    assert client.get(reverse("work:plan_export", args=[plan.pk])).status_code == 404
    client.force_login(make_user(role="general_manager"))
    assert client.get(reverse("work:plan", args=[plan.pk])).status_code == 200
    assert client.get(reverse("work:plan_edit", args=[plan.pk])).status_code == 403


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-hans", "您编辑期间其他人修改了此计划"), ("zh-hant", "您編輯期間其他人修改了此計畫")],
)
def test_the_plan_conflict_reads_in_the_readers_language(core, kam, language, expected):
    plan = live_plan(core)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(kam)
    data = {"title": "New title", "status": "active", "period_start": "2026-01-01"}
    data |= {"period_end": "2026-12-31", "owner": kam.pk, "version": plan.version}
    plans.update_plan(plan, version=plan.version, title="Changed elsewhere")

    page = client.post(reverse("work:plan_edit", args=[plan.pk]), data).content.decode()

    assert expected in page and "someone else changed" not in page


def test_plan_refusals_name_the_field_in_english_and_explain_in_chinese(kam):
    ordinary = make_customer(owner=kam, name="Small Shop")
    make_score(make_run(), ordinary, tier="ordinary")
    with translation.override("zh-hant"), pytest.raises(plans.PlanError) as refused:
        live_plan(ordinary)
    assert str(refused.value) == (
        "customer: 客戶計畫僅適用於核心客戶和重要客戶；在目前分析中，Small Shop 為普通客戶"
    )


def _plan_with_an_action(core, kam, client) -> tuple[AccountPlan, str]:
    """A live plan with one open action, the user signed in, and the status button's URL."""
    plan = live_plan(core)
    action = plans.add_action(plan, description="Visit", owner=kam, due_date=dt.date(2026, 3, 1))
    client.force_login(kam)
    return plan, reverse("work:plan_action_status", args=[plan.pk, action.pk])


def test_dur1_action_status_button_carries_the_plans_version(client, core, kam):
    plan, _url = _plan_with_an_action(core, kam, client)
    page = client.get(reverse("work:plan", args=[plan.pk])).content.decode()
    assert f'name="version" value="{plan.version}"' in page


def test_dur1_action_status_from_an_outdated_page_changes_nothing(client, core, kam):
    plan, url = _plan_with_an_action(core, kam, client)
    shown = plan.version
    plans.update_plan(plan, version=shown, title="Renamed by a colleague")

    answer = client.post(url, {"status": "done", "version": shown}, follow=True)

    assert "Someone else changed this plan" in answer.content.decode()
    assert plan.actions.get().status == ActionStatus.OPEN
    assert AccountPlan.objects.get(pk=plan.pk).version == shown + 1


def test_dur1_action_status_without_a_version_is_refused(client, core, kam):
    plan, url = _plan_with_an_action(core, kam, client)
    answer = client.post(url, {"status": "done"}, follow=True)
    assert "version: the page did not say" in answer.content.decode()
    assert plan.actions.get().status == ActionStatus.OPEN


def test_dur1_action_status_moves_the_plan_on_so_a_second_stale_page_is_refused(client, core, kam):
    plan, url = _plan_with_an_action(core, kam, client)
    shown = plan.version
    client.post(url, {"status": "in_progress", "version": shown})
    assert plan.actions.get().status == ActionStatus.IN_PROGRESS
    assert AccountPlan.objects.get(pk=plan.pk).version == shown + 1

    client.post(url, {"status": "cancelled", "version": shown})  # the other tab, same page
    assert plan.actions.get().status == ActionStatus.IN_PROGRESS
