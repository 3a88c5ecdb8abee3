"""Import headers in zh-Hant are written in Traditional characters, and an import accepts the
headers of both scripts (issue 16: the zh-Hant headers were Simplified)."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from paretocrm.customers.tests.factories import make_user
from paretocrm.imports import validation as check
from paretocrm.imports.kinds import KINDS
from paretocrm.users.choices import Role

SRC = Path(__file__).resolve().parents[2]


def simplified_in_our_catalogues() -> set[str]:
    """Characters our zh_Hans and zh_Hant catalogues write differently (户 and 戶 ...),
    an independent list to hold the headers against."""
    found: set[str] = set()
    same: set[str] = set()
    for folder in [SRC / "locale", *SRC.glob("*/locale")]:
        pair = []
        for script in ("zh_Hans", "zh_Hant"):
            with (folder / script / "LC_MESSAGES" / "django.mo").open("rb") as file:
                pair.append(gettext.GNUTranslations(file)._catalog)  # type: ignore[attr-defined]
        for key, hans in pair[0].items():
            hant = pair[1].get(key)
            if isinstance(hans, str) and isinstance(hant, str) and len(hans) == len(hant):
                for a, b in zip(hans, hant, strict=True):
                    (found if a != b else same).add(a)
    # Word choices line up as characters too: zh_Hant says 通路 where zh_Hans says 渠道,
    # but 渠 is written the same in both scripts.
    return found - same - {"渠"}


def test_the_customer_headers_read_in_each_script() -> None:
    customers = KINDS["customers"]
    assert customers.header("code", "zh-hans") == "客户编号"
    assert customers.header("code", "zh-hant") == "客戶編號"
    assert customers.header("cooperation_level", "zh-hant") == "合作層次"
    assert KINDS["contacts"].header("relationship_strength", "zh-hant") == "關係強度"


def test_no_zh_hant_header_has_a_simplified_character() -> None:
    simplified = simplified_in_our_catalogues()
    assert {"户", "编", "号"} <= simplified  # the list is not empty by accident
    slips = {
        f"{name}.{column}: {header}"
        for name, kind in KINDS.items()
        if kind.has_template
        for column, header in zip(kind.columns, kind.headers("zh-hant"), strict=True)
        if set(header) & simplified
    }
    assert slips == set()


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_a_file_with_the_headers_of_either_script_maps_every_column(language: str) -> None:
    for name, kind in KINDS.items():
        if not kind.has_template:
            continue
        headers = kind.headers(language)
        report = check.Report("test.csv")
        mapping = kind().map_headers(headers, report)
        assert sorted(mapping.values()) == sorted(kind.columns), (name, language)
        assert not report.issues, (name, language)


@pytest.mark.django_db
def test_the_chinese_template_follows_the_readers_script() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hant")
    client.force_login(make_user(Role.ADMINISTRATOR))

    url = reverse("imports:template", args=["customers", "csv", "zh"])
    header = client.get(url).content.decode("utf-8-sig").splitlines()[0]

    assert header.startswith("客戶編號,客戶名稱")
    assert "户" not in header and "编" not in header
    with translation.override("zh-hant"):
        page = client.get(reverse("imports:page")).content.decode()
    assert "客戶編號" in page and "客户编号" not in page
