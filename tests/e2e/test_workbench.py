"""Browser test of the issue-4 workbench flow, in a real Chromium against the live server.

A key-account manager signs in, finds a core customer, opens its 360 view, logs an
interaction, imports a file with errors and reads the report, and switches to 简体中文. An
administrator changes a rating weight, runs the analysis from the page and sees the tiers
recomputed with the new weights. Under CI=true a missing Chromium fails the test.
"""

from __future__ import annotations

import datetime as dt
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from paretocrm.customers.tests.factories import make_customer, make_order, make_user
from paretocrm.demo.services import load_demo_company
from paretocrm.insights import rating_settings
from paretocrm.insights.models import CustomerScore, ScoreRun
from paretocrm.insights.services import run_scoring
from paretocrm.users.choices import Role
from paretocrm.users.models import Team
from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, _require_chromium

BAD_FILE = "code,name,region\nE2E-1,华东果业,East\n,No code Ltd,East\nE2E-3,,West\n"


def _user(role: str, username: str, **fields) -> object:
    user = make_user(role, username=username, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_key_account_workbench_and_weights_in_a_real_browser(live_server, tmp_path: Path, settings):
    _require_chromium()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop
    from playwright.sync_api import expect, sync_playwright

    settings.DATA_DIR = tmp_path
    today = timezone.localdate()  # the page's analysis button scores as of today
    load_demo_company(seed=42, customers=300, anchor=today)  # what `paretocrm demo` loads
    kam = _user(Role.KEY_ACCOUNT_MANAGER, "e2e_kam", team=Team.objects.create(name="E2E"))
    _user(Role.ADMINISTRATOR, "e2e_boss")
    star = make_customer(owner=kam, name="华东果业集团")
    for weeks in range(1, 30, 2):  # a frequent, large buyer: core under any weighting
        when = timezone.now() - dt.timedelta(weeks=weeks)
        make_order(star, ordered_at=when, lines=[("40", "900", "500", "0")])
    before = run_scoring()
    assert CustomerScore.objects.get(run=before, customer=star).tier == "core"
    base = live_server.url

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="en-US", viewport={"width": 1400, "height": 1000})
        _sign_in(page, base, "e2e_kam")
        expect(page.locator("h1")).to_have_text("My accounts")

        # Find a core customer on the core-customer list and open its 360 view.
        page.click("nav.nav a[href='/core-customers/']")
        page.click(f"a[href='/customers/{star.pk}/']")
        expect(page.locator("h1")).to_contain_text("华东果业集团")
        expect(page.locator("#value-panel")).to_be_visible()

        # Log an interaction; it shows on the timeline.
        page.click("#log-interaction summary")
        page.select_option("#id_kind", "visit")
        page.fill("#id_occurred_at", f"{today:%Y-%m-%d}T10:30")
        page.fill("#id_subject", "Quarterly business review")
        page.click("#log-interaction button[type=submit]")
        expect(page.locator("#timeline")).to_contain_text("Quarterly business review")

        # Import a file with errors and read the dry-run report.
        page.click("nav.nav a[href='/imports/']")
        page.select_option("#id_kind", "customers")
        bad = tmp_path / "new-customers.csv"
        bad.write_text(BAD_FILE, encoding="utf-8")
        page.set_input_files("#id_file", str(bad))
        page.click("#upload-form button[type=submit]")
        # The upload queues its dry run; the worker (here one batch pass) runs it.
        expect(page.locator("#batch-status")).to_be_visible()
        call_command("worker", "--batch", "--no-startup-delay", "--no-schedule", stdout=StringIO())
        report = page.locator("#results table")
        expect(report).to_contain_text("is required", timeout=30000)
        expect(report.locator("tr", has_text="code").first).to_contain_text("3")
        expect(page.locator("#next-step")).to_contain_text("2 rows have errors")

        # Switch to Simplified Chinese: the page is translated.
        page.select_option("#language-select", "zh-hans")
        expect(page.locator("#next-step h2")).to_have_text("下一步")
        expect(page.locator("nav.nav")).to_contain_text("核心客户")
        page.screenshot(path=str(tmp_path / "import-report-zh.png"), full_page=True)

        # An administrator puts all the weight on purchase frequency and re-runs the analysis.
        admin = browser.new_page(locale="en-US", viewport={"width": 1400, "height": 1000})
        _sign_in(admin, base, "e2e_boss")
        admin.goto(f"{base}/settings/rating/")
        for code, _label in rating_settings.criterion_choices():
            admin.fill(f"#id_w_{code}", "1" if code == "purchase_frequency" else "0")
        admin.click("#weights-form button[type=submit]")
        expect(admin.locator(".messages")).to_contain_text("The next analysis run will use them")
        expect(admin.locator("#snapshot-weights")).to_contain_text("Saved weights have changed")
        admin.goto(f"{base}/settings/scoring/")
        admin.click("#run-analysis")
        # The button queues the run; the background worker (here one batch pass of
        # `paretocrm worker`) performs it while the page polls the status.
        expect(admin.locator("#scoring-status")).to_contain_text("waiting for the worker")
        call_command("worker", "--batch", "--no-startup-delay", "--no-schedule", stdout=StringIO())
        expect(admin.locator("#scoring-status")).to_contain_text("Succeeded", timeout=240000)
        admin.goto(f"{base}/settings/rating/")
        weights = admin.locator("#snapshot-weights")
        expect(weights).to_contain_text("purchase frequency")
        expect(weights.locator("tbody tr")).to_have_count(1)
        expect(weights).not_to_contain_text("Saved weights have changed")
        browser.close()

    after = ScoreRun.objects.current()
    assert after.pk != before.pk and after.rating_weights == {"purchase_frequency": 1.0}
    old = dict(CustomerScore.objects.filter(run=before).values_list("customer_id", "tier"))
    new = dict(CustomerScore.objects.filter(run=after).values_list("customer_id", "tier"))
    assert any(old[c] != new.get(c) for c in old), "the new weights moved customers between tiers"
