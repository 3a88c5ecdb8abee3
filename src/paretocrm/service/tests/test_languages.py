"""Case texts in the reader's language: system notes, the survey mail, the case list filters."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from paretocrm.customers.services import record_consent
from paretocrm.customers.tests.factories import make_contact, make_customer, make_user
from paretocrm.service import services
from paretocrm.service.choices import CaseEventKind, CaseNoteCode, CaseStatus
from paretocrm.service.models import Case, CaseEvent, SlaPolicy, SurveyInvitation
from paretocrm.work.choices import TaskKind
from paretocrm.work.models import Task
from paretocrm.work.services import escalate_service_breaches

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 in Asia/Shanghai
H = dt.timedelta(hours=1)


@pytest.fixture
def boss():
    return make_user(role="general_manager", username="boss", email="boss@example.com")


@pytest.fixture
def kam(boss):
    return make_user(
        role="key_account_manager", username="kam", first_name="Li", last_name="", manager=boss
    )


def new_case(customer, number="CS-1", **fields) -> Case:
    SlaPolicy.objects.update_or_create(
        priority="high",
        tier="",
        active=True,
        defaults={"first_response_hours": 8, "resolution_hours": 48},
    )
    values = {"number": number, "customer": customer, "case_type": "complaint"}
    values.update(priority="high", subject="Late delivery", opened_at=T0)
    values.update(fields)
    return services.open_case(**values)


def note_in(language: str, event: CaseEvent) -> str:
    with translation.override(language):
        return event.note_text


def test_an_sla_breach_is_stored_as_a_code_and_read_in_three_languages(kam, boss):
    new_case(make_customer(owner=kam))

    services.escalate_sla_breaches(T0 + 10 * H)

    event = CaseEvent.objects.get(kind=CaseEventKind.ESCALATED)
    assert (event.note, event.note_code) == ("", CaseNoteCode.SLA_BREACHED)
    assert event.note_params == {"first_response_due": (T0 + 8 * H).isoformat()}
    assert note_in("en", event).startswith("SLA breached: first response due 03/02/2026")
    assert note_in("zh-hans", event) == "违反SLA：首次响应时限 2026年3月2日 17:00"
    assert note_in("zh-hant", event) == "違反SLA：首次回應時限 2026年3月2日 17:00"


def test_the_escalation_task_quotes_the_breach_in_the_readers_language(kam, boss):
    new_case(make_customer(owner=kam))

    escalate_service_breaches(now=T0 + 10 * H, today=T0.date())

    task = Task.objects.get(kind=TaskKind.CASE_ESCALATED)
    with translation.override("zh-hant"):
        assert task.reason_text == (
            "工單 CS-1（Late delivery）已升級給您（違反SLA：首次回應時限 2026年3月2日 17:00）。"
        )
    with translation.override("en"):
        assert task.reason_text.startswith("Case CS-1 (Late delivery) escalated to you (SLA")


def test_an_assignment_names_the_colleague_in_the_readers_language(kam):
    case = new_case(make_customer(owner=kam))
    colleague = make_user(role="service_agent", username="wang", first_name="Wang", last_name="")

    services.assign_case(case, colleague, by=kam)

    event = CaseEvent.objects.get(kind=CaseEventKind.ASSIGNED)
    assert note_in("en", event) == "assigned to Wang"
    assert note_in("zh-hans", event) == "已分派给 Wang"
    assert note_in("zh-hant", event) == "已分派給 Wang"


def test_a_persons_note_and_an_old_stored_note_are_shown_as_written(kam):
    case = new_case(make_customer(owner=kam))
    services.transition_case(case, CaseStatus.IN_PROGRESS, at=T0 + H, note="客户来电")
    old = CaseEvent(case=case, kind=CaseEventKind.ASSIGNED, note="assigned to Li")

    typed = CaseEvent.objects.get(kind=CaseEventKind.STATUS)
    assert note_in("en", typed) == "客户来电"
    assert note_in("zh-hant", old) == "assigned to Li"


def test_the_case_page_shows_the_breach_in_the_readers_language(kam, boss):
    case = new_case(make_customer(owner=kam))
    services.escalate_sla_breaches(T0 + 10 * H)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hant")
    client.force_login(boss)

    page = client.get(reverse("service:case", args=[case.pk])).content.decode()

    assert "違反SLA：首次回應時限" in page


def test_the_survey_mail_is_in_the_recipients_language_not_the_senders(settings, kam):
    settings.LANGUAGE_CODE = "zh-hans"  # contacts have no language of their own: the default
    customer = make_customer(owner=kam)
    contact = make_contact(customer, name="张伟", email="zw@example.com")
    record_consent(contact, "email", granted=True, source="signed form")
    case = new_case(customer, contact=contact)
    services.transition_case(case, CaseStatus.RESOLVED, at=T0 + 2 * H)

    with translation.override("en"):  # the worker or page that sends it reads English
        services.send_due_surveys(T0 + 3 * H)

    message = mail.outbox[-1]
    assert message.subject == "服务满意度调查：工单 CS-1"
    assert message.body.startswith("尊敬的张伟：\n\n您的工单 CS-1（Late delivery）已处理完毕。")


@pytest.mark.parametrize(("language", "label"), [("zh-hans", "筛选"), ("zh-hant", "篩選")])
def test_the_case_list_filter_button_reads_filter_not_filter_device(kam, language, label):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(kam)

    page = client.get(reverse("service:cases")).content.decode()

    assert f">{label}</button>" in page and "过滤器" not in page and "過濾器" not in page


def test_search_and_sla_filter_are_one_form_so_they_combine(kam):
    customer = make_customer(owner=kam, name="North Gas")
    new_case(customer, "CS-1", subject="Broken valve")  # breached at T0 + 10 h
    new_case(customer, "CS-2", subject="Broken pump", opened_at=T0 + 9 * H)  # on track
    new_case(customer, "CS-3", subject="Invoice query")  # breached, other subject
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(kam)

    page = client.get(reverse("service:cases")).content.decode()
    forms = re.findall(r"<form\b.*?</form>", page, flags=re.S)
    listing = [form for form in forms if 'name="q"' in form]
    assert len(listing) == 1
    assert 'name="sla"' in listing[0] and 'name="status"' in listing[0]

    with mock.patch.object(timezone, "now", return_value=T0 + 10 * H):
        found = client.get(reverse("service:cases"), {"q": "Broken", "sla": "breached"})
    cases = [case.number for case in found.context["object_list"]]
    assert cases == ["CS-1"]
    body = found.content.decode()
    assert 'value="Broken"' in body and 'value="breached" selected' in body


def test_refusals_name_the_field_and_explain_in_the_readers_language(kam):
    case = new_case(make_customer(owner=kam))
    with translation.override("zh-hant"), pytest.raises(services.CaseError) as refused:
        services.transition_case(case, CaseStatus.CLOSED, at=T0 + H)
    with translation.override("zh-hans"), pytest.raises(services.CaseError) as unscored:
        services.answer_survey(SurveyInvitation(pk=1), score=9)

    assert str(refused.value).startswith("status: 狀態為新建立的工單不能變更為已關閉（可選：")
    assert str(unscored.value) == "score: 9 不在 1 至 5 之间"
