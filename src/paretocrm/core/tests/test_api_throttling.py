"""API rate limits: one counter per window (QUALITY.md rate limits, B8)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from tests.api_samples import new_user

from paretocrm.core.api.throttling import UserWindowThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_a_minute(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The user rate at 3/min and a clock the test moves."""
    monkeypatch.setitem(UserWindowThrottle.THROTTLE_RATES, "user", "3/min")
    clock = [1_000_000.0]
    monkeypatch.setattr(UserWindowThrottle, "timer", lambda self: clock[0])
    return clock


def test_the_api_uses_the_window_counter_throttles() -> None:
    names = [cls.__name__ for cls in api_settings.DEFAULT_THROTTLE_CLASSES]
    assert names == ["AnonWindowThrottle", "UserWindowThrottle"]


def test_requests_past_the_rate_get_429_with_retry_after_until_the_window_ends(
    three_a_minute: list[float],
) -> None:
    client = APIClient()
    client.force_authenticate(new_user("sales_rep"))
    url = reverse("customer-list")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    three_a_minute[0] += 10
    refused = client.get(url)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    three_a_minute[0] += 60
    assert client.get(url).status_code == 200


def test_each_user_has_their_own_counter(three_a_minute: list[float]) -> None:
    busy, other = APIClient(), APIClient()
    busy.force_authenticate(new_user("sales_rep"))
    other.force_authenticate(new_user("sales_rep"))
    url = reverse("customer-list")
    for _ in range(4):
        busy.get(url)
    assert busy.get(url).status_code == 429
    assert other.get(url).status_code == 200
