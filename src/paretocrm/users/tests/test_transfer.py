"""Someone leaves: deactivation kills access at once, transfer moves everything atomically."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.test import Client

from paretocrm.audit.models import AuditEvent, FieldChange
from paretocrm.customers.choices import AccountPlanStatus, ActionStatus, ChangeChannel
from paretocrm.customers.models import AccountPlan, AccountPlanAction, OwnershipChange
from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.sales.choices import OpportunityStage
from paretocrm.sales.models import Opportunity
from paretocrm.service.choices import CaseStatus
from paretocrm.service.models import Case
from paretocrm.users import services
from paretocrm.users.choices import Role
from paretocrm.users.models import ApiToken, Team, User
from paretocrm.users.services import (
    TransferError,
    deactivate_user,
    issue_token,
    transfer_accounts,
)

pytestmark = pytest.mark.django_db


def _book(owner: User) -> dict[str, Any]:
    """A leaver's book: 2 customers, open + won opportunity, open + closed case, plan, action."""
    c1, c2 = make_customer(owner), make_customer(owner)
    plan = AccountPlan.objects.create(
        customer=c1,
        title="Plan",
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        status=AccountPlanStatus.ACTIVE,
        owner=owner,
    )
    return {
        "customers": [c1, c2],
        "open_opp": Opportunity.objects.create(customer=c1, name="Open", owner=owner),
        "won_opp": Opportunity.objects.create(
            customer=c2, name="Won", owner=owner, stage=OpportunityStage.WON
        ),
        "open_case": Case.objects.create(
            number="K1", customer=c2, case_type="complaint", subject="s", assigned_to=owner
        ),
        "closed_case": Case.objects.create(
            number="K2",
            customer=c2,
            case_type="complaint",
            subject="s",
            assigned_to=owner,
            status=CaseStatus.CLOSED,
        ),
        "plan": plan,
        "action": AccountPlanAction.objects.create(
            plan=plan, description="Call", owner=owner, status=ActionStatus.OPEN
        ),
    }


def _history(record: Any, field: str) -> list[FieldChange]:
    ct = ContentType.objects.get_for_model(record)
    return list(FieldChange.objects.filter(content_type=ct, object_id=record.pk, field=field))


def test_transfer_moves_customers_and_open_work_with_one_history_row_each() -> None:
    leaver, successor, admin = make_user(), make_user(), make_user(Role.ADMINISTRATOR)
    book = _book(leaver)

    result = transfer_accounts(leaver, successor, admin, "left the company")

    assert (result.customers, result.opportunities, result.cases) == (2, 1, 1)
    assert (result.account_plans, result.plan_actions) == (1, 1)
    for customer in book["customers"]:
        customer.refresh_from_db()
        assert customer.owner_id == successor.pk
        changes = OwnershipChange.objects.filter(customer=customer)
        assert [(c.old_owner_id, c.new_owner_id, c.channel) for c in changes] == [
            (leaver.pk, successor.pk, ChangeChannel.TRANSFER)
        ]
    for key, field in [("open_opp", "owner"), ("open_case", "assigned_to"), ("plan", "owner")]:
        record = book[key]
        record.refresh_from_db()
        assert getattr(record, f"{field}_id") == successor.pk
        rows = _history(record, field)
        assert [(r.old_value, r.new_value, r.channel, r.actor_id) for r in rows] == [
            (str(leaver.pk), str(successor.pk), ChangeChannel.TRANSFER, admin.pk)
        ]
    book["action"].refresh_from_db()
    assert book["action"].owner_id == successor.pk
    # Closed work stays with the person who did it.
    book["won_opp"].refresh_from_db()
    book["closed_case"].refresh_from_db()
    assert book["won_opp"].owner_id == leaver.pk
    assert book["closed_case"].assigned_to_id == leaver.pk
    event = AuditEvent.objects.get(kind="transfer")
    assert event.actor_id == admin.pk and event.detail["customers"] == 2


def test_transfer_to_a_team_spreads_customers_over_its_active_members() -> None:
    team = Team.objects.create(name="East")
    a, b = make_user(team=team, username="a-east"), make_user(team=team, username="b-east")
    make_user(team=team, username="c-gone", is_active=False)
    leaver = make_user()
    customers = [make_customer(leaver) for _ in range(4)]

    transfer_accounts(leaver, team, None, "reorganisation")

    owners = []
    for customer in customers:
        customer.refresh_from_db()
        assert customer.team_id == team.pk
        owners.append(customer.owner_id)
    assert sorted(owners) == sorted([a.pk, b.pk, a.pk, b.pk])


