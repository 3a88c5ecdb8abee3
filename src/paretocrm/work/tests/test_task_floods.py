"""Work that fits a day (issue 16 finding 4): one task per customer and reason, updated run
after run; no tier-change tasks from a configuration change; the queue pages and groups.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from paretocrm.customers.tests.factories import make_customer, make_invoice, make_user
from paretocrm.insights.models import ScoreRun
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.work import services
from paretocrm.work.alerts import OVERDUE_TASKS_PER_OWNER
from paretocrm.work.choices import TaskKind
from paretocrm.work.models import Task

TODAY = dt.date(2026, 2, 2)
NOW = timezone.make_aware(dt.datetime(2026, 2, 2, 12, 0))
WEIGHTS_A = {"revenue": 0.5, "profit_contribution": 0.3, "credit": 0.2}
WEIGHTS_B = {"revenue": 0.2, "profit_contribution": 0.3, "credit": 0.5}


@pytest.fixture
def rep():
    return make_user(role="sales_rep", username="rep")


@pytest.mark.django_db
def test_overdue_invoices_of_one_customer_are_one_task_listing_them_updated_each_run(rep):
    customer = make_customer(owner=rep)
    first = make_invoice(customer, "1200.00", dt.date(2025, 10, 1), dt.date(2025, 11, 1))
    second = make_invoice(customer, "300.00", dt.date(2025, 10, 15), dt.date(2025, 11, 15))
    other = make_invoice(
        customer, "50.00", dt.date(2025, 10, 20), dt.date(2025, 11, 20), currency="USD"
    )
    services.raise_tasks_for_run(make_run(), today=TODAY, now=NOW)
    task = Task.objects.get(customer=customer)
    assert task.kind == TaskKind.OVERDUE_RECEIVABLE
    for invoice in (first, second, other):  # every currency's invoices on the one task
        assert invoice.number in task.reason_text

    later = make_invoice(customer, "80.00", dt.date(2025, 11, 1), dt.date(2025, 12, 1))
    services.raise_tasks_for_run(make_run(), today=TODAY, now=NOW)
    assert Task.objects.filter(customer=customer).count() == 1
    task.refresh_from_db()
    assert later.number in task.reason_text


@pytest.mark.django_db
def test_a_rep_gets_overdue_tasks_for_the_largest_debts_only(rep):
    customers = [make_customer(owner=rep) for _ in range(OVERDUE_TASKS_PER_OWNER + 5)]
    for i, customer in enumerate(customers):
        make_invoice(customer, f"{100 + i}.00", dt.date(2025, 10, 1), dt.date(2025, 11, 1))
    services.raise_tasks_for_run(make_run(), today=TODAY, now=NOW)
    raised = set(Task.objects.values_list("customer_id", flat=True))
    largest = {c.pk for c in customers[-OVERDUE_TASKS_PER_OWNER:]}
    assert raised == largest


def _runs_with_a_tier_drop(rep, weights_before, weights_after):
    customer = make_customer(owner=rep)
    before = make_run()
    before.rating_weights = weights_before
    before.save()
    make_score(before, customer, tier="core")
    after = make_run()
    after.rating_weights = weights_after
    after.save()
    make_score(after, customer, tier="ordinary")
    return customer, after


@pytest.mark.django_db
def test_a_weights_only_change_raises_no_tier_change_tasks(rep):
    customer, run = _runs_with_a_tier_drop(rep, WEIGHTS_A, WEIGHTS_B)
    services.raise_tasks_for_run(run, today=TODAY, now=NOW)
    assert not Task.objects.filter(customer=customer, kind=TaskKind.TIER_DOWNGRADE).exists()


@pytest.mark.django_db
def test_a_threshold_change_raises_no_tier_change_tasks(rep):
    """Thresholds live in the settings file: the run records a digest of the settings used."""
    customer, run = _runs_with_a_tier_drop(rep, WEIGHTS_A, WEIGHTS_A)
    ScoreRun.objects.exclude(pk=run.pk).update(overview={"config_digest": "before"})
    ScoreRun.objects.filter(pk=run.pk).update(overview={"config_digest": "after"})
    run.refresh_from_db()
    services.raise_tasks_for_run(run, today=TODAY, now=NOW)
    assert not Task.objects.filter(customer=customer, kind=TaskKind.TIER_DOWNGRADE).exists()


@pytest.mark.django_db
def test_with_the_same_settings_a_tier_drop_still_raises_its_task(rep):
    customer, run = _runs_with_a_tier_drop(rep, WEIGHTS_A, WEIGHTS_A)
    services.raise_tasks_for_run(run, today=TODAY, now=NOW)
    assert Task.objects.filter(customer=customer, kind=TaskKind.TIER_DOWNGRADE).count() == 1


@pytest.mark.django_db
def test_the_queue_shows_25_tasks_a_page_grouped_by_reason_and_customer(client, rep):
    client.force_login(rep)
    today = timezone.localdate()
    for i in range(30):
        kind = TaskKind.DECLINE if i % 2 else TaskKind.OVERDUE_RECEIVABLE
        Task.objects.create(
            customer=make_customer(owner=rep, name=f"Customer {i:02d}"),
            owner=rep,
            kind=kind,
            reason="Call",
            due_on=today,
        )
    first = client.get(reverse("work:tasks"))
    assert first.status_code == 200
    shown = list(first.context["tasks"])
    assert len(shown) == 25
    kinds = [t.kind for t in shown]
    assert kinds == sorted(kinds, key=kinds.index)  # each reason in one run of rows
    page = first.content.decode()
    assert page.count('class="task-group"') == 2
    second = client.get(reverse("work:tasks") + "?page=2")
    assert len(list(second.context["tasks"])) == 5
    assert len(page.encode()) < 200_000


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_after_scoring_the_demo_company_a_reps_open_tasks_stay_under_60():
    from paretocrm.demo.services import load_demo_company
    from paretocrm.insights import services as insights

    anchor = dt.date(2026, 6, 30)
    load_demo_company(seed=42, customers=300, anchor=anchor)
    insights.run_scoring(as_of=anchor)
    open_tasks = Counter(Task.objects.active().values_list("owner__username", flat=True))
    assert open_tasks, "scoring the demo raises tasks"
    assert open_tasks["sales"] > 0  # the demo's sales rep, who had 140 before
    assert max(open_tasks.values()) < 60, open_tasks


@pytest.mark.django_db
def test_repeated_complaints_of_one_customer_update_one_open_task(rep):
    from paretocrm.work.choices import ReasonCode

    customer = make_customer(owner=rep)

    def complaint(number: str) -> Task:
        return services.create_manual_task(
            customer=customer,
            owner=rep,
            reason_code=ReasonCode.PORTAL_COMPLAINT,
            reason_params={"number": number, "contact": "Li", "subject": "Broken"},
            due_on=TODAY,
        )

    first = complaint("WEB-1")
    second = complaint("WEB-2")
    assert first.pk == second.pk and Task.objects.filter(customer=customer).count() == 1
    assert "WEB-1" in second.reason_text and "WEB-2" in second.reason_text
    services.complete_task(second, outcome="Called back", version=second.version)
    third = complaint("WEB-3")
    assert third.pk != first.pk and "WEB-1" not in third.reason_text


@pytest.mark.django_db
def test_the_task_page_says_how_many_debtors_the_overdue_cap_left_out_and_links_them(client, rep):
    """20 overdue-receivable tasks at most per rep: the page counts the rest and links to the
    receivables list, where every overdue invoice is (issue 16: a rep had 128 such tasks)."""
    today = timezone.localdate()
    left_out = 7
    for i in range(OVERDUE_TASKS_PER_OWNER + left_out):
        customer = make_customer(owner=rep, name=f"华东经销商{i:02d}号")
        make_invoice(
            customer,
            f"{18000 + 1375 * i}.00",
            today - dt.timedelta(days=120),
            today - dt.timedelta(days=60 + i),
        )
    someone_else = make_customer(owner=make_user(role="sales_rep"), name="岭南冷链物流有限公司")
    make_invoice(someone_else, "99000.00", today - dt.timedelta(days=120), today - dt.timedelta(90))
    run = make_run()
    ScoreRun.objects.filter(pk=run.pk).update(as_of=today)
    run.refresh_from_db()
    services.raise_tasks_for_run(run, today=today)
    assert Task.objects.filter(owner=rep).count() == OVERDUE_TASKS_PER_OWNER
    client.force_login(rep)

    page = client.get(reverse("work:tasks"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert 'id="overdue-left-out"' in page
    note = page.split('id="overdue-left-out"')[1].split("</p>")[0]
    assert f"{left_out} " in note and str(OVERDUE_TASKS_PER_OWNER) in note
    assert f'href="{reverse("sales:invoices")}"' in note
    assert "客户" in note  # in the reader's language


@pytest.mark.django_db
def test_no_left_out_note_when_every_debtor_has_a_task(client, rep):
    today = timezone.localdate()
    customer = make_customer(owner=rep, name="苏州精密机械")
    make_invoice(customer, "5600.00", today - dt.timedelta(days=90), today - dt.timedelta(60))
    run = make_run()
    ScoreRun.objects.filter(pk=run.pk).update(as_of=today)
    run.refresh_from_db()
    services.raise_tasks_for_run(run, today=today)
    client.force_login(rep)
    assert 'id="overdue-left-out"' not in client.get(reverse("work:tasks")).content.decode()
