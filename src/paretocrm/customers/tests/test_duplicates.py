"""Duplicate companies and people across spellings and scripts (issue 17, item 2)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from tests.api_samples import new_user

from paretocrm.customers.duplicates import (
    company_candidates,
    company_key,
    compare_company_names,
    contact_pairs,
    phone_key,
)
from paretocrm.customers.tests.factories import make_contact, make_customer

HUAYOU = ("北京华油天然气有限公司", "北京华油天然气", "Beijing Huayou Natural Gas Co., Ltd.")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("北京华油天然气有限公司", "北京华油天然气"),
        ("ＡＢＣ　Ｔｒａｄｉｎｇ　ＧｍｂＨ", "ABC Trading"),
        ("Huayou Natural Gas Co., Ltd.", "HUAYOU NATURAL GAS COMPANY LIMITED"),
        ("广州鲜果进出口有限公司（黄埔分公司）", "广州鲜果进出口有限公司"),
        ("台北華油天然氣股份有限公司", "台北華油天然氣"),
    ],
)
def test_spellings_of_one_company_have_one_key(a: str, b: str) -> None:
    assert company_key(a) == company_key(b)


def test_a_latin_suffix_is_stripped_only_as_a_whole_word() -> None:
    assert company_key("Costco") == "costco"
    assert company_key("Costco Co., Ltd.") == "costco"


def test_the_three_huayou_spellings_pair_up() -> None:
    rows = list(enumerate(HUAYOU, start=1))
    pairs = {(c.first, c.second): c for c in company_candidates(rows)}
    assert set(pairs) == {(1, 2), (1, 3), (2, 3)}
    assert pairs[(1, 2)].reasons == ("same_name",)
    assert pairs[(1, 3)].reasons == ("pinyin",)


def test_companies_of_another_city_or_brand_are_not_paired() -> None:
    rows = [
        (1, "北京华油天然气有限公司"),
        (2, "上海华油天然气有限公司"),
        (3, "北京燕山石化有限公司"),
        (4, "Beijing Yanjing Beer Co., Ltd."),
    ]
    assert company_candidates(rows) == []


def test_chinese_names_one_brand_character_apart_are_other_companies() -> None:
    """创亿 and 创汇 are two brands; 华油 and 华游 (same pinyin) is a typo of one."""
    assert company_candidates([(1, "石家庄创亿网络有限公司"), (2, "石家庄创汇网络有限公司")]) == []
    [pair] = company_candidates([(1, "北京华油天然气有限公司"), (2, "北京华游天然气有限公司")])
    assert pair.reasons == ("same_sound",)


def test_a_shared_contact_pairs_a_renamed_company() -> None:
    rows = [(1, "深圳华南电子有限公司"), (2, "深圳南方芯片科技有限公司")]
    [pair] = company_candidates(rows, shared_contacts=[(2, 1)])
    assert (pair.first, pair.second) == (1, 2)
    assert "shared_contact" in pair.reasons
    assert compare_company_names(*(name for _, name in rows)).score < 0.8


def test_phone_numbers_compare_without_country_prefix_or_punctuation() -> None:
    assert phone_key("+86 138-1234-5678") == phone_key("13812345678") == "13812345678"
    assert phone_key("０２１－６２３４５６７８") == "02162345678"


def test_contacts_sharing_a_mobile_or_an_address_pair_up() -> None:
    contacts = [
        (1, "", "+86 138 1234 5678", "chen.jing@xianguo.cn"),
        (2, "13812345678", "", ""),
        (3, "", "", "Chen.Jing@XianGuo.cn "),
        (4, "010-6666 8888", "", "wang@other.cn"),
    ]
    assert contact_pairs(contacts) == [(1, 2, "same_phone"), (1, 3, "same_email")]


# --- the page -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_lists_pairs_in_the_readers_scope_only(client: Any) -> None:
    rep, stranger = new_user("sales_rep"), new_user("sales_rep")
    first = make_customer(owner=rep, name="北京华油天然气有限公司")
    second = make_customer(owner=rep, name="Beijing Huayou Natural Gas Co., Ltd.")
    make_customer(owner=stranger, name="北京华油天然气")  # the same company, another team's
    client.force_login(rep)
    body = client.get(reverse("customers:duplicates")).content.decode()
    assert reverse("customers:detail", args=[first.pk]) in body
    assert reverse("customers:detail", args=[second.pk]) in body
    assert body.count("<tr>") == 2  # header and one pair: the stranger's record is not there
    assert "pinyin" in body


@pytest.mark.django_db
def test_contacts_sharing_a_mobile_pair_their_customers(client: Any) -> None:
    rep = new_user("key_account_manager")
    first = make_customer(owner=rep, name="深圳华南电子有限公司")
    second = make_customer(owner=rep, name="深圳南方芯片科技有限公司")
    make_contact(first, name="李强", mobile="+86 139 0000 1111")
    make_contact(second, name="李强", mobile="13900001111")
    client.force_login(rep)
    response = client.get(reverse("customers:duplicates"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert reverse("customers:detail", args=[second.pk]) in body
    assert "13900001111" not in body  # the reason names the kind of evidence, not the number


@pytest.mark.django_db
def test_the_page_compares_within_the_list_filters(client: Any) -> None:
    rep = new_user("sales_rep")
    make_customer(owner=rep, name="北京华油天然气有限公司", region="华北")
    make_customer(owner=rep, name="北京华油天然气", region="华北")
    make_customer(owner=rep, name="Beijing Huayou Natural Gas Co., Ltd.", region="海外")
    client.force_login(rep)
    body = client.get(reverse("customers:duplicates"), {"region": "华北"}).content.decode()
    assert body.count("<tr>") == 2
    assert "Beijing Huayou" not in body
