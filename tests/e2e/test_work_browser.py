"""Browser test: a key-account manager works a task and an account plan in Chromium.

The scoring run's task step has turned an overdue plan action into a task; the manager
opens 我的任务, marks it done with an outcome, opens the plan, adds an action, moves it on,
and opens the printable plan. Screenshots go to ``tmp_path`` (and to
``PARETOCRM_SCREENSHOT_DIR`` when set, for a person to look at).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from paretocrm.customers.tests.factories import make_customer, make_order, make_user
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.users.choices import Role
from paretocrm.work import plans, services
from paretocrm.work.choices import TaskKind, TaskStatus
from paretocrm.work.models import Task
from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, _require_chromium


def _shot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    extra = os.environ.get("PARETOCRM_SCREENSHOT_DIR")
    if extra:
        page.screenshot(path=str(Path(extra) / f"{name}.png"), full_page=True)
    return path


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_manager_works_a_task_and_an_account_plan(live_server, tmp_path: Path):
    _require_chromium()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop
    from playwright.sync_api import expect, sync_playwright

    kam = make_user(Role.KEY_ACCOUNT_MANAGER, username="kam_e2e", first_name="晓", last_name="李")
    kam.set_password(PASSWORD)
    kam.save()
    customer = make_customer(owner=kam, name="华东果业集团")
    make_order(customer)
    make_score(make_run(), customer, tier="core")
    today = timezone.localdate()
    plan = plans.create_plan(
        customer=customer,
        title="2026 出口增长计划",
        period_start=today - dt.timedelta(days=60),
        period_end=today + dt.timedelta(days=300),
        status="active",
        customer_strategy="进入欧盟市场",
        our_objectives="成为首选供应商",
    )
    plans.add_action(
        plan, description="季度业务回顾", owner=kam, due_date=today - dt.timedelta(days=5)
    )
    services.raise_tasks_for_run(make_run())
    task = Task.objects.get(kind=TaskKind.PLAN_ACTION_OVERDUE)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="zh-CN", viewport={"width": 1400, "height": 1000})
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "kam_e2e")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")

        page.goto(f"{live_server.url}/work/tasks/")
        row = page.locator(f"#task-{task.pk}")
        expect(row).to_contain_text("季度业务回顾")
        expect(row).to_contain_text("客户计划行动已逾期")
        _shot(page, tmp_path, "my-tasks-zh")
        row.locator("input[name=outcome]").fill("已与采购总监约定3月10日回顾")
        row.locator("form[action$='/done/'] button").click()
        expect(page.locator(f"#task-{task.pk}")).to_have_count(0)

        page.goto(f"{live_server.url}/work/plans/")
        page.click(f"#plans a[href='/work/plans/{plan.pk}/']")
        expect(page.locator("h1")).to_have_text("2026 出口增长计划")
        expect(page.locator("#actions")).to_contain_text("已逾期")
        form = page.locator("#add-action")
        form.locator("input[name=description]").fill("寄送新品样品")
        form.locator("input[name=due_date]").fill((today + dt.timedelta(days=10)).isoformat())
        form.locator("button[type=submit]").click()
        new_row = page.locator("#actions tr", has_text="寄送新品样品")
        expect(new_row).to_be_visible()
        new_row.locator("select[name=status]").select_option("done")
        new_row.locator("button[type=submit]").click()
        expect(page.locator("#actions tr", has_text="寄送新品样品")).to_contain_text("已完成")
        shot = _shot(page, tmp_path, "account-plan-zh")

        page.goto(f"{live_server.url}/work/plans/{plan.pk}/?print=1")
        expect(page.locator("h1")).to_contain_text("2026 出口增长计划")
        _shot(page, tmp_path, "account-plan-print-zh")
        browser.close()

    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and "3月10日" in task.outcome
    assert plan.actions.get(description="寄送新品样品").status == "done"
    assert shot.stat().st_size > 10_000
