"""/healthz: open to anonymous callers, 200 while the database answers, 503 when not."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

from paretocrm.core import views


@pytest.mark.django_db
def test_healthz_is_open_and_checks_the_database():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(monkeypatch):
    class DownConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(views, "connection", DownConnection())
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
