"""Take the README / docs screenshots of the main pages from the demo company.

Usage (from the repository root, with the venv installed):

    .venv/bin/python scripts/screenshots.py [--port 8103] [--out docs/screenshots]

Loads the demo company (seed 42) into a fresh SQLite database in a temporary data directory,
runs the analysis, serves it with ``paretocrm serve`` on 127.0.0.1 and drives Debian's
Chromium (headless, Playwright) through the main pages in English and 简体中文. Nothing is
downloaded; the database is thrown away afterwards.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
LANGUAGES = {"en": "en", "zh-hans": "zh-Hans"}
IMPORT_SAMPLE = (
    "code,name,region,industry\nSC-1,华南电子,South,electronics\n,缺少编号,East,\nSC-3,,West,\n"
)


def paretocrm(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "paretocrm.cli", *args]
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True)  # noqa: S603


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "health/", timeout=2)  # noqa: S310 - our own server
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server at {url} did not come up within {seconds} s")


def shoot(url: str, out: Path, password: dict[str, str], data_dir: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    sample = data_dir / "new-customers.csv"
    sample.write_text(IMPORT_SAMPLE, encoding="utf-8")
    taken: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for code, suffix in LANGUAGES.items():
            pages = {
                "admin": [
                    ("dashboard", "", "#chart-pareto .main-svg"),
                    ("customer-list", "customers/?sort=-revenue", None),
                    ("core-customers", "core-customers/", "#chart-matrix .main-svg"),
                    ("rating-settings", "settings/rating/", "#ahp-cr"),
                    ("receivables", "invoices/", None),
                    ("contracts", "contracts/", None),
                    ("users", "users/", None),
                    ("knowledge", "knowledge/", None),
                    ("rfm-segments", "rfm/", None),
                    ("possible-duplicates", "customers/duplicates/", None),
                    ("sla-policies", "service/sla/", None),
                ],
                "kam": [
                    ("my-accounts", "", None),
                    ("my-tasks", "work/tasks/", None),
                    ("call-lists", "work/call-lists/", None),
                ],
                "marketing": [
                    ("campaigns", "campaigns/", None),
                    ("new-campaign", "campaigns/new/", None),
                ],
            }
            for login, shots in pages.items():
                context = browser.new_context(
                    locale=suffix, viewport={"width": 1440, "height": 960}
                )
                context.add_cookies([{"name": "django_language", "value": code, "url": url}])
                page = context.new_page()
                page.goto(url + "login/")
                page.fill("#id_username", login)
                page.fill("#id_password", password[login])
                page.click("button[type=submit]")
                page.wait_for_load_state("networkidle")
                for name, path, ready in shots:
                    page.goto(url + path)
                    if ready:
                        page.wait_for_selector(ready, timeout=30000)
                    page.wait_for_timeout(600)
                    taken.append(out / f"{name}-{code}.png")
                    page.screenshot(path=str(taken[-1]), full_page=False)
                if login == "admin":
                    page.goto(url + "customers/?sort=-revenue")
                    page.locator("#results a[href^='/customers/']").first.click()
                    page.wait_for_selector("#value-panel")
                    page.wait_for_selector(".chart .main-svg", timeout=30000)
                    page.wait_for_timeout(800)
                    taken.append(out / f"customer-360-{code}.png")
                    page.screenshot(path=str(taken[-1]), full_page=False)
                    page.goto(url + "imports/")
                    page.select_option("#id_kind", "customers")
                    page.set_input_files("#id_file", str(sample))
                    page.click("#upload-form button[type=submit]")
                    page.wait_for_selector("#results table", timeout=60000)
                    taken.append(out / f"import-report-{code}.png")
                    page.screenshot(path=str(taken[-1]), full_page=False)
                context.close()
        browser.close()
    return taken


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8103)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--data-dir", type=Path, help="reuse this data directory (demo kept)")
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    data_dir = options.data_dir or Path(tempfile.mkdtemp(prefix="paretocrm-shots-"))
    env = dict(os.environ, PARETOCRM_DATA_DIR=str(data_dir), DATABASE_URL="")
    paretocrm("demo", "--no-serve", env=env)  # loads and scores once; a no-op when loaded
    os.environ.update(env, DJANGO_SETTINGS_MODULE="paretocrm.settings")
    import django

    django.setup()
    from paretocrm.demo.services import demo_logins

    password = {login.username: login.password for login in demo_logins(42)}
    url = f"http://127.0.0.1:{options.port}/"
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "paretocrm.cli", "serve", "--port", str(options.port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(url)
        taken = shoot(url, options.out, password, data_dir)
    finally:
        server.terminate()
        server.wait(timeout=30)
    for path in taken:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
