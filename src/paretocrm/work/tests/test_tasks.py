"""Tasks from scoring runs: each signal rule, de-duplication, the hook, the mail, and actions."""

from __future__ import annotations

import datetime as dt
import threading
import time
from types import SimpleNamespace

import pandas as pd
import pytest
from django.core import mail
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from paretocrm.core.exceptions import StaleVersionError
from paretocrm.customers.tests.factories import make_customer, make_invoice, make_user
from paretocrm.insights.choices import Tier
from paretocrm.insights.models import ScoreRun
from paretocrm.insights.signals import score_run_succeeded
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.sales.models import Contract
from paretocrm.service.models import Case
from paretocrm.work import services
from paretocrm.work.choices import TaskKind, TaskStatus
from paretocrm.work.models import Task

TODAY = dt.date(2026, 2, 2)
NOW = timezone.make_aware(dt.datetime(2026, 2, 2, 12, 0))

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return make_user(role="key_account_manager", email="li@example.com")


def kinds(customer) -> set[str]:
    return set(Task.objects.filter(customer=customer).values_list("kind", flat=True))


def test_core_customer_whose_p_alive_fell_gets_a_call_task_for_the_owner(owner):
    customer = make_customer(owner=owner)
    steady = make_customer(owner=owner)
    first = make_run()
    make_score(first, customer, p_alive=0.9)
    make_score(first, steady, p_alive=0.9)
    second = make_run()
    make_score(second, customer, p_alive=0.6)
    make_score(second, steady, p_alive=0.88)  # a 2-point wobble is below the minimum drop

    services.raise_tasks_for_run(second, today=TODAY, now=NOW)

    task = Task.objects.get(customer=customer, kind=TaskKind.P_ALIVE_DROP)
    assert task.owner == owner
    assert "90%" in task.reason_text and "60%" in task.reason_text
    assert task.due_on == TODAY + dt.timedelta(days=3)
    assert task.created_by_run == second
    assert kinds(steady) == set()


def test_move_to_decline_and_tier_downgrade_raise_their_own_tasks(owner):
    customer = make_customer(owner=owner)
    first = make_run()
    make_score(first, customer, tier="core", lifecycle_stage="stable")
    second = make_run()
    make_score(second, customer, tier="key", lifecycle_stage="decline")

    services.raise_tasks_for_run(second, today=TODAY, now=NOW)

    assert kinds(customer) == {TaskKind.DECLINE, TaskKind.TIER_DOWNGRADE}
    downgrade = Task.objects.get(customer=customer, kind=TaskKind.TIER_DOWNGRADE)
    text = downgrade.reason_text
    assert str(Tier.CORE.label) in text and str(Tier.KEY.label) in text


def test_upgrade_and_ordinary_customer_decline_raise_nothing(owner):
    upgraded = make_customer(owner=owner)
    ordinary = make_customer(owner=owner)
    first = make_run()
    make_score(first, upgraded, tier="key")
    make_score(first, ordinary, tier="ordinary", lifecycle_stage="stable")
    second = make_run()
    make_score(second, upgraded, tier="core")
    make_score(second, ordinary, tier="ordinary", lifecycle_stage="decline")

    services.raise_tasks_for_run(second, today=TODAY, now=NOW)

    assert Task.objects.count() == 0


def test_receivable_more_than_30_days_overdue_raises_a_task(owner):
    late = make_customer(owner=owner)
    recent = make_customer(owner=owner)
    run = make_run()  # as_of 2026-01-31
    make_invoice(late, "1200.00", dt.date(2025, 11, 1), dt.date(2025, 12, 1))  # 61 days
    make_invoice(recent, "500.00", dt.date(2025, 12, 1), dt.date(2026, 1, 10))  # 21 days

    services.raise_tasks_for_run(run, today=TODAY, now=NOW)

    task = Task.objects.get(customer=late)
    assert task.kind == TaskKind.OVERDUE_RECEIVABLE
    assert "1,200.00" in task.reason_text and "61 days" in task.reason_text
    assert kinds(recent) == set()


