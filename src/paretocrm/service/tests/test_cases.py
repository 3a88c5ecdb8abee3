"""Cases with SLA targets, breaches and escalation; care records; survey responses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from paretocrm.customers.tests.factories import make_customer, make_order, make_user
from paretocrm.service.models import Case, SlaPolicy, SurveyResponse
from paretocrm.service.services import (
    escalate_case,
    open_case,
    record_first_response,
    resolve_case,
    sla_policy_for,
)

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def policies() -> None:
    SlaPolicy.objects.all().delete()  # replace the shipped defaults with known targets
    SlaPolicy.objects.create(priority="high", tier="", first_response_hours=8, resolution_hours=48)
    SlaPolicy.objects.create(
        priority="high", tier="core", first_response_hours=2, resolution_hours=24
    )


def test_tier_specific_policy_wins_over_the_default(policies: None) -> None:
    assert sla_policy_for("high", "core").first_response_hours == 2  # type: ignore[union-attr]
    assert sla_policy_for("high", "ordinary").first_response_hours == 8  # type: ignore[union-attr]
    assert sla_policy_for("low") is None


def test_open_case_copies_the_sla_targets(policies: None) -> None:
    customer = make_customer()
    case = open_case(
        tier="core",
        number="CS-1",
        customer=customer,
        case_type="return",
        priority="high",
        subject="Damaged pallet",
        opened_at=T0,
        order=make_order(customer),
    )
    assert (case.sla_first_response_hours, case.sla_resolution_hours) == (2, 24)
    assert case.first_response_due == T0 + dt.timedelta(hours=2)
    assert case.resolution_due == T0 + dt.timedelta(hours=24)


def test_breaches_are_measured_against_the_due_times(policies: None) -> None:
    case = open_case(
        number="CS-2",
        customer=make_customer(),
        case_type="complaint",
        priority="high",
        subject="Late delivery",
        opened_at=T0,
    )
    assert not case.first_response_breached(now=T0 + dt.timedelta(hours=7))
    assert case.first_response_breached(now=T0 + dt.timedelta(hours=9))
    record_first_response(case, at=T0 + dt.timedelta(hours=3))
    record_first_response(case, at=T0 + dt.timedelta(hours=20))  # only the first counts
    case.refresh_from_db()
    assert case.first_response_at == T0 + dt.timedelta(hours=3)
    assert case.status == "in_progress"
    assert not case.first_response_breached(now=T0 + dt.timedelta(days=10))
    resolve_case(case, at=T0 + dt.timedelta(hours=50))
    assert case.resolution_breached()


def test_case_without_policy_has_no_targets_and_never_breaches() -> None:
    SlaPolicy.objects.update(active=False)  # every shipped default archived
    case = open_case(
        number="CS-3", customer=make_customer(), case_type="inquiry", subject="Price list"
    )
    assert case.sla_first_response_hours is None
    assert not case.first_response_breached(now=timezone.now() + dt.timedelta(days=365))


def test_escalation_records_who_and_when() -> None:
    manager = make_user()  # escalated to someone who sees the customer (issue 14)
    case = Case.objects.create(
        number="CS-4",
        customer=make_customer(owner=manager),
        case_type="complaint",
        subject="x",
        opened_at=T0,
    )
    escalate_case(case, manager, at=T0 + dt.timedelta(hours=1))
    case.refresh_from_db()
    assert case.escalated and case.escalated_to == manager
    assert case.escalated_at == T0 + dt.timedelta(hours=1)


def test_case_timestamp_constraints() -> None:
    customer = make_customer()
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(
            number="CS-5", customer=customer, case_type="inquiry", subject="x", escalated=True
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(
            number="CS-6",
            customer=customer,
            case_type="inquiry",
            subject="x",
            opened_at=T0,
            first_response_at=T0 - dt.timedelta(minutes=1),
        )


@pytest.mark.parametrize(
    ("kind", "score", "ok"),
    [
        ("csat", 1, True),
        ("csat", 5, True),
        ("csat", 0, False),
        ("csat", 6, False),
        ("nps", 0, True),
        ("nps", 10, True),
        ("nps", 11, False),
    ],
)
def test_survey_scores_stay_on_their_scale(kind: str, score: int, ok: bool) -> None:
    customer = make_customer()
    if ok:
        SurveyResponse.objects.create(customer=customer, kind=kind, score=score)
    else:
        with pytest.raises(IntegrityError), transaction.atomic():
            SurveyResponse.objects.create(customer=customer, kind=kind, score=score)


def test_cases_inherit_customer_scope() -> None:
    rep, other = make_user(), make_user()
    Case.objects.create(
        number="A", customer=make_customer(owner=rep), case_type="inquiry", subject="x"
    )
    Case.objects.create(
        number="B", customer=make_customer(owner=other), case_type="inquiry", subject="y"
    )
    assert list(Case.objects.visible_to(rep).values_list("number", flat=True)) == ["A"]
