"""Database down: pages answer a plain 503 and the CLI exits 1 with one line (Faults)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.test import Client

MIDDLEWARE = "paretocrm.core.middleware.DatabaseUnavailableMiddleware"
#: A PostgreSQL address where nothing listens: every connection is refused at once.
DEAD_DATABASE = "postgresql://paretocrm@127.0.0.1:1/paretocrm"


class FailingMiddleware:
    """Stands for session/auth middleware whose database read fails."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raise OperationalError('connection to server at "db.internal", port 5432 failed')


@pytest.fixture
def database_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every attempt to connect fails as it does when PostgreSQL is stopped."""

    def refuse(self: BaseDatabaseWrapper) -> None:
        raise OperationalError('connection to server at "db.internal", port 5432 failed')

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)


def _with_middleware(settings: object, *extra: str) -> None:
    middleware = list(settings.MIDDLEWARE)  # type: ignore[attr-defined]
    if MIDDLEWARE in middleware:
        middleware.remove(MIDDLEWARE)
    middleware.insert(1, MIDDLEWARE)
    settings.MIDDLEWARE = [*middleware, *extra]  # type: ignore[attr-defined]


def _assert_plain_503(response: HttpResponse) -> str:
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    body = response.content.decode()
    for leak in ("Traceback", "db.internal", "5432", "OperationalError", "DATABASE"):
        assert leak not in body
    return body


def test_page_whose_view_needs_the_database_answers_503(
    settings: object, database_down: None
) -> None:
    _with_middleware(settings)
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "x" * 32  # loading the session needs the database
    body = _assert_plain_503(client.get("/"))
    assert "Database unavailable" in body
    assert "数据库暂时不可用" in body


def test_failure_inside_another_middleware_answers_503_not_500(settings: object) -> None:
    _with_middleware(settings, f"{__name__}.FailingMiddleware")
    settings.DEBUG = True  # type: ignore[attr-defined]  # no debug traceback page either
    response = Client(raise_request_exception=False).get("/login/")
    assert "Database unavailable" in _assert_plain_503(response)


def test_api_gets_a_json_503(settings: object, database_down: None) -> None:
    _with_middleware(settings)
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION="Token " + "a" * 40)
    response = client.get("/api/customers/")
    _assert_plain_503(response)
    assert response["Content-Type"] == "application/json"
    assert "unavailable" in response.json()["detail"]


def test_cli_with_database_down_exits_1_with_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": DEAD_DATABASE, "PARETOCRM_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "paretocrm.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("paretocrm: database unavailable: ")
    assert "Connection refused" in lines[0]