def test_open_complaint_past_sla_contract_renewal_dependency_and_potential(owner):
    complained = make_customer(owner=owner)
    renewing = make_customer(owner=owner)
    dependent = make_customer(owner=owner)
    potential = make_customer(owner=owner)
    Case.objects.create(
        number="CS-LATE",
        customer=complained,
        case_type="complaint",
        subject="Broken",
        opened_at=NOW - dt.timedelta(hours=30),
        sla_first_response_hours=4,
        sla_resolution_hours=48,
    )
    Case.objects.create(  # answered in time and not yet due for resolution: no signal
        number="CS-OK",
        customer=renewing,
        case_type="complaint",
        subject="Late",
        opened_at=NOW - dt.timedelta(hours=2),
        sla_first_response_hours=4,
        sla_resolution_hours=48,
    )
    Contract.objects.create(
        customer=renewing,
        number="CT-1",
        start_date=dt.date(2025, 3, 1),
        end_date=dt.date(2026, 3, 15),  # 43 days after the run's as_of
        status="active",
    )
    run = make_run(dependency_alerts=[str(dependent.pk), "not-a-customer"])
    make_score(run, potential, tier="potential", potential_value=82.0)

    services.raise_tasks_for_run(run, today=TODAY, now=NOW)

    assert kinds(complained) == {TaskKind.COMPLAINT_PAST_SLA}
    assert "CS-LATE" in Task.objects.get(customer=complained).reason_text
    assert kinds(renewing) == {TaskKind.CONTRACT_RENEWAL}
    assert kinds(dependent) == {TaskKind.DEPENDENCY}
    assert kinds(potential) == {TaskKind.POTENTIAL_READY}


def test_second_run_updates_the_open_task_instead_of_duplicating_it(owner):
    customer = make_customer(owner=owner)
    make_invoice(customer, "800.00", dt.date(2025, 10, 1), dt.date(2025, 11, 1))
    first = make_run()
    services.raise_tasks_for_run(first, today=TODAY, now=NOW)
    second = make_run()

    result = services.raise_tasks_for_run(second, today=TODAY + dt.timedelta(days=5), now=NOW)

    tasks = Task.objects.filter(customer=customer)
    assert tasks.count() == 1
    assert result.created == [] and result.updated == 1
    task = tasks.get()
    assert task.created_by_run == first and task.last_run == second
    assert task.version == 2
    # The promised date is kept: a later run never pushes the due date back.
    assert task.due_on == TODAY + dt.timedelta(days=3)


def test_a_done_task_does_not_block_a_new_one_for_a_signal_that_persists(owner):
    customer = make_customer(owner=owner)
    make_invoice(customer, "800.00", dt.date(2025, 10, 1), dt.date(2025, 11, 1))
    services.raise_tasks_for_run(make_run(), today=TODAY, now=NOW)
    services.complete_task(Task.objects.get(), outcome="Promised to pay next week")

    services.raise_tasks_for_run(make_run(), today=TODAY, now=NOW)

    statuses = sorted(Task.objects.filter(customer=customer).values_list("status", flat=True))
    assert statuses == [TaskStatus.DONE, TaskStatus.OPEN]


