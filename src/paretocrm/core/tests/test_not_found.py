"""404 answers: JSON under /api/ (as the schema documents), the HTML page elsewhere (EXP-3)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_unmatched_api_path_answers_json_and_a_page_path_html() -> None:
    client = Client()
    # The kernel imports no app (import-linter): the user model through Django.
    client.force_login(get_user_model().objects.create(username="someone"))
    api = client.get("/api/contacts/1.5/")
    assert (api.status_code, api["Content-Type"]) == (404, "application/json")
    assert api.json() == {"detail": "Not found."}
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
    assert "Traceback" not in page.content.decode()
