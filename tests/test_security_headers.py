"""Content-Security-Policy on every page (issue 14 finding 8, QUALITY.md security headers).

Scripts come only from the server itself: no inline ``<script>``, no ``on...=`` handler
attribute in any template, nothing from a CDN; the Swagger UI loads its start script as a
file too. ``e2e/test_csp_browser.py`` loads the pages in Chromium and checks that the
browser reports no violation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

import paretocrm
from paretocrm.customers.tests.factories import make_user
from paretocrm.users.choices import Role

pytestmark = pytest.mark.django_db

ROOT = Path(paretocrm.__file__).parent
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/", "/customers/", "/portal-access/", "/api/docs/", "/nowhere/"]
)
def test_sec_every_page_has_a_content_security_policy_without_inline_scripts(path: str) -> None:
    cache.clear()
    client = Client()
    client.force_login(make_user(Role.ADMINISTRATOR))
    response = client.get(path)
    assert "Content-Security-Policy" in response, path
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no CDN
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    if response.get("Content-Type", "").startswith("text/html"):
        html = response.content.decode()
        assert INLINE_SCRIPT.findall(html) == [], path
        assert INLINE_HANDLER.findall(html) == [], path


def test_sec_the_api_answers_carry_the_policy_too() -> None:
    response = Client().get("/api/customers/")
    assert response.status_code in (401, 403)
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_sec_no_template_has_an_inline_script_or_event_handler() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {match}"
        for path in sorted(ROOT.rglob("templates/**/*.html"))
        for match in INLINE_SCRIPT.findall(path.read_text())
        + INLINE_HANDLER.findall(path.read_text())
    ]
    assert offenders == []
