"""Customer attributes read for the engine."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from paretocrm.customers.tests.factories import make_customer
from paretocrm.insights.attributes import read_attributes


@pytest.mark.django_db
def test_blank_scope_and_cooperation_level_are_read_as_unknown():
    blank = make_customer(scope="", cooperation_level="")
    known = make_customer(scope="global")
    frame = read_attributes(dt.date(2026, 6, 30)).set_index("customer_id")
    assert pd.isna(frame.loc[str(blank.pk), "scope"])
    assert pd.isna(frame.loc[str(blank.pk), "cooperation_level"])
    assert frame.loc[str(known.pk), "scope"] == "global"


@pytest.mark.django_db
def test_health_signals_are_read_per_customer_sla_surveys_and_contacts():
    """Account health's signals: open cases past SLA, mean satisfaction on 0-1 over the last
    year (CSAT 1-5 and NPS 0-10 rescaled), active contacts."""
    from paretocrm.customers.tests.factories import make_contact
    from paretocrm.service.choices import CaseStatus, CaseType, SurveyKind
    from paretocrm.service.models import Case, SurveyResponse

    as_of = dt.date(2026, 6, 30)
    opened = dt.datetime(2026, 6, 20, 9, tzinfo=dt.UTC)
    threaded = make_customer(name="宁波甬新阀门")
    single = make_customer(name="佛山顺德仪表")
    for name in ("王建国", "李秀英", "张伟"):
        make_contact(threaded, name=name)
    make_contact(threaded, name="赵离职", is_active=False)
    make_contact(single, name="陈志强")
    Case.objects.create(
        number="CS-2026-001",
        customer=single,
        case_type=CaseType.COMPLAINT,
        subject="阀门漏气",
        opened_at=opened,
        sla_resolution_hours=48,
    )
    Case.objects.create(
        number="CS-2026-002",
        customer=single,
        case_type=CaseType.INQUIRY,
        subject="交期",
        opened_at=opened,
        sla_resolution_hours=48,
        status=CaseStatus.RESOLVED,
        resolved_at=opened + dt.timedelta(hours=100),
    )  # resolved: no longer open, not counted
    Case.objects.create(
        number="CS-2026-003",
        customer=threaded,
        case_type=CaseType.INQUIRY,
        subject="报价",
        opened_at=opened,
        sla_resolution_hours=24 * 30,
    )  # open, still within its SLA
    answered = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    SurveyResponse.objects.create(
        customer=threaded, kind=SurveyKind.CSAT, score=5, answered_at=answered
    )
    SurveyResponse.objects.create(
        customer=threaded, kind=SurveyKind.NPS, score=8, answered_at=answered
    )
    SurveyResponse.objects.create(
        customer=threaded, kind=SurveyKind.CSAT, score=1, answered_at=answered.replace(year=2024)
    )  # more than a year before as_of: left out
    frame = read_attributes(as_of).set_index("customer_id")
    assert frame.loc[str(threaded.pk), "contacts"] == 3
    assert frame.loc[str(single.pk), "contacts"] == 1
    assert frame.loc[str(single.pk), "sla_breaches"] == 1
    assert frame.loc[str(threaded.pk), "sla_breaches"] == 0
    assert frame.loc[str(threaded.pk), "satisfaction"] == pytest.approx((1.0 + 0.8) / 2)
    assert pd.isna(frame.loc[str(single.pk), "satisfaction"])  # never asked: unknown, not 0