def test_open_work_follows_its_customers_new_owner() -> None:
    team = Team.objects.create(name="North")
    make_user(team=team, username="n1")
    make_user(team=team, username="n2")
    leaver = make_user()
    book = _book(leaver)

    transfer_accounts(leaver, team, None, "reorganisation")

    c1, c2 = book["customers"]
    c1.refresh_from_db()
    c2.refresh_from_db()
    book["open_opp"].refresh_from_db()
    book["open_case"].refresh_from_db()
    assert book["open_opp"].owner_id == c1.owner_id
    assert book["open_case"].assigned_to_id == c2.owner_id


def test_failure_half_way_persists_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    leaver, successor = make_user(), make_user()
    book = _book(leaver)
    original = services._reassign
    calls = {"n": 0}

    def fail_on_cases(records: Any, field: str, pick: Any) -> int:
        calls["n"] += 1
        if records.model is Case:
            raise RuntimeError("injected failure")
        return original(records, field, pick)

    monkeypatch.setattr(services, "_reassign", fail_on_cases)
    with pytest.raises(RuntimeError, match="injected failure"):
        transfer_accounts(leaver, successor, None, "left")

    assert calls["n"] >= 2  # customers and opportunities were already moved when it failed
    for customer in book["customers"]:
        customer.refresh_from_db()
        assert customer.owner_id == leaver.pk
    book["open_opp"].refresh_from_db()
    assert book["open_opp"].owner_id == leaver.pk
    assert not OwnershipChange.objects.exists()
    assert not FieldChange.objects.exists()
    assert not AuditEvent.objects.filter(kind="transfer").exists()


@pytest.mark.parametrize(
    ("make_target", "message"),
    [
        (lambda leaver: leaver, "themselves"),
        (lambda leaver: make_user(is_active=False), "not active"),
        (lambda leaver: Team.objects.create(name="Empty"), "no active member"),
    ],
)
def test_impossible_transfers_are_refused_with_a_clear_message(
    make_target: Any, message: str
) -> None:
    leaver = make_user()
    make_customer(leaver)
    with pytest.raises(TransferError, match=message):
        transfer_accounts(leaver, make_target(leaver), None, "left")
    assert not OwnershipChange.objects.exists()


def test_transfer_needs_a_reason() -> None:
    with pytest.raises(TransferError, match="reason"):
        transfer_accounts(make_user(), make_user(), None, "  ")


def test_deactivate_user_ends_sessions_and_tokens_at_once() -> None:
    leaver, colleague = make_user(), make_user()
    leaver_client, colleague_client = Client(), Client()
    leaver_client.force_login(leaver)
    colleague_client.force_login(colleague)
    key = issue_token(leaver)

    ended = deactivate_user(leaver, None)

    assert ended == 1
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert not ApiToken.objects.filter(user=leaver).exists()
    assert not get_user(leaver_client).is_authenticated
    assert get_user(colleague_client).pk == colleague.pk
    api = Client().get("/api/customers/", HTTP_AUTHORIZATION=f"Token {key}")
    assert api.status_code == 401
    assert AuditEvent.objects.filter(kind="user_deactivated", object_id=leaver.pk).count() == 1


def test_transfer_command_asks_for_confirmation_and_cancels_on_no(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    leaver, successor = make_user(username="leaver"), make_user(username="successor")
    customer = make_customer(leaver)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")

    with pytest.raises(CommandError, match="Cancelled"):
        call_command("transfer", "leaver", "successor")

    customer.refresh_from_db()
    assert customer.owner_id == leaver.pk and successor.is_active


def test_transfer_command_with_yes_and_deactivate() -> None:
    leaver = make_user(username="leaver2")
    make_user(username="successor2")
    customer = make_customer(leaver)
    out = StringIO()

    call_command("transfer", "leaver2", "successor2", "--yes", "--deactivate", stdout=out)

    customer.refresh_from_db()
    assert customer.owner.username == "successor2"
    assert not User.objects.get(username="leaver2").is_active
    assert "Transferred 1 customers" in out.getvalue()


def test_transfer_command_names_an_unknown_user() -> None:
    with pytest.raises(CommandError, match="TO: no user named 'nobody'"):
        call_command("transfer", make_user().username, "nobody", "--yes")


def test_transfer_command_refuses_an_actor_without_the_transfer_function() -> None:
    leaver = make_user()
    customer = make_customer(leaver)
    rep = make_user(Role.SALES_REP)
    with pytest.raises(CommandError, match="may not transfer"):
        call_command(
            "transfer", leaver.username, make_user().username, "--by", rep.username, "--yes"
        )
    customer.refresh_from_db()
    assert customer.owner_id == leaver.pk
