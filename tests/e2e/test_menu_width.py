"""The English menu fits on one row at 1366 px for every staff role (issue 16, finding 8).

Chromium signs in as each role (each with open tasks, so the task badge takes its room),
opens the dashboard at a 1366 x 768 window and measures the main navigation: every link on
the same row, the nav one link high, nothing cut off. The Chinese menus are measured too.
"""

from __future__ import annotations

import os

import pytest

from paretocrm.core.policy import STAFF_ROLES
from tests.api_samples import make_task
from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, _require_chromium

WIDTH = 1366

MEASURE = """() => {
  const nav = document.querySelector('nav.nav');
  const links = [...nav.querySelectorAll(':scope > a')];
  const tops = links.map(a => Math.round(a.getBoundingClientRect().top));
  const tallest = Math.max(...links.map(a => a.getBoundingClientRect().height));
  return {
    rows: new Set(tops).size,
    links: links.length,
    navHeight: nav.getBoundingClientRect().height,
    linkHeight: tallest,
    overflow: nav.scrollWidth - nav.clientWidth,
    needed: Math.round(links.reduce((sum, a) => sum + a.getBoundingClientRect().width, 0)
      + (parseFloat(getComputedStyle(nav).columnGap) || 0) * (links.length - 1)),
    room: Math.round(nav.clientWidth),
    pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
  };
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locale", ["en-US", "zh-CN", "zh-TW"])
def test_the_menu_is_one_row_at_1366_px_for_every_staff_role(live_server, settings, locale):
    _require_chromium()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop
    from playwright.sync_api import sync_playwright

    from paretocrm.customers.tests.factories import make_user

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    users = {}
    for role in STAFF_ROLES:
        user = make_user(role, username=f"menu_{role}", first_name="晓明", last_name="欧阳")
        user.set_password(PASSWORD)
        user.save()
        for _ in range(12):  # a two-digit task badge
            make_task(user)
        users[role] = user.username

    measured = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for role, username in users.items():
            context = browser.new_context(locale=locale, viewport={"width": WIDTH, "height": 768})
            page = context.new_page()
            page.goto(f"{live_server.url}/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_selector("nav.nav a")
            measured[str(role)] = page.evaluate(MEASURE)
            context.close()
        browser.close()

    wrapped = {
        role: m
        for role, m in measured.items()
        if m["rows"] != 1
        or m["navHeight"] > m["linkHeight"] + 2
        or m["overflow"] > 0
        or m["pageOverflow"] > 0
    }
    assert all(m["links"] >= 8 for m in measured.values()), measured
    assert wrapped == {}, f"{locale}: menu wraps or overflows at {WIDTH} px: {wrapped}"
