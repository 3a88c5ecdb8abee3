"""Customer pages: scope, filters, search, export, the 360 view, masking and editing."""

from __future__ import annotations

import io
from urllib.parse import unquote

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from paretocrm.core.masking import mask_email, mask_phone
from paretocrm.customers.models import Customer
from paretocrm.customers.tests.factories import make_contact, make_customer, make_order, make_user
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.users.choices import Role
from paretocrm.users.models import Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict:
    """Two teams, a manager in each, one customer each, and a current snapshot."""
    east, west = Team.objects.create(name="East"), Team.objects.create(name="West")
    kam = make_user(Role.KEY_ACCOUNT_MANAGER, team=east)
    other = make_user(Role.KEY_ACCOUNT_MANAGER, team=west)
    mine = make_customer(owner=kam, name="上海果业有限公司", industry="fruit", region="华东")
    theirs = make_customer(owner=other, name="West Steel", industry="steel", region="华南")
    run = make_run()
    make_score(run, mine, tier="core", churn_risk=0.8, churn_reasons=["OVERDUE"])
    make_score(run, theirs, tier="low_value", lifecycle_stage="decline")
    return {"kam": kam, "other": other, "mine": mine, "theirs": theirs, "run": run}


def client_for(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_anonymous_user_is_sent_to_sign_in(world):
    response = Client().get(reverse("customers:list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_list_shows_only_customers_in_scope(world):
    body = client_for(world["kam"]).get(reverse("customers:list")).content.decode()
    assert "上海果业有限公司" in body
    assert "West Steel" not in body


def test_search_by_chinese_name_fragment(world):
    admin = make_user(Role.ADMINISTRATOR)
    response = client_for(admin).get(reverse("customers:list"), {"q": "果业"})
    assert list(response.context["object_list"]) == [world["mine"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tier": "core"}, "mine"),
        ({"tier": "low_value"}, "theirs"),
        ({"lifecycle_stage": "decline"}, "theirs"),
        ({"churn_risk_high": "true"}, "mine"),
        ({"industry": "STEEL"}, "theirs"),
        ({"region": "华东"}, "mine"),
    ],
)
def test_filters_select_the_matching_customer(world, params, expected):
    admin = make_user(Role.ADMINISTRATOR)
    response = client_for(admin).get(reverse("customers:list"), params)
    assert list(response.context["object_list"]) == [world[expected]]


def test_sort_by_revenue_descending(world):
    admin = make_user(Role.ADMINISTRATOR)
    world["theirs"].scores.update(revenue=5000)
    response = client_for(admin).get(reverse("customers:list"), {"sort": "-revenue"})
    assert list(response.context["object_list"]) == [world["theirs"], world["mine"]]


def test_htmx_request_gets_only_the_results_fragment(world):
    response = client_for(world["kam"]).get(reverse("customers:list"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body


def test_list_query_count_does_not_grow_with_customers(world, django_assert_max_num_queries):
    admin = make_user(Role.ADMINISTRATOR)
    for i in range(30):
        make_score(world["run"], make_customer(owner=world["kam"], name=f"Extra {i}"))
    client = client_for(admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("customers:list"))
    assert len(response.context["object_list"]) == 32


def test_csv_export_is_scoped_and_formula_safe(world):
    world["mine"].notes = "=HYPERLINK(1)"
    world["mine"].save()
    response = client_for(world["kam"]).get(reverse("customers:export", args=["csv"]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "上海果业有限公司" in body
    assert "West Steel" not in body
    assert "'=HYPERLINK(1)" in body
    assert "attachment" in response["Content-Disposition"]


def test_xlsx_export_holds_the_filtered_rows(world):
    admin = make_user(Role.ADMINISTRATOR)
    response = client_for(admin).get(reverse("customers:export", args=["xlsx"]), {"tier": "core"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["上海果业有限公司"]


def test_every_export_is_recorded_as_a_security_event(world):
    from paretocrm.audit.models import AuditEvent

    client_for(world["kam"]).get(reverse("customers:export", args=["csv"]), {"tier": "core"})
    event = AuditEvent.objects.get(kind="export")
    assert event.actor_id == world["kam"].pk
    assert event.detail == {"kind": "customers", "format": "csv", "filter": "tier=core"}


def test_assistant_may_not_export(world):
    assistant = make_user(Role.KEY_ACCOUNT_ASSISTANT)
    response = client_for(assistant).get(reverse("customers:export", args=["csv"]))
    assert response.status_code == 403


def test_detail_of_customer_outside_scope_is_404(world):
    response = client_for(world["kam"]).get(reverse("customers:detail", args=[world["theirs"].pk]))
    assert response.status_code == 404


def test_detail_shows_value_panel_timeline_and_reasons(world):
    make_order(world["mine"], number="SO-360")
    body = client_for(world["kam"]).get(reverse("customers:detail", args=[world["mine"].pk]))
    text = body.content.decode()
    assert "SO-360" in text
    assert "overdue receivables" in text
    assert "customer for 24 months" in text
    assert "contribution-data" in text


def test_the_timeline_shows_what_was_said_in_a_call_not_only_its_subject(world):
    """A call centre's notes (typed on the page or imported from a call-list file) are the
    point of the call; the 360 timeline showed the subject alone (issue 16, browser test)."""
    from django.utils import timezone

    from paretocrm.customers.models import Interaction

    Interaction.objects.create(
        customer=world["mine"],
        kind="call",
        subject="六月续约回访: 已接通",
        notes="王总确认七月追加两个柜的订单",
        occurred_at=timezone.now(),
    )
    text = client_for(world["kam"], "zh-hans").get(
        reverse("customers:detail", args=[world["mine"].pk])
    )
    timeline = text.content.decode().split('id="timeline"')[1]
    assert "六月续约回访: 已接通" in timeline and "王总确认七月追加两个柜的订单" in timeline


def test_contact_details_masked_on_the_360_page_for_every_role(world):
    """PRIV-5: masked everywhere; the full values only through the logged unmask action."""
    make_contact(world["mine"], mobile="13812345678", email="zhang@example.com")
    assistant = make_user(Role.KEY_ACCOUNT_ASSISTANT, team=world["kam"].team)
    for user in (assistant, world["kam"]):
        body = client_for(user).get(reverse("customers:detail", args=[world["mine"].pk]))
        assert "138****5678" in body.content.decode()
        assert "13812345678" not in body.content.decode()


def test_mask_helpers():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_email("zhang@example.com") == "z***@example.com"
    assert mask_phone("") == ""


def test_edit_saves_and_bumps_version(world):
    customer = world["mine"]
    url = reverse("customers:edit", args=[customer.pk])
    form = client_for(world["kam"]).get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(name="新名称", version=customer.version)
    response = client_for(world["kam"]).post(url, data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.name == "新名称"
    assert customer.version == 2


def test_edit_with_outdated_version_shows_conflict_and_keeps_data(world):
    customer = world["mine"]
    url = reverse("customers:edit", args=[customer.pk])
    data = {"name": "Mine", "channel": "direct", "currency": "CNY", "version": customer.version}
    Customer.objects.get(pk=customer.pk).save()  # someone else saves meanwhile
    response = client_for(world["kam"]).post(url, data)
    assert response.status_code == 200
    assert "Someone else changed this customer" in response.content.decode()
    customer.refresh_from_db()
    assert customer.name == "上海果业有限公司"


def test_edit_rejects_out_of_range_rating_input(world):
    url = reverse("customers:edit", args=[world["mine"].pk])
    data = {"name": "X", "channel": "direct", "currency": "CNY", "industry_influence": 9}
    data["version"] = world["mine"].version
    response = client_for(world["kam"]).post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["industry_influence"]


def test_edit_of_customer_outside_scope_is_404(world):
    response = client_for(world["kam"]).get(reverse("customers:edit", args=[world["theirs"].pk]))
    assert response.status_code == 404


def test_list_counts_customers_without_the_score_join(world):
    """The page count reads customers alone (B7): the score join only serves the page rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client_for(world["kam"]).get(reverse("customers:list"), {"tier": "core"})
    counts = [
        q["sql"] for q in queries if "COUNT(*)" in q["sql"] and "customers_customer" in q["sql"]
    ]
    assert counts, "the list counted its customers"
    assert all("current_score" not in sql for sql in counts)
    assert response.context["paginator"].count == 1
    assert list(response.context["object_list"]) == [world["mine"]]


def test_filter_choices_start_with_a_word_not_dashes(world):
    body = client_for(world["kam"], "zh-hans").get(reverse("customers:list")).content.decode()
    assert "---------" not in body
    assert '<option value="" selected>全部</option>' in body


@pytest.mark.parametrize(
    ("language", "segment"), [("zh-hans", "冠军客户"), ("zh-hant", "冠軍客戶")]
)
def test_360_names_the_rfm_segment_in_the_readers_language(world, language, segment):
    world["mine"].scores.update(rfm_segment="Champions")
    page = client_for(world["kam"], language).get(
        reverse("customers:detail", args=[world["mine"].pk])
    )
    body = page.content.decode()
    assert segment in body and "Champions" not in body


@pytest.mark.parametrize(("language", "prefix"), [("zh-hans", "客户-"), ("zh-hant", "客戶-")])
def test_the_export_file_is_named_customers_not_customer_count(world, language, prefix):
    client = client_for(make_user(Role.ADMINISTRATOR), language)
    response = client.get(reverse("customers:export", args=["csv"]))

    disposition = unquote(response["Content-Disposition"])
    assert prefix in disposition and "客户数" not in disposition and "客戶數" not in disposition