def test_database_refuses_a_second_open_task_for_the_same_signal(owner):
    customer = make_customer(owner=owner)
    Task.objects.create(customer=customer, kind=TaskKind.DECLINE, reason="a", due_on=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(customer=customer, kind=TaskKind.DECLINE, reason="b", due_on=TODAY)


def test_one_digest_mail_per_owner_per_run(owner):
    other = make_user(role="sales_rep", email="wang@example.com")
    silent = make_user(role="sales_rep")  # no e-mail address: in-app only
    for person in (owner, owner, other, silent):
        make_invoice(
            make_customer(owner=person), "10.00", dt.date(2025, 10, 1), dt.date(2025, 11, 1)
        )

    result = services.raise_tasks_for_run(make_run(), today=TODAY, now=NOW)

    assert len(result.created) == 4
    assert result.mails_sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["li@example.com", "wang@example.com"]
    owner_mail = next(m for m in mail.outbox if m.to == ["li@example.com"])
    assert "2 new tasks" in owner_mail.subject
    assert owner_mail.body.count("\n- [") == 2


def test_committed_scoring_run_signal_raises_tasks_through_the_receiver(owner):
    customer = make_customer(owner=owner)
    make_invoice(customer, "10.00", dt.date(2025, 10, 1), dt.date(2025, 11, 1))
    run = make_run()

    score_run_succeeded.send(sender=type(run), run=run)

    assert kinds(customer) == {TaskKind.OVERDUE_RECEIVABLE}


def test_scoring_save_sends_the_signal_only_after_commit(
    owner, monkeypatch, django_capture_on_commit_callbacks
):
    from paretocrm.insights import services as insight_services

    received: list[int] = []

    def receiver(sender, run, **kwargs):
        received.append(run.pk)

    # An empty analysis result: _save writes no scores but flips the run and sends the signal.
    empty = SimpleNamespace(
        scores=pd.DataFrame(),
        lifecycle_facts=pd.Series(dtype=str),
        rating=SimpleNamespace(contributions=pd.DataFrame(), weights=pd.Series(dtype=float)),
        models_info=dict,
        health=None,  # AnalysisResult.health: None when the run scored no health
    )
    monkeypatch.setattr(insight_services, "overview", lambda result: {"dependency_alerts": []})
    run = ScoreRun.objects.create(as_of=TODAY)
    score_run_succeeded.connect(receiver, dispatch_uid="test-receiver")
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            insight_services._save(run, empty, n_transactions=0)
        assert received == []  # nothing before the commit
        for callback in callbacks:
            callback()
    finally:
        score_run_succeeded.disconnect(dispatch_uid="test-receiver")
    assert received == [run.pk]


def test_done_needs_an_outcome_and_records_it(owner):
    task = Task.objects.create(
        customer=make_customer(owner=owner), owner=owner, kind="decline", reason="r", due_on=TODAY
    )
    with pytest.raises(services.TaskError, match="outcome"):
        services.complete_task(task, outcome="  ")
    done = services.complete_task(task, outcome="Visited; new order agreed")
    assert done.status == TaskStatus.DONE and done.completed_at is not None
    assert Task.objects.get(pk=task.pk).outcome == "Visited; new order agreed"
    with pytest.raises(services.TaskError, match="already done"):
        services.complete_task(task, outcome="again")


def test_snoozed_task_leaves_the_queue_until_its_date(owner):
    task = Task.objects.create(
        customer=make_customer(owner=owner), owner=owner, kind="decline", reason="r", due_on=TODAY
    )
    with pytest.raises(services.TaskError, match="snoozed_until"):
        services.snooze_task(task, until=TODAY, today=TODAY)
    services.snooze_task(task, until=TODAY + dt.timedelta(days=7), today=TODAY)

    queue = Task.objects.filter(owner=owner)
    assert not queue.due_for_work(TODAY).exists()
    assert queue.due_for_work(TODAY + dt.timedelta(days=7)).get() == task
    assert Task.objects.get(pk=task.pk).due_on == TODAY + dt.timedelta(days=7)


def test_reassigned_task_moves_to_the_new_owner_and_inactive_users_are_refused(owner):
    from paretocrm.customers.models import AccountTeamMember

    colleague = make_user(role="key_account_specialist")
    gone = make_user(role="sales_rep", is_active=False)
    customer = make_customer(owner=owner)
    task = Task.objects.create(
        customer=customer, owner=owner, kind="decline", reason="r", due_on=TODAY
    )
    with pytest.raises(services.TaskError, match="active colleague"):
        services.reassign_task(task, to=gone)
    # Only to someone who sees the customer (issue 14): here through the account team.
    with pytest.raises(services.TaskError, match="owner"):
        services.reassign_task(task, to=colleague)
    AccountTeamMember.objects.create(customer=customer, user=colleague)
    services.reassign_task(task, to=colleague)
    assert Task.objects.get(pk=task.pk).owner == colleague
    assert Task.objects.visible_to(colleague).filter(pk=task.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_dur1_clicks_from_pages_showing_the_same_version_change_the_task_once(
    owner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four people reassign one task from pages that all showed version 1, at the same moment.
    Each pauses after its version check, so without the row lock all four would pass it and
    the last save would silently win."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT ... FOR UPDATE) are PostgreSQL's; the PG pass runs this")
    task = Task.objects.create(
        customer=make_customer(owner=owner), owner=owner, kind="decline", due_on=TODAY
    )
    # Colleagues who may be given the task: staff who see its customer (the assignee rule).
    people = [make_user(role="general_manager", username=f"colleague{n}") for n in range(4)]
    checked = services.require_version

    def check_then_pause(row, version):  # type: ignore[no-untyped-def]
        checked(row, version)
        time.sleep(0.05)  # widen the check-then-write window a race would use

    monkeypatch.setattr(services, "require_version", check_then_pause)
    start = threading.Barrier(len(people))
    outcomes: list[str] = []

    def reassign(person) -> None:  # type: ignore[no-untyped-def]
        try:
            start.wait(timeout=30)
            services.reassign_task(task, to=person, version=1)
            outcomes.append("ok")
        except StaleVersionError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reassign, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ok"] + ["refused"] * 3
    assert Task.objects.get(pk=task.pk).version == 2
