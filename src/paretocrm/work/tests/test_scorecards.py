"""Scorecards: every figure checked against values worked out by hand, and the scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from paretocrm.customers.tests.factories import (
    make_customer,
    make_invoice,
    make_order,
    make_payment,
    make_user,
)
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.service.models import Case, SurveyResponse
from paretocrm.work.scorecards import build_scorecards, managers_for

pytestmark = pytest.mark.django_db
START, END = dt.date(2026, 1, 1), dt.date(2026, 1, 31)  # previous period: 2025-12-01..31


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def world():
    li = make_user(role="key_account_manager", username="li")
    wang = make_user(role="key_account_manager", username="wang")
    run = make_run()
    core, ordinary = make_customer(owner=li), make_customer(owner=li)
    make_score(run, core, tier="core")
    make_score(run, ordinary, tier="ordinary")
    wang_key = make_customer(owner=wang)
    make_score(run, wang_key, tier="key")
    # Revenue: li's core customer 2 x 500 x 90% = 900 now, 600 in December; the ordinary
    # customer's order does not count; a cancelled order does not count.
    make_order(core, [("2", "500", None, "10")], ordered_at=at(dt.date(2026, 1, 15)))
    make_order(core, [("1", "600", None, "0")], ordered_at=at(dt.date(2025, 12, 10)))
    make_order(core, [("9", "999", None, "0")], ordered_at=at(END), status="cancelled")
    make_order(ordinary, [("1", "5000", None, "0")], ordered_at=at(dt.date(2026, 1, 5)))
    make_order(wang_key, [("1", "300", None, "0")], ordered_at=at(dt.date(2026, 1, 20)))
    # Collection: li invoices 1000 + 600 due in January; 700 + 100 paid by 31 Jan, 200 later.
    first = make_invoice(core, "1000.00", dt.date(2025, 12, 1), dt.date(2026, 1, 10))
    second = make_invoice(ordinary, "600.00", dt.date(2025, 12, 5), dt.date(2026, 1, 20))
    make_invoice(core, "999.00", dt.date(2026, 1, 5), dt.date(2026, 2, 5))  # due later
    make_payment(core, "700.00", dt.date(2026, 1, 12), invoice=first)
    make_payment(ordinary, "100.00", dt.date(2026, 1, 31), invoice=second)
    make_payment(core, "200.00", dt.date(2026, 2, 2), invoice=first)
    # Satisfaction: CSAT 4 and 5 -> 4.5; NPS 10, 9, 7, 3 -> (2 - 1) / 4 = 25.
    for kind, score in (("csat", 4), ("csat", 5), ("nps", 10), ("nps", 9), ("nps", 7), ("nps", 3)):
        SurveyResponse.objects.create(
            customer=core, kind=kind, score=score, answered_at=at(dt.date(2026, 1, 8))
        )
    SurveyResponse.objects.create(
        customer=core, kind="csat", score=1, answered_at=at(START) - dt.timedelta(days=3)
    )
    # Cases: 3 in January (2 complaints); first response in time, late, and none (time up).
    opened = at(dt.date(2026, 1, 4), 8)
    for number, kind, answered in (
        ("C1", "complaint", opened + dt.timedelta(hours=2)),
        ("C2", "complaint", opened + dt.timedelta(hours=9)),
        ("C3", "inquiry", None),
    ):
        Case.objects.create(
            number=number,
            customer=core,
            case_type=kind,
            subject=number,
            opened_at=opened,
            sla_first_response_hours=4,
            sla_resolution_hours=48,
            first_response_at=answered,
        )
    return li, wang


def test_scorecard_figures_match_hand_computed_values(world):
    li, wang = world
    cards = {c.manager.username: c for c in build_scorecards([li, wang], START, END)}
    card = cards["li"]

    assert (card.accounts, card.key_accounts) == (2, 1)
    assert card.key_revenue == Decimal("900.00")
    assert card.previous_key_revenue == Decimal("600.00")
    assert card.growth == pytest.approx(0.5)  # (900 - 600) / 600
    assert card.invoiced == Decimal("1600.00") and card.collected == Decimal("800.00")
    assert card.collection_rate == pytest.approx(0.5)  # 800 / 1600
    assert card.csat == pytest.approx(4.5)
    assert card.nps == pytest.approx(25.0)
    assert (card.cases, card.complaints) == (3, 2)
    assert (card.sla_met, card.sla_cases) == (1, 3)
    assert card.timeliness == pytest.approx(1 / 3)
    other = cards["wang"]
    assert other.key_revenue == Decimal("300.00") and other.growth is None
    assert other.csat is None and other.collection_rate is None


def test_ranking_puts_the_best_first_and_fewer_complaints_ahead(world):
    li, wang = world
    by_revenue = build_scorecards([li, wang], START, END)
    assert [(c.rank, c.manager.username) for c in by_revenue] == [(1, "li"), (2, "wang")]
    by_complaints = build_scorecards([li, wang], START, END, rank_by="complaints")
    assert [c.manager.username for c in by_complaints] == ["wang", "li"]
    with pytest.raises(ValueError, match="rank_by"):
        build_scorecards([li], START, END, rank_by="mood")
    with pytest.raises(ValueError, match="period"):
        build_scorecards([li], END, START)


def test_a_manager_sees_only_their_own_card_and_the_general_manager_sees_all(world):
    li, _wang = world
    boss = make_user(role="general_manager")
    assert managers_for(li) == [li]
    assert {u.username for u in managers_for(boss)} >= {"li", "wang"}


def test_scorecards_use_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    li, wang = world
    more = [make_user(role="key_account_manager") for _ in range(5)]
    # 9 figure queries + targets + ownership rotation + the revenue forecast (current run,
    # one aggregate), whatever the number of managers
    with django_assert_max_num_queries(13):
        build_scorecards([li, wang, *more], START, END)


def test_target_achievement_is_prorated_and_rotation_counted_by_hand(world):
    from paretocrm.customers.models import OwnershipChange
    from paretocrm.work.services import set_target

    li, wang = world
    # Quarter target 2700 over 90 days (1 Jan - 31 Mar): January's share 2700 x 31 / 90 = 930.
    set_target(
        manager=li,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        revenue_target="2700",
    )
    set_target(  # December: does not overlap January
        manager=li,
        period_start=dt.date(2025, 12, 1),
        period_end=dt.date(2025, 12, 31),
        revenue_target="5000",
    )
    moved = make_customer(owner=li)
    OwnershipChange.objects.create(
        customer=moved, old_owner=wang, new_owner=li, changed_at=at(dt.date(2026, 1, 10))
    )
    OwnershipChange.objects.create(
        customer=moved, old_owner=li, new_owner=wang, changed_at=at(dt.date(2025, 12, 10))
    )
    cards = {c.manager: c for c in build_scorecards([li, wang], START, END, rank_by="achievement")}
    assert cards[li].target == Decimal("930.00")
    assert cards[li].achievement == pytest.approx(900 / 930)  # key revenue 900 (see world)
    assert (cards[li].gained, cards[li].lost) == (1, 0)
    assert (cards[wang].target, cards[wang].achievement) == (None, None)
    assert (cards[wang].gained, cards[wang].lost) == (0, 1)
    assert cards[li].rank == 1  # a card without a target ranks after those with one


def test_target_input_is_checked_and_names_the_field(world):
    from paretocrm.work.services import TaskError, set_target

    li, _wang = world
    with pytest.raises(TaskError, match=r"^revenue_target"):
        set_target(manager=li, period_start=START, period_end=END, revenue_target="-5")
    with pytest.raises(TaskError, match=r"^period_end"):
        set_target(manager=li, period_start=END, period_end=START, revenue_target="5")
    first = set_target(manager=li, period_start=START, period_end=END, revenue_target="100")
    again = set_target(manager=li, period_start=START, period_end=END, revenue_target="150")
    assert first.pk == again.pk and again.revenue_target == Decimal("150")


def test_general_manager_sets_targets_sees_chart_and_downloads_the_sheet(client, world):
    import io

    import openpyxl
    from django.urls import reverse

    li, _wang = world
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the sheet's headers are English here
    client.force_login(make_user(role="general_manager"))
    period = {"start": "2026-01-01", "end": "2026-01-31"}
    url = reverse("work:scorecards") + "?start=2026-01-01&end=2026-01-31"
    client.post(
        url,
        {
            "manager": li.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-01-31",
            "revenue_target": "1800",
        },
    )
    page = client.get(reverse("work:scorecards"), period).content.decode()
    assert 'data-chart="bars"' in page and "50.0%" in page  # 900 of 1800
    printed = client.get(reverse("work:scorecards"), {**period, "print": 1}).content.decode()
    assert "data-print" in printed
    export = client.get(reverse("work:scorecards_export"), period)
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    li_row = dict(zip(rows[0], next(r for r in rows if r[1] == "li"), strict=True))
    assert li_row["target"] == 1800 and li_row["achievement"] == 0.5
    client.force_login(li)
    assert client.post(url, {"manager": li.pk}).status_code == 403


def test_the_ranking_options_are_labels_not_keys_in_chinese(world):
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(make_user(role="general_manager"))

    page = client.get(reverse("work:scorecards")).content.decode()

    options = page.split('name="rank_by"', 1)[1].split("</select>", 1)[0]
    for key in ("key_revenue", "csat", "collection_rate", "complaints"):
        assert f">{key}<" not in options
    assert ">大客户收入<" in options and ">客户满意度<" in options


def test_the_scorecard_calls_its_people_account_managers_not_direct_superiors(world):
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(make_user(role="general_manager"))

    page = client.get(reverse("work:scorecards")).content.decode()

    assert "直属上级" not in page
    assert "<th>客户经理</th>" in page


def test_the_scorecard_sheet_has_chinese_headers_in_the_chinese_interface(world):
    import io

    import openpyxl
    from django.test import Client
    from django.urls import reverse

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(make_user(role="general_manager"))

    export = client.get(reverse("work:scorecards_export"))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    headers = next(book.active.iter_rows(values_only=True))

    assert not set(headers) & {"key_revenue", "csat", "collection_rate", "manager", "rank"}
    assert "大客户收入" in headers and "客户满意度" in headers
