"""Task reasons are stored as a code with parameters and worded for each reader.

The same task reads in English, 简体中文 and 繁體中文 on the page, in the API and in the digest
mail (in the recipient's language); tasks without a code keep showing their stored text.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from paretocrm.customers.tests.factories import make_customer, make_invoice, make_user
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.work import services
from paretocrm.work.choices import ReasonCode, TaskKind
from paretocrm.work.models import Task
from paretocrm.work.reasons import render, render_reason

TODAY = dt.date(2026, 2, 2)
NOW = timezone.make_aware(dt.datetime(2026, 2, 2, 12, 0))

pytestmark = pytest.mark.django_db


def in_language(language: str, task: Task) -> str:
    with translation.override(language):
        return render(task)


@pytest.fixture
def owner():
    return make_user(role="key_account_manager", username="li", email="li@example.com")


@pytest.fixture
def downgraded(owner) -> Task:
    """A core customer who fell to key and into decline: two coded tasks from one run."""
    customer = make_customer(owner=owner, name="North Gas")
    first = make_run()
    make_score(first, customer, tier="core", lifecycle_stage="stable", p_alive=0.9)
    second = make_run()
    make_score(second, customer, tier="key", lifecycle_stage="decline", p_alive=0.6)
    services.raise_tasks_for_run(second, today=TODAY, now=NOW)
    return Task.objects.get(customer=customer, kind=TaskKind.TIER_DOWNGRADE)


def test_a_raised_task_stores_a_code_and_parameters_not_a_sentence(downgraded):
    assert downgraded.reason_code == ReasonCode.TIER_DOWNGRADE
    assert downgraded.reason_params == {"before": "core", "after": "key"}
    assert downgraded.reason == ""


def test_the_same_task_reads_in_english_simplified_and_traditional_chinese(downgraded):
    english = in_language("en", downgraded)
    simplified = in_language("zh-hans", downgraded)
    traditional = in_language("zh-hant", downgraded)

    assert english == "Tier downgraded from Core customer to Key customer."
    assert simplified == "客户等级从核心客户降为重要客户。"
    assert traditional == "客戶等級從核心客戶降為重要客戶。"


def test_numbers_dates_and_tier_names_follow_the_locale(owner):
    late = make_customer(owner=owner)
    make_invoice(late, "1200.00", dt.date(2025, 11, 1), dt.date(2025, 12, 1))
    services.raise_tasks_for_run(make_run(), today=TODAY, now=NOW)  # as_of 2026-01-31
    task = Task.objects.get(customer=late, kind=TaskKind.OVERDUE_RECEIVABLE)

    english = in_language("en", task)
    simplified = in_language("zh-hans", task)
    traditional = in_language("zh-hant", task)

    assert english.startswith("1 invoice overdue, 1,200.00 ")
    assert "(61 days)" in english and "12/01/2025" in english
    assert simplified.startswith("1 张发票逾期，未收金额 1,200.00 ")
    assert "2025年12月1日" in simplified and "61 天" in simplified
    assert traditional.startswith("1 張發票逾期，未收金額 1,200.00 ")
    assert len({english, simplified, traditional}) == 3


def test_p_alive_drop_shows_percentages_and_the_translated_tier(owner):
    customer = make_customer(owner=owner)
    first = make_run()
    make_score(first, customer, p_alive=0.9)
    second = make_run()
    make_score(second, customer, p_alive=0.6)
    services.raise_tasks_for_run(second, today=TODAY, now=NOW)
    task = Task.objects.get(customer=customer, kind=TaskKind.P_ALIVE_DROP)

    assert in_language("en", task).startswith("Core customer: P(alive) fell from 90% to 60%")
    assert in_language("zh-hans", task).startswith("核心客户：存活概率从 90% 降至 60%")
    assert in_language("zh-hant", task).startswith("核心客戶：存活機率從 90% 降至 60%")


def test_decline_uses_the_stage_labels_and_the_chinese_explanation_for_chinese_readers():
    params = {"tier": "key", "before": "stable", "why": "No order for 120 days."}
    params["why_zh"] = "120天无订单。"
    text = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            text[language] = render_reason(ReasonCode.DECLINE, params)

    assert (
        text["en"] == "Key customer moved from Stable to the decline stage. No order for 120 days."
    )
    assert text["zh-hans"] == "重要客户已从稳定期进入退化期。 120天无订单。"


def test_a_decline_task_quotes_the_scores_explanation_in_the_readers_language(owner):
    customer = make_customer(owner=owner)
    make_score(make_run(), customer, tier="key", lifecycle_stage="stable")
    facts = {"rule": "purchase_drop", "p_alive": 0.81, "purchase_trend": -45, "window_months": 6}
    second = make_run()
    make_score(second, customer, tier="key", lifecycle_stage="decline", lifecycle_facts=facts)
    services.raise_tasks_for_run(second, today=TODAY, now=NOW)
    task = Task.objects.get(customer=customer, kind=TaskKind.DECLINE)

    assert task.reason_params == {"tier": "key", "before": "stable", "lifecycle": facts}
    assert in_language("en", task) == (
        "Key customer moved from Stable to the decline stage. "
        "Purchase rate fell 45% vs previous 6 months, P(alive) 0.81"
    )
    assert in_language("zh-hans", task).endswith(" 购买频率较前 6 个月下降 45%，存活概率 0.81")
    assert in_language("zh-hant", task).endswith(" 購買頻率較前 6 個月下降 45%，存活機率 0.81")


def test_rows_stored_before_the_codes_keep_their_text():
    legacy = Task(kind=TaskKind.DECLINE, reason="核心客户 moved from — to the decline stage")
    manual = Task(kind=TaskKind.MANUAL, reason="Bring the samples")

    assert in_language("zh-hant", legacy) == "核心客户 moved from — to the decline stage"
    assert in_language("en", manual) == "Bring the samples"


def test_parameters_that_do_not_fit_their_code_fall_back_instead_of_breaking_the_page():
    broken = Task(reason_code=ReasonCode.TIER_DOWNGRADE, reason_params={"before": "core"})

    assert in_language("en", broken) == "tier downgraded"  # the code's label, no traceback
    assert render_reason("no_such_code", {}, "stored text") == "stored text"


def test_the_digest_is_written_in_the_recipients_language_not_the_senders(settings, owner):
    settings.LANGUAGE_CODE = "zh-hant"  # users have no language preference: the site default
    customer = make_customer(owner=owner, name="North Gas")
    make_invoice(customer, "1200.00", dt.date(2025, 11, 1), dt.date(2025, 12, 1))
    mail.outbox.clear()

    with translation.override("en"):  # whoever triggered the run reads English
        services.raise_tasks_for_run(make_run(), today=TODAY, now=NOW)

    (message,) = mail.outbox
    assert message.subject == "Pareto CRM：1 項新任務"
    assert "的評分執行為您新建了 1 項任務：" in message.body
    assert "North Gas: 1 張發票逾期，未收金額 1,200.00 " in message.body
    assert "請在 Pareto CRM 中開啟「我的任務」處理。" in message.body


def test_the_digest_in_english_for_an_english_site(settings, owner):
    settings.LANGUAGE_CODE = "en"
    make_invoice(make_customer(owner=owner), "1200.00", dt.date(2025, 11, 1), dt.date(2025, 12, 1))
    mail.outbox.clear()

    with translation.override("zh-hans"):
        services.raise_tasks_for_run(make_run(), today=TODAY, now=NOW)

    (message,) = mail.outbox
    assert message.subject == "Pareto CRM: 1 new task"
    assert "raised 1 new task for you:" in message.body and "1 invoice overdue" in message.body


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Tier downgraded from Core customer to Key customer."),
        ("zh-hans", "客户等级从核心客户降为重要客户。"),
        ("zh-hant", "客戶等級從核心客戶降為重要客戶。"),
    ],
)
def test_my_tasks_page_shows_the_reason_in_the_readers_language(downgraded, language, expected):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(downgraded.owner)

    page = client.get(reverse("work:tasks")).content.decode()

    assert f"<td>{expected}</td>" in page


def test_the_api_keeps_the_code_and_adds_the_sentence_in_the_requests_language(downgraded):
    client = APIClient()
    client.force_authenticate(user=downgraded.owner)
    url = f"/api/work/tasks/{downgraded.pk}/"

    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()

    assert chinese["reason_code"] == english["reason_code"] == "tier_downgrade"
    assert chinese["reason_params"] == {"before": "core", "after": "key"}
    assert chinese["reason_text"] == "客户等级从核心客户降为重要客户。"
    assert english["reason_text"] == "Tier downgraded from Core customer to Key customer."


def test_a_later_run_rewrites_the_code_of_a_task_stored_as_text(owner):
    customer = make_customer(owner=owner)
    legacy = Task.objects.create(
        customer=customer,
        owner=owner,
        kind=TaskKind.OVERDUE_RECEIVABLE,
        reason="old text",
        due_on=TODAY,
    )
    make_invoice(customer, "1200.00", dt.date(2025, 11, 1), dt.date(2025, 12, 1))

    services.raise_tasks_for_run(make_run(), today=TODAY, now=NOW)

    legacy.refresh_from_db()
    assert legacy.reason_code == ReasonCode.OVERDUE_RECEIVABLE
    assert in_language("en", legacy).startswith("1 invoice overdue")


def test_a_customer_first_scored_in_decline_has_no_earlier_stage_to_name():
    params = {"tier": "core", "before": "", "why": "purchase rate fell 30% vs previous 6 months"}
    text = {}
    for language in ("en", "zh-hant"):
        with translation.override(language):
            text[language] = render_reason(ReasonCode.DECLINE, params)
    assert text["en"] == (
        "Core customer entered the decline stage. Purchase rate fell 30% vs previous 6 months"
    )
    assert text["zh-hant"].startswith("核心客戶進入退化期。")
    assert "—" not in text["en"] + text["zh-hant"]
