"""Browser tests of a working day after ``paretocrm demo`` (issue 16, "Done when"), in Chinese.

- "Run analysis now" after the demo is loaded finishes: a real ``paretocrm serve`` (web server
  and the background worker it starts) on a SQLite file; the administrator clicks the button
  and the status on the page reaches 成功 · 100% without a reload. Every wait is bounded and
  every process started here is killed by its pid when the test ends.
- A sales rep's task page after scoring the demo company holds under 60 tasks, counted over
  every page of the queue in the browser.

Under CI=true a missing Chromium fails these tests (``_require_chromium``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import translation

from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, _require_chromium

ANCHOR = "2026-06-30"
SEED = 42


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(condition: Callable[[], bool], timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    pytest.fail(f"{what} within {timeout:.0f} s; output:\n{log.read_text()[-3000:]}")


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - 127.0.0.1 only
            return bool(answer.status == 200)
    except OSError:
        return False


def _login(username: str) -> tuple[str, str]:
    from paretocrm.demo.services import demo_logins

    return username, next(x.password for x in demo_logins(SEED) if x.username == username)


def _sign_in(page, url: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/(?!login/).*"), timeout=30_000)


@pytest.mark.browser
@pytest.mark.slow
def test_run_analysis_now_after_the_demo_finishes_with_the_worker_serve_started(tmp_path: Path):
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PARETOCRM_DATA_DIR"] = str(tmp_path)
    env["PARETOCRM_SCORING_AT"] = "off"  # only the button starts a run
    log = tmp_path / "serve.log"
    demo = [sys.executable, "-m", "paretocrm.cli", "demo", "--no-serve", "--anchor", ANCHOR]
    loaded = subprocess.run(
        [*demo, "--customers", "80", "--seed", str(SEED)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    database = tmp_path / "paretocrm.sqlite3"
    with sqlite3.connect(database, timeout=30) as db:
        runs_before = db.execute("SELECT COUNT(*) FROM insights_scorerun").fetchone()[0]

    port = _free_port()
    serve = [sys.executable, "-m", "paretocrm.cli", "serve", "--port", str(port)]
    with log.open("wb") as out:  # a file, not a pipe: a full pipe would block the server
        server = subprocess.Popen([*serve, "--workers", "1"], env=env, stdout=out, stderr=out)
    children: list[int] = []
    try:

        def started() -> bool:
            found = re.search(r"Web server pid (\d+), background worker pid (\d+)", log.read_text())
            if found:
                children[:] = [int(found[1]), int(found[2])]
            return bool(found)

        _wait_for(started, 60, "serve never started the web server and the worker", log)
        url = f"http://127.0.0.1:{port}"
        _wait_for(lambda: _http_ok(f"{url}/healthz"), 60, "the web server did not answer", log)

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(locale="zh-CN").new_page()
            _sign_in(page, url, *_login("admin"))
            page.goto(f"{url}/settings/scoring/")
            expect(page.locator("#run-analysis")).to_have_text("立即运行分析")
            page.click("#run-analysis")
            status = page.locator("#scoring-status")
            # The page polls by itself (htmx); no reload. Bounded: 80 customers score in
            # well under a minute on 2 cores; 240 s leaves room for a loaded CI machine.
            expect(status).to_contain_text("成功", timeout=240_000)
            expect(status).to_contain_text("100%")
            expect(status).not_to_contain_text("等待后台任务进程")
            page.screenshot(path=str(tmp_path / "run-analysis-finished.png"), full_page=True)
            browser.close()
    finally:
        for pid in [server.pid, *children]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        server.wait(timeout=10)

    with sqlite3.connect(database, timeout=30) as db:
        rows = db.execute(
            "SELECT status, source FROM insights_scorerun ORDER BY id DESC LIMIT 1"
        ).fetchall()
        runs_after = db.execute("SELECT COUNT(*) FROM insights_scorerun").fetchone()[0]
    assert runs_after == runs_before + 1
    assert rows[0][0] == "succeeded"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_reps_task_page_after_scoring_the_demo_company_holds_under_60_tasks(
    live_server, tmp_path: Path
):
    _require_chromium()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs a loop
    from playwright.sync_api import sync_playwright

    from paretocrm.demo.services import load_demo_company
    from paretocrm.insights import services as insights
    from paretocrm.work.models import Task

    anchor = dt.date.fromisoformat(ANCHOR)
    load_demo_company(seed=SEED, customers=300, anchor=anchor)
    insights.run_scoring(as_of=anchor)
    in_queue = Task.objects.active().filter(owner__username="sales").count()
    assert in_queue > 0, "scoring the demo gives the rep work"

    seen: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(locale="zh-CN").new_page()
        _sign_in(page, live_server.url, *_login("sales"))
        page.goto(f"{live_server.url}/work/tasks/")
        assert page.locator("h1").inner_text() == "我的任务"
        page.screenshot(path=str(tmp_path / "rep-task-page.png"), full_page=True)
        pager = page.locator(".pagination span")
        pages = int(re.findall(r"\d+", pager.inner_text())[1]) if pager.count() else 1
        assert pages <= 10, f"{pages} pages of tasks"
        for number in range(1, pages + 1):
            page.goto(f"{live_server.url}/work/tasks/?page={number}")
            seen += page.locator("tr[id^=task-]").evaluate_all("rows => rows.map(r => r.id)")
        browser.close()

    assert len(seen) == len(set(seen)), "a task listed on two pages"
    assert len(seen) < 60, f"the rep's queue holds {len(seen)} tasks"
    due = Task.objects.filter(owner__username="sales").due_for_work(dt.date.today()).count()
    assert len(seen) == due  # every task due for work is on some page, none hidden


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_call_centre_exports_numbers_fills_outcomes_imports_them_and_sees_them_on_the_360(
    live_server, tmp_path: Path
):
    _require_chromium()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import expect, sync_playwright

    from paretocrm.customers.services import record_consent
    from paretocrm.customers.tests.factories import make_contact, make_customer, make_user
    from paretocrm.users.choices import Role
    from paretocrm.work import calllists
    from paretocrm.work.models import CallListEntry

    password = "Granite-Orchard-7781"
    kam = make_user(Role.KEY_ACCOUNT_MANAGER, username="zhou.min", first_name="敏", last_name="周")
    kam.set_password(password)
    kam.save()
    customers = {
        "华东果业集团": ("13812345678", "王建国"),
        "金陵食品贸易": ("13987654321", "陈晓燕"),
    }
    for name, (mobile, person) in customers.items():
        contact = make_contact(make_customer(owner=kam, name=name), name=person, mobile=mobile)
        record_consent(contact, "phone", granted=True, source="签署的授权书")
    call_list = calllists.create_call_list(name="六月续约回访", params={}, created_by=kam)
    huadong = call_list.entries.get(customer__name="华东果业集团").customer

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
        _sign_in(page, live_server.url, "zhou.min", password)
        page.goto(f"{live_server.url}/work/call-lists/{call_list.pk}/")
        with page.expect_download() as download:
            page.click("a:has-text('CSV')")
        exported = tmp_path / "call-list.csv"
        download.value.save_as(exported)
        text = exported.read_text(encoding="utf-8-sig")
        assert "13812345678" in text and "13987654321" in text  # real numbers to dial
        assert "****" not in text

        # The call centre fills the outcome (as the page words it) and notes, saves the file.
        lines = text.splitlines()
        headers = lines[0].split(",")
        with translation.override("zh-hans"):  # the export's headers are in the reader's words
            outcome_header = str(calllists.FILE_LABELS["outcome"])
        filled = [lines[0] + ",notes"]
        for line in lines[1:]:
            cells = line.split(",")
            if "华东果业集团" in line:
                cells[headers.index(outcome_header)] = "已接通"
                filled.append(",".join(cells) + ",王总确认七月追加两个柜的订单")
            else:
                filled.append(",".join(cells) + ",")
        upload = tmp_path / "call-list-filled.csv"
        upload.write_text("\n".join(filled) + "\n", encoding="utf-8")

        page.set_input_files("input[name=file]", str(upload))
        page.click("button:has-text('检查文件')")
        expect(page.locator("main")).to_contain_text("将记录 1 行。")
        page.click("button:has-text('记录通话结果')")
        expect(page.locator(".messages")).to_contain_text("已记录 1 条通话结果")
        page.goto(f"{live_server.url}/customers/{huadong.pk}/")
        expect(page.locator("#timeline")).to_contain_text("王总确认七月追加两个柜的订单")
        page.screenshot(path=str(tmp_path / "call-outcome-on-360.png"), full_page=True)
        browser.close()

    entry = CallListEntry.objects.get(call_list=call_list, customer=huadong)
    assert entry.outcome == "reached" and entry.interaction is not None
