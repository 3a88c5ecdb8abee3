"""The daily digest (issue 16, work that fits a day): one mail per person per day, through a
real SMTP conversation, in the recipient's language, only with news, never twice a day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from paretocrm.customers.models import Customer
from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.jobs import registry
from paretocrm.jobs.services import enqueue_due_jobs
from paretocrm.service.models import Case
from paretocrm.users.models import User
from paretocrm.work import digest
from paretocrm.work.choices import ReasonCode, TaskKind
from paretocrm.work.models import DigestDelivery, Task
from paretocrm.work.tests.smtp_sink import smtp_sink

pytestmark = pytest.mark.django_db


@pytest.fixture
def kam() -> User:
    return make_user(
        role="key_account_manager",
        email="wang.fang@example.com",
        first_name="芳",
        last_name="王",
        language="zh-hant",
    )


def _working_day(kam: User, now: dt.datetime) -> None:
    """A new task, an overdue one, a complaint past its SLA and a customer who fell a tier."""
    today = timezone.localdate(now)
    huadong = make_customer(owner=kam, name="华东果业集团")
    lingnan = make_customer(owner=kam, name="岭南冷链物流有限公司")
    jinling = make_customer(owner=kam, name="金陵食品贸易")
    Task.objects.create(
        customer=huadong,
        owner=kam,
        kind=TaskKind.OVERDUE_RECEIVABLE,
        reason_code=ReasonCode.OVERDUE_RECEIVABLE,
        reason_params={
            "count": 2,
            "total": "186400.00",
            "currency": "CNY",
            "oldest": "2026-10-02",
            "days": 61,
            "invoices": ["FP-2026-0311", "FP-2026-0342"],
        },
        reason="",
        due_on=today + dt.timedelta(days=3),
    )
    late = Task.objects.create(
        customer=lingnan,
        owner=kam,
        kind=TaskKind.DECLINE,
        reason="采购量连续三个月下降",
        due_on=today - dt.timedelta(days=2),
    )
    Task.objects.filter(pk=late.pk).update(created_at=now - dt.timedelta(days=5))
    Case.objects.create(
        number="GD-20261205-007",
        customer=lingnan,
        case_type="complaint",
        priority="high",
        subject="冷链温度超标",
        opened_at=now - dt.timedelta(hours=30),
        sla_first_response_hours=4,
        sla_resolution_hours=24,
    )
    before = make_run()
    make_score(before, jinling, tier="core")
    after = make_run()
    make_score(after, jinling, tier="key")


def test_one_mail_lists_new_and_overdue_tasks_sla_breaches_and_tier_drops_in_her_language(
    settings, kam
):
    settings.PUBLIC_BASE_URL = "https://crm.example.cn"
    now = timezone.now()
    _working_day(kam, now)

    with smtp_sink(settings) as sink:
        run = digest.send_daily_digests(now=now)

    assert run.sent == 1
    ((rcpt, message),) = sink.received
    assert rcpt == ["wang.fang@example.com"]
    assert "項" in message["Subject"]  # 繁體中文, her language, not the site's
    body = sink.bodies("wang.fang@example.com")[0]
    assert "华东果业集团" in body  # names as written, never converted
    assert "FP-2026-0311" in body  # the new task, worded by the task's reason
    assert "岭南冷链物流有限公司" in body and "采购量连续三个月下降" in body  # overdue task
    assert "GD-20261205-007" in body  # the complaint past its SLA time
    case = Case.objects.get(number="GD-20261205-007")
    assert f"https://crm.example.cn/service/{case.pk}/" in body
    jinling = Customer.objects.get(name="金陵食品贸易")
    assert f"https://crm.example.cn/customers/{jinling.pk}/" in body
    assert "核心客戶 → 重要客戶" in body  # tier before → after, translated
    assert "https://crm.example.cn/work/tasks/" in body
    assert "https://crm.example.cn/account/settings/" in body  # where to turn it off


def test_nothing_to_report_sends_nothing_and_an_opt_out_is_respected(settings, kam):
    quiet = make_user(role="sales_rep", email="zhao.lei@example.com")
    make_customer(owner=quiet, name="苏州精密机械")  # a customer, but nothing happened
    now = timezone.now()
    _working_day(kam, now)
    kam.daily_digest = False
    kam.save()

    with smtp_sink(settings) as sink:
        run = digest.send_daily_digests(now=now)

    assert sink.received == []
    assert run.sent == 0 and run.nothing_to_report >= 1
    assert not DigestDelivery.objects.exists()


def test_a_restart_the_same_day_sends_nothing_twice_the_next_day_sends_again(settings, kam):
    now = timezone.now()
    _working_day(kam, now)

    with smtp_sink(settings) as sink:
        first = digest.send_daily_digests(now=now)
        again = digest.send_daily_digests(now=now + dt.timedelta(hours=2))
        assert len(sink.received) == 1
        tomorrow = digest.send_daily_digests(now=now + dt.timedelta(days=1))

    assert (first.sent, again.sent, again.already_sent) == (1, 0, 1)
    assert tomorrow.sent == 1  # the overdue task is still overdue the next day
    assert len(sink.received) == 2
    assert DigestDelivery.objects.filter(user=kam).count() == 2


def test_a_failed_send_gives_the_day_back_for_the_jobs_retry(settings, kam):
    now = timezone.now()
    _working_day(kam, now)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    with pytest.raises(OSError):
        digest.send_daily_digests(now=now)

    assert not DigestDelivery.objects.exists()
    with smtp_sink(settings) as sink:
        assert digest.send_daily_digests(now=now).sent == 1
    assert len(sink.received) == 1


def test_the_worker_schedules_the_digest_once_a_day(settings):
    settings.DIGEST_AT = dt.time(7, 30)
    job = registry.get_job("daily-digest")
    assert job.daily_at == dt.time(7, 30)
    day = timezone.make_aware(dt.datetime(2026, 12, 7, 6, 0))
    assert "daily-digest" not in enqueue_due_jobs(day)  # first sight: scheduled for 07:30
    assert "daily-digest" in enqueue_due_jobs(day + dt.timedelta(hours=2))
    assert "daily-digest" not in enqueue_due_jobs(day + dt.timedelta(hours=3))


def test_each_person_turns_the_digest_off_and_picks_the_mail_language(client, kam):
    client.force_login(kam)
    page = client.get("/account/settings/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "每日摘要" in page.content.decode() and "系统默认" in page.content.decode()

    answer = client.post("/account/settings/", {"language": "zh-hans"})  # box unticked

    assert answer.status_code == 302
    kam.refresh_from_db()
    assert kam.daily_digest is False and kam.language == "zh-hans"
