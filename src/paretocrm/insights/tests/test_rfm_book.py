"""The RFM view of the book (issue 16, numbers that mislead #9): segments x counts x value
from the stored snapshot, scoped to the reader, each cell a link to its customers."""

from __future__ import annotations

import re
from decimal import Decimal
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.users.choices import Role
from paretocrm.users.models import Team

pytestmark = pytest.mark.django_db


def client_for(user, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def book() -> dict:
    east, west = Team.objects.create(name="华东大客户部"), Team.objects.create(name="华南大客户部")
    kam = make_user(Role.KEY_ACCOUNT_MANAGER, team=east, username="wang.fang")
    other = make_user(Role.KEY_ACCOUNT_MANAGER, team=west, username="chen.jie")
    old = make_run()
    run = make_run()
    names = {
        "华东果业集团": ("Champions", "core", "1286400.00"),
        "金陵食品贸易": ("Champions", "key", "413250.50"),
        "苏州精密机械": ("At risk", "key", "97800.00"),
        "杭州小满茶饮": ("Lost", "low_value", "3120.00"),
    }
    mine = {}
    for name, (segment, tier, revenue) in names.items():
        customer = make_customer(owner=kam, name=name)
        make_score(old, customer, rfm_segment="Loyal")  # an older run is never counted
        make_score(run, customer, rfm_segment=segment, tier=tier, revenue=Decimal(revenue))
        mine[name] = customer
    theirs = make_customer(owner=other, name="岭南冷链物流有限公司")
    make_score(run, theirs, rfm_segment="Champions", revenue=Decimal("5000000.00"))
    return {"kam": kam, "other": other, "mine": mine, "theirs": theirs}


def _row(html: str, segment: str) -> str:
    match = re.search(r'<tr id="rfm-' + re.escape(segment) + r'">(.*?)</tr>', html, re.S)
    assert match, f"no row for {segment}"
    return match.group(1)


def test_segments_count_and_value_the_readers_customers_from_the_stored_scores(book):
    with mock.patch("paretocrm.insights.services.run_scoring") as scoring:
        page = client_for(book["kam"]).get("/rfm/")
    scoring.assert_not_called()
    html = page.content.decode()
    assert page.status_code == 200
    assert "冠军客户" in html  # the segment in the reader's language
    champions = _row(html, "Champions")
    assert ">2<" in champions  # two of her customers, not the other team's third
    assert "1,699,650" in champions  # 1,286,400.00 + 413,250.50, the other team's excluded
    assert "5,000,000" not in html and "岭南冷链物流有限公司" not in html
    assert ">1<" in _row(html, "At risk")
    assert "Loyal" not in re.findall(r'id="rfm-([^"]+)"', html)  # the older run's segment


def test_each_cell_drills_down_to_the_customer_list_of_that_segment(book):
    client = client_for(book["kam"])
    html = client.get("/rfm/").content.decode()
    link = "/customers/?rfm_segment=Champions&amp;tier=core"
    assert link in html
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert "华东果业集团" in listed
    assert "金陵食品贸易" not in listed and "苏州精密机械" not in listed
    segment_only = client.get("/customers/?rfm_segment=Champions").content.decode()
    assert "华东果业集团" in segment_only and "金陵食品贸易" in segment_only
    assert "岭南冷链物流有限公司" not in segment_only


def test_the_page_reads_in_traditional_chinese_and_english_and_is_linked(book):
    hant = client_for(book["kam"], "zh-hant").get("/rfm/").content.decode()
    english = client_for(book["kam"], "en").get("/rfm/").content.decode()
    for page in ("insights:dashboard", "insights:core_customers"):
        linking = client_for(book["kam"], "zh-hant").get(reverse(page)).content.decode()
        assert 'href="/rfm/"' in linking, page
    assert "RFM 分群" in hant and "冠軍客戶" in hant
    assert "客户" not in hant.split("<main>")[1]  # Traditional characters only
    assert "Champions" in english and "customers" in english


def test_without_a_scoring_run_the_page_says_so(book):
    from paretocrm.insights.models import ScoreRun

    ScoreRun.objects.all().delete()
    page = client_for(make_user(Role.ADMINISTRATOR), "en").get("/rfm/")
    assert page.status_code == 200
    assert "No analysis yet" in page.content.decode()
