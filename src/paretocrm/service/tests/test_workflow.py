"""The case workflow, SLA timing (frozen clock), escalation, care records and surveys."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from paretocrm.core.tokens import digest
from paretocrm.customers.services import record_consent
from paretocrm.customers.tests.factories import make_contact, make_customer, make_order, make_user
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.service import services, sla
from paretocrm.service.choices import CaseEventKind, CaseStatus, SlaState
from paretocrm.service.models import Case, CaseEvent, SlaPolicy, SurveyInvitation, SurveyResponse
from paretocrm.work.choices import TaskKind
from paretocrm.work.models import Task
from paretocrm.work.services import escalate_service_breaches

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


@pytest.fixture
def policies() -> None:
    SlaPolicy.objects.all().delete()  # replace the shipped defaults with known targets
    SlaPolicy.objects.create(priority="high", tier="", first_response_hours=8, resolution_hours=48)
    SlaPolicy.objects.create(
        priority="high", tier="core", first_response_hours=2, resolution_hours=24
    )


@pytest.fixture
def boss():
    return make_user(role="general_manager", username="boss", email="boss@example.com")


@pytest.fixture
def kam(boss):
    return make_user(role="key_account_manager", username="kam", manager=boss)


def new_case(customer, number="CS-1", **fields) -> Case:
    values = {
        "number": number,
        "customer": customer,
        "case_type": "complaint",
        "priority": "high",
        "subject": "Late delivery",
        "opened_at": T0,
    }
    values.update(fields)
    return services.open_case(**values)


def test_core_customer_gets_the_core_sla_from_the_current_snapshot(policies, kam):
    core = make_customer(owner=kam)
    make_score(make_run(), core, tier="core")
    ordinary = make_customer(owner=kam)
    assert new_case(core).sla_first_response_hours == 2
    assert new_case(ordinary, "CS-2").sla_first_response_hours == 8
    assert CaseEvent.objects.filter(kind=CaseEventKind.OPENED).count() == 2


def test_return_must_name_an_order_of_the_same_customer(policies, kam):
    customer = make_customer(owner=kam)
    with pytest.raises(services.CaseError, match=r"^order: a return case must name"):
        new_case(customer, case_type="return")
    with pytest.raises(services.CaseError, match=r"^order: the order belongs to another"):
        new_case(customer, case_type="exchange", order=make_order(make_customer()))
    case = new_case(customer, case_type="return", order=make_order(customer))
    assert case.order.customer_id == customer.pk


def test_workflow_records_each_move_and_refuses_skips(policies, kam):
    case = new_case(make_customer(owner=kam))
    case = services.transition_case(case, CaseStatus.IN_PROGRESS, by=kam, at=T0 + 1 * H)
    assert case.first_response_at == T0 + 1 * H
    case = services.transition_case(case, CaseStatus.WAITING, at=T0 + 2 * H)
    case = services.transition_case(case, CaseStatus.RESOLVED, at=T0 + 5 * H)
    assert case.resolved_at == T0 + 5 * H
    case = services.transition_case(case, CaseStatus.IN_PROGRESS, at=T0 + 6 * H, note="reopened")
    assert case.resolved_at is None  # the resolution clock measures the final fix
    case = services.transition_case(case, CaseStatus.RESOLVED, at=T0 + 7 * H)
    case = services.transition_case(case, CaseStatus.CLOSED, at=T0 + 8 * H)
    assert case.closed_at == T0 + 8 * H
    with pytest.raises(services.CaseError, match=r"^status: a closed case cannot move"):
        services.transition_case(case, CaseStatus.IN_PROGRESS)
    moves = list(
        case.events.filter(kind=CaseEventKind.STATUS).values_list("from_status", "to_status")
    )
    assert moves == [
        ("new", "in_progress"),
        ("in_progress", "waiting"),
        ("waiting", "resolved"),
        ("resolved", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "closed"),
    ]


def test_sla_clock_states_at_frozen_times(policies, kam):
    case = new_case(make_customer(owner=kam))  # 8 h first response, 48 h resolution
    first, resolution = sla.clocks(case, T0 + 3 * H)
    assert (first.state, first.margin) == ("running", 5 * H)
    assert sla.clocks(case, T0 + 7 * H)[0].state == "at_risk"  # 1 h of 8 left (< 25 %)
    late = sla.clocks(case, T0 + 10 * H)[0]
    assert (late.state, late.margin, late.margin_text) == ("breached", 2 * H, "2 h 00 min")
    case = services.transition_case(case, CaseStatus.IN_PROGRESS, at=T0 + 9 * H)
    assert sla.clocks(case, T0 + 20 * H)[0].state == "late"
    assert resolution.due == T0 + 48 * H


def test_sla_filters_match_the_clocks(policies, kam):
    customer = make_customer(owner=kam)
    breached = new_case(customer, "CS-B")  # no response after 10 h
    at_risk = new_case(customer, "CS-R", opened_at=T0 + 3 * H)  # 7 h of 8 used at T0+10h
    on_track = new_case(customer, "CS-O", opened_at=T0 + 9 * H)
    met = new_case(customer, "CS-M")
    services.transition_case(met, CaseStatus.RESOLVED, at=T0 + 1 * H)
    no_sla = new_case(customer, "CS-N", priority="low")
    now = T0 + 10 * H
    cases = Case.objects.all()
    assert set(cases.with_sla_state(SlaState.BREACHED, now)) == {breached}
    assert set(cases.with_sla_state(SlaState.AT_RISK, now)) == {at_risk}
    assert set(cases.with_sla_state(SlaState.ON_TRACK, now)) == {on_track}
    assert set(cases.with_sla_state(SlaState.MET, now)) == {met}
    assert set(cases.with_sla_state(SlaState.NONE, now)) == {no_sla}
    late_resolution = new_case(customer, "CS-L")
    services.transition_case(late_resolution, CaseStatus.RESOLVED, at=T0 + 50 * H)
    assert late_resolution in set(cases.sla_breached(T0 + 60 * H))


def test_breaches_escalate_to_the_owners_manager_once_with_a_task(policies, kam, boss):
    customer = make_customer(owner=kam, name="North Gas")
    new_case(customer, "CS-1")
    new_case(customer, "CS-2", opened_at=T0 + 1 * H)
    new_case(customer, "CS-3", opened_at=T0 + 9 * H)  # not due yet at T0 + 10 h

    result = escalate_service_breaches(now=T0 + 10 * H, today=T0.date())

    escalated = Case.objects.filter(escalated=True).order_by("number")
    assert [c.number for c in escalated] == ["CS-1", "CS-2"]
    assert {c.escalated_to for c in escalated} == {boss}
    task = Task.objects.get(kind=TaskKind.CASE_ESCALATED)
    assert task.owner == boss and task.customer == customer
    text = task.reason_text
    assert "CS-1" in text and "CS-2" in text and "first response due" in text
    assert task.due_on == T0.date() + dt.timedelta(days=1)
    assert len(result.created) == 1 and mail.outbox[0].to == ["boss@example.com"]

    again = escalate_service_breaches(now=T0 + 11 * H, today=T0.date())
    assert (len(again.created), again.updated) == (0, 0)  # escalated cases are not escalated twice
    assert Task.objects.filter(kind=TaskKind.CASE_ESCALATED).count() == 1


def test_survey_is_mailed_after_resolution_with_consent_and_answered_once(policies, kam):
    customer = make_customer(owner=kam)
    agreed = make_contact(customer, email="buyer@example.com")
    record_consent(agreed, "email", granted=True, source="signed form")
    silent = make_contact(customer, email="other@example.com")
    case = new_case(customer, contact=agreed)
    other = new_case(customer, "CS-2", contact=silent)
    for item in (case, other):
        services.transition_case(item, CaseStatus.RESOLVED, at=T0 + 2 * H)

    run = services.send_due_surveys(T0 + 3 * H)

    assert [i.case_id for i in run.sent] == [case.pk]
    assert run.skipped == {"no e-mail consent": 1}
    invitation = SurveyInvitation.objects.get(case=case)
    link_token = run.sent[0].link_token
    assert mail.outbox[-1].to == ["buyer@example.com"] and link_token in mail.outbox[-1].body
    # AUTHN-2: the database holds the digest, never the token of the e-mailed link.
    assert invitation.token == digest(link_token) and link_token not in invitation.token
    assert services.send_due_surveys(T0 + 4 * H).sent == []  # one survey per case

    response = services.answer_survey(invitation, score="4", comment="Fast fix")
    assert (response.score, response.case_id, response.customer_id) == (4, case.pk, customer.pk)
    with pytest.raises(services.CaseError, match="already been answered"):
        services.answer_survey(invitation, score=5)
    with pytest.raises(services.CaseError, match=r"^score"):
        services.answer_survey(SurveyInvitation(pk=invitation.pk), score=9)


def test_survey_page_needs_no_login_and_records_the_answer(policies, kam, client):
    customer = make_customer(owner=kam)
    contact = make_contact(customer, email="buyer@example.com")
    record_consent(contact, "email", granted=True, source="web form")
    case = new_case(customer, contact=contact)
    services.transition_case(case, CaseStatus.RESOLVED, at=T0 + 2 * H)
    invitation = services.send_due_surveys(T0 + 3 * H).sent[0]
    url = reverse("service:survey", args=[invitation.link_token])
    assert "How satisfied are you?" in client.get(url).content.decode()
    page = client.post(url, {"score": "5", "comment": "Great"}).content.decode()
    assert "Thank you" in page
    assert SurveyResponse.objects.get(case=case).score == 5
    assert client.get(reverse("service:survey", args=["wrong-token"])).status_code == 404


def test_case_page_moves_the_case_and_adds_care(policies, kam, client):
    customer = make_customer(owner=kam)
    case = new_case(customer)
    client.force_login(kam)
    page = client.get(reverse("service:case", args=[case.pk])).content.decode()
    assert "SLA clock" in page and "breached" in page
    status_url = reverse("service:case_action", args=[case.pk, "status"])
    client.post(status_url, {"to": "in_progress", "version": case.version})
    case.refresh_from_db()
    client.post(
        reverse("service:case_action", args=[case.pk, "care"]),
        {
            "kind": "follow_up",
            "notes": "Called the buyer",
            "cost": "12.50",
            "version": case.version,
        },
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS and case.first_response_at is not None
    assert case.care_records.get().notes == "Called the buyer"
    refused = client.post(status_url, {"to": "new", "version": case.version})
    assert refused.status_code == 302
    listing = client.get(reverse("service:cases"), {"sla": "breached"}).content.decode()
    assert "CS-1" in listing
    client.force_login(make_user(role="key_account_manager"))
    assert client.get(reverse("service:case", args=[case.pk])).status_code == 404


def test_new_case_page_links_returns_to_the_customers_order(policies, kam, client):
    customer = make_customer(owner=kam, code="C-RET")
    order = make_order(customer, number="SO-RET-1")
    client.force_login(kam)
    data = {
        "customer_code": "C-RET",
        "case_type": "return",
        "priority": "high",
        "subject": "Bruised",
    }
    refused = client.post(reverse("service:case_new"), data)
    assert "order: a return case must name" in refused.content.decode()
    wrong = client.post(reverse("service:case_new"), {**data, "order_number": "SO-NOPE"})
    assert "order_number" in wrong.content.decode()
    opened = client.post(reverse("service:case_new"), {**data, "order_number": "SO-RET-1"})
    case = Case.objects.get(customer=customer)
    assert opened["Location"] == reverse("service:case", args=[case.pk])
    assert (case.order, case.sla_first_response_hours, case.assigned_to) == (order, 8, kam)
    hidden = client.post(reverse("service:case_new"), {**data, "customer_code": "C-OTHER"})
    assert "no customer" in hidden.content.decode() and Case.objects.count() == 1


def test_survey_mail_links_to_the_public_address_when_set(policies, kam, settings):
    settings.PUBLIC_BASE_URL = "https://crm.example.com/"
    customer = make_customer(owner=kam)
    contact = make_contact(customer, email="buyer@example.com")
    record_consent(contact, "email", granted=True, source="form")
    case = new_case(customer, contact=contact)
    services.transition_case(case, CaseStatus.RESOLVED, at=T0 + 2 * H)
    token = services.send_due_surveys(T0 + 3 * H).sent[0].link_token
    assert f"https://crm.example.com/service/survey/{token}/" in mail.outbox[-1].body


CASE_ACTIONS = [
    ("status", {"to": "in_progress"}),
    ("assign", {}),
    ("escalate", {}),
    ("care", {"kind": "follow_up", "notes": "Called the buyer"}),
]


def _case_action(policies, kam, client, action, data) -> tuple[Case, str, dict]:
    """A new case of the signed-in manager, the URL of one button and what it posts."""
    case = new_case(make_customer(owner=kam))
    client.force_login(kam)
    url = reverse("service:case_action", args=[case.pk, action])
    return case, url, {**data, "to": data.get("to", kam.pk), "version": case.version}


def _unchanged(case: Case, version: int) -> bool:
    stored = Case.objects.get(pk=case.pk)
    untouched = (stored.status, stored.assigned_to, stored.escalated) == ("new", None, False)
    return untouched and stored.version == version and not stored.care_records.exists()


def test_dur1_every_case_button_carries_the_version_it_was_shown(policies, kam, client):
    case, _url, _posted = _case_action(policies, kam, client, "status", {})
    page = client.get(reverse("service:case", args=[case.pk])).content.decode()
    assert page.count(f'name="version" value="{case.version}"') == len(CASE_ACTIONS)


@pytest.mark.parametrize(("action", "data"), CASE_ACTIONS)
def test_dur1_case_action_from_an_outdated_page_changes_nothing(
    policies, kam, client, action, data
):
    case, url, posted = _case_action(policies, kam, client, action, data)
    Case.objects.get(pk=case.pk).save()  # a colleague changes the case meanwhile

    answer = client.post(url, posted, follow=True)

    assert "Someone else changed this case" in answer.content.decode()
    assert _unchanged(case, posted["version"] + 1)
    assert not CaseEvent.objects.filter(case=case).exclude(kind=CaseEventKind.OPENED).exists()


@pytest.mark.parametrize(("action", "data"), CASE_ACTIONS)
def test_dur1_case_action_without_a_version_is_refused(policies, kam, client, action, data):
    case, url, posted = _case_action(policies, kam, client, action, data)
    answer = client.post(url, {**posted, "version": ""}, follow=True)
    assert "version: the page did not say" in answer.content.decode()
    assert _unchanged(case, posted["version"])


@pytest.mark.parametrize(("action", "data"), CASE_ACTIONS)
def test_dur1_case_action_at_the_current_version_is_done(policies, kam, client, action, data):
    case, url, posted = _case_action(policies, kam, client, action, data)
    answer = client.post(url, posted, follow=True)
    assert "The case was updated." in answer.content.decode()
    assert not _unchanged(case, posted["version"])
