"""Issue 16 finding 5: campaigns are created, edited and archived in the app, by the roles
the role policy gives the edit-campaigns function, through ``marketing.services``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from paretocrm.core.policy import STAFF_ROLES, Function, has_function
from paretocrm.customers.tests.factories import make_user
from paretocrm.marketing.models import Campaign

pytestmark = pytest.mark.django_db


def client_for(role: str, language: str = "zh-hans") -> tuple[Client, object]:
    user = make_user(role=role, first_name="晓梅", last_name="周")
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client, user


def mid_autumn(**fields: object) -> Campaign:
    values: dict[str, object] = {
        "name": "中秋月饼礼盒团购",
        "campaign_type": "promotion",
        "target_tier": "core",
        "budget": Decimal("38000.00"),
        "start_date": dt.date(2026, 9, 1),
        "end_date": dt.date(2026, 9, 25),
    }
    values.update(fields)
    return Campaign.objects.create(**values)


FORM = {
    "name": "春季新品试用装",
    "campaign_type": "product",
    "description": "给核心客户寄送试用装",
    "target_tier": "core",
    "target_segment": "Champions",
    "channel": "wechat",
    "budget": "52000.00",
    "cost": "0",
    "currency": "CNY",
    "start_date": "2026-03-01",
    "end_date": "2026-03-31",
    "status": "planned",
}


def may_edit(role: str) -> bool:
    return has_function(make_user(role=role), Function.EDIT_CAMPAIGNS)


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_new_campaign_page_follows_the_role_policy(role):
    client, user = client_for(role)
    allowed = has_function(user, Function.EDIT_CAMPAIGNS)

    page = client.get(reverse("marketing:campaign_new"))
    answer = client.post(reverse("marketing:campaign_new"), FORM)

    assert page.status_code == (200 if allowed else 403)
    made = Campaign.objects.filter(name=FORM["name"]).first()
    if allowed:
        assert answer.status_code == 302 and made is not None
        assert answer["Location"] == reverse("marketing:campaign", args=[made.pk])
        assert (made.owner, made.channel, made.target_segment) == (user, "wechat", "Champions")
        assert made.budget == Decimal("52000.00") and made.end_date == dt.date(2026, 3, 31)
    else:
        assert answer.status_code == 403 and made is None


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_edit_page_follows_the_role_policy(role):
    client, user = client_for(role)
    allowed = has_function(user, Function.EDIT_CAMPAIGNS)
    campaign = mid_autumn()
    body = FORM | {"name": "中秋月饼礼盒团购（加推）", "version": campaign.version}

    page = client.get(reverse("marketing:campaign_edit", args=[campaign.pk]))
    answer = client.post(reverse("marketing:campaign_edit", args=[campaign.pk]), body)

    campaign.refresh_from_db()
    assert page.status_code == (200 if allowed else 403)
    if allowed:
        assert answer.status_code == 302
        assert campaign.name == "中秋月饼礼盒团购（加推）" and campaign.version == 2
    else:
        assert answer.status_code == 403
        assert campaign.name == "中秋月饼礼盒团购" and campaign.version == 1


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_archive_asks_first_and_follows_the_role_policy(role):
    client, user = client_for(role)
    allowed = has_function(user, Function.EDIT_CAMPAIGNS)
    campaign = mid_autumn()
    url = reverse("marketing:campaign_archive", args=[campaign.pk])

    confirm = client.get(url)
    campaign.refresh_from_db()
    assert campaign.archived_at is None  # asking archives nothing
    if not allowed:
        assert confirm.status_code == 403
        assert client.post(url, {"version": campaign.version}).status_code == 403
        campaign.refresh_from_db()
        assert campaign.archived_at is None
        return
    text = confirm.content.decode()
    assert confirm.status_code == 200 and "中秋月饼礼盒团购" in text and 'method="post"' in text
    answer = client.post(url, {"version": campaign.version})
    campaign.refresh_from_db()
    assert answer.status_code == 302 and campaign.archived_at is not None
    listed = client.get(reverse("marketing:campaigns")).content.decode()
    assert "中秋月饼礼盒团购" not in listed
    archive = client.get(reverse("marketing:campaigns") + "?archived=1").content.decode()
    assert "中秋月饼礼盒团购" in archive


def test_archiving_a_page_that_is_out_of_date_changes_nothing():
    client, _user = client_for("marketing")
    campaign = mid_autumn()
    stale = campaign.version
    campaign.name = "中秋礼盒（改）"
    campaign.save()

    client.post(reverse("marketing:campaign_archive", args=[campaign.pk]), {"version": stale})

    campaign.refresh_from_db()
    assert campaign.archived_at is None


def test_an_archived_campaign_cannot_be_edited():
    client, _user = client_for("marketing")
    campaign = mid_autumn()
    client.post(
        reverse("marketing:campaign_archive", args=[campaign.pk]), {"version": campaign.version}
    )
    campaign.refresh_from_db()

    answer = client.get(reverse("marketing:campaign_edit", args=[campaign.pk]))

    assert answer.status_code == 404


@pytest.mark.parametrize(
    ("language", "changes", "field_label", "message"),
    [
        ("zh-hans", {"end_date": "2026-02-01"}, "结束日期", "营销活动的结束日期不能早于开始日期"),
        ("zh-hant", {"end_date": "2026-02-01"}, "結束日期", "行銷活動的結束日期不能早於開始日期"),
        ("zh-hans", {"budget": "-1"}, "预算", "0"),
        ("zh-hans", {"name": ""}, "名称", "该字段是必填项"),
        ("zh-hans", {"start_date": "明天"}, "开始日期", "输入一个有效的日期"),
        ("en", {"end_date": "2026-02-01"}, "End date", "A campaign must end on or after"),
    ],
)
def test_validation_errors_name_the_field_in_the_users_language(
    language, changes, field_label, message
):
    client, _user = client_for("marketing", language)

    answer = client.post(reverse("marketing:campaign_new"), FORM | changes)

    text = answer.content.decode()
    assert answer.status_code == 400
    assert not Campaign.objects.exists()
    errors = text.split('id="form-errors"', 1)[1].split("</div>", 1)[0]
    assert field_label in errors and message in errors


def test_the_form_offers_segments_and_tiers_by_their_labels():
    client, _user = client_for("marketing")
    text = client.get(reverse("marketing:campaign_new")).content.decode()
    assert '<option value="Champions">冠军客户</option>' in text or "冠军" in text
    assert '<option value="core">核心</option>' in text
    assert '<label for="id_name">名称</label>' in text


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_the_new_campaign_link_is_shown_to_the_roles_that_may(role):
    client, user = client_for(role)
    listed = client.get(reverse("marketing:campaigns")).content.decode()
    link = f'href="{reverse("marketing:campaign_new")}"'
    assert (link in listed) is has_function(user, Function.EDIT_CAMPAIGNS)


def test_send_to_the_segment_uses_the_campaigns_channel():
    client, _user = client_for("marketing")
    campaign = mid_autumn(channel="sms")
    text = client.get(reverse("marketing:campaign", args=[campaign.pk])).content.decode()
    assert '<option value="sms" selected>' in text


def test_a_new_concept_survey_cannot_be_tied_to_an_archived_campaign():
    client, _user = client_for("marketing")
    archived = mid_autumn(name="去年中秋礼盒")
    current = mid_autumn(name="今年国庆团购")
    client.post(
        reverse("marketing:campaign_archive", args=[archived.pk]), {"version": archived.version}
    )
    text = client.get(reverse("marketing:concepts")).content.decode()
    assert f'value="{current.pk}"' in text and f'value="{archived.pk}"' not in text
