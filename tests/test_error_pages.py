"""Error pages (issue 16 finding 7): styled, translated, with the menu for a signed-in user and
nothing of the CRM for an anonymous visitor (403, 404, 500 and the CSRF failure)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.users.choices import Role

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.error_urls")]

TITLES = {
    403: {
        "en": "You may not open this page",
        "zh-hans": "您无权打开此页面",
        "zh-hant": "您無權開啟此頁面",
    },
    404: {"en": "This page was not found", "zh-hans": "找不到此页面", "zh-hant": "找不到此頁面"},
    500: {"en": "Something went wrong", "zh-hans": "出错了", "zh-hant": "出錯了"},
    "csrf": {
        "en": "The form has expired",
        "zh-hans": "表单已过期",
        "zh-hant": "表單已過期",
    },
}
MENU = {"en": "Customers", "zh-hans": "客户", "zh-hant": "客戶"}
LANGUAGES = ("en", "zh-hans", "zh-hant")


def _client(language: str, user=None, **kwargs) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False, **kwargs)
    if user is not None:
        client.force_login(user)
    return client


def _get(kind, client: Client):
    if kind == 403:
        return client.get(reverse("service:sla_policies"))
    if kind == 404:
        return client.get("/no-such-page/")
    if kind == 500:
        return client.get("/boom/")
    return client.post(reverse("service:sla_policy_new"), {"priority": "low"})


def _status(kind) -> int:
    return 403 if kind == "csrf" else kind


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", [403, 404, 500, "csrf"])
def test_error_pages_read_in_the_users_language_with_the_menu(kind, language) -> None:
    user = make_user(Role.SALES_REP, username="rep")
    make_customer(owner=user, name="华东果业集团")
    client = _client(language, user, enforce_csrf_checks=kind == "csrf")
    response = _get(kind, client)
    page = response.content.decode()
    assert response.status_code == _status(kind)
    assert TITLES[kind][language] in page
    assert 'class="nav"' in page and f">{MENU[language]}</a>" in page  # the main menu
    assert "Forbidden" not in page and "Not Found" not in page
    assert "secret detail" not in page and "Traceback" not in page


@pytest.mark.parametrize("kind", [404, 500, "csrf"])
def test_anonymous_visitors_get_the_page_without_the_menu_or_any_data(kind) -> None:
    make_customer(name="华东果业集团")
    client = _client("zh-hans", enforce_csrf_checks=kind == "csrf")
    if kind == "csrf":
        response = client.post(reverse("users:login"), {"username": "x", "password": "y"})
    else:
        response = _get(kind, client)
    page = response.content.decode()
    assert response.status_code == _status(kind)
    assert TITLES[kind]["zh-hans"] in page
    assert 'aria-label="主导航"' not in page  # no menu
    assert "华东果业集团" not in page and "secret detail" not in page
    assert reverse("users:login") in page  # a way back in


def test_an_api_path_still_answers_json() -> None:
    response = _client("en").get("/api/no-such-endpoint/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
