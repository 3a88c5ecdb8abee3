"""A fall of account health below the threshold raises ONE task per customer, with the reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.work import services
from paretocrm.work.choices import TaskKind, TaskStatus
from paretocrm.work.models import Task

TODAY = dt.date(2026, 2, 2)
NOW = timezone.make_aware(dt.datetime(2026, 2, 2, 12, 0))
HEALTH = {"alert_below": 40.0, "bands": {}}
REASONS = [
    {"signal": "rhythm", "value": 3.4, "points": 20.0},
    {"signal": "receivables", "value": 0.3333, "points": 15.0},
    {"signal": "contact_coverage", "value": 1.0, "points": 3.8},
]

pytestmark = pytest.mark.django_db


def run_with(**overview):
    return make_run(health=HEALTH, **overview)


def health_tasks(customer):
    return Task.objects.filter(customer=customer, kind=TaskKind.HEALTH_LOW)


def test_a_fall_below_the_threshold_raises_one_task_with_all_its_reasons():
    owner = make_user(role="key_account_manager")
    falling = make_customer(owner=owner, name="苏州华兴管业有限公司")
    still_fine = make_customer(owner=owner, name="宁波甬新阀门有限公司")
    first = run_with()
    make_score(first, falling, health=62.0)
    make_score(first, still_fine, health=80.0)
    second = run_with()
    make_score(second, falling, health=31.0, health_reasons=REASONS)
    make_score(second, still_fine, health=75.0)

    services.raise_tasks_for_run(second, today=TODAY, now=NOW)

    task = health_tasks(falling).get()  # one task, not one per signal
    assert task.owner == owner
    assert health_tasks(still_fine).count() == 0
    with translation.override("en"):
        text = task.reason_text
    assert "31" in text and "62" in text and "40" in text
    assert "no order for 3.4 of its usual gaps" in text
    assert "overdue receivables at 33%" in text
    assert "single-threaded" in text
    with translation.override("zh-hant"):
        assert "健康度" in task.reason_text


def test_the_next_run_updates_the_open_task_and_a_done_one_is_not_raised_again():
    owner = make_user(role="key_account_manager")
    customer = make_customer(owner=owner, name="佛山顺德仪表厂")
    first = run_with()
    make_score(first, customer, health=55.0)
    second = run_with()
    make_score(second, customer, health=35.0, health_reasons=REASONS[:1])
    services.raise_tasks_for_run(second, today=TODAY, now=NOW)
    third = run_with()
    make_score(third, customer, health=28.0, health_reasons=REASONS)

    result = services.raise_tasks_for_run(third, today=TODAY, now=NOW)

    task = health_tasks(customer).get()
    assert result.updated >= 1 and task.last_run == third
    assert task.reason_params["health"] == 28.0
    services.complete_task(task, outcome="拜访了采购经理")
    fourth = run_with()
    make_score(fourth, customer, health=27.0, health_reasons=REASONS)
    services.raise_tasks_for_run(fourth, today=TODAY, now=NOW)
    # Still below, but it did not fall again: the done task is not re-raised every run.
    assert list(health_tasks(customer).values_list("status", flat=True)) == [TaskStatus.DONE]


def test_a_weight_change_that_moves_health_below_the_threshold_raises_no_task():
    owner = make_user(role="key_account_manager")
    customer = make_customer(owner=owner)
    first = run_with(config_digest="weights-a")
    make_score(first, customer, health=45.0)
    second = run_with(config_digest="weights-b")  # an administrator re-weighted health
    make_score(second, customer, health=35.0, health_reasons=REASONS)

    services.raise_tasks_for_run(second, today=TODAY, now=NOW)

    assert health_tasks(customer).count() == 0
