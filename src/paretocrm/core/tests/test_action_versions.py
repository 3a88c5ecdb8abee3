"""The two halves of DUR-1 for action buttons: the posted version and the check under lock."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.utils import translation

from paretocrm.core.exceptions import StaleVersionError
from paretocrm.core.models import require_version
from paretocrm.core.views import posted_version


def _posted(data: dict[str, str]):
    request = RequestFactory().post("/", data)
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.parametrize("value", ["4", " 4 "])
def test_posted_version_reads_the_hidden_field(value: str) -> None:
    request = _posted({"version": value})
    assert posted_version(request) == 4
    assert not list(get_messages(request))


@pytest.mark.parametrize("data", [{}, {"version": ""}, {"version": "four"}, {"version": "0"}])
def test_posted_version_refuses_a_missing_or_bad_one_naming_the_field(data: dict) -> None:
    request = _posted(data)
    assert posted_version(request) is None
    [message] = [str(m) for m in get_messages(request)]
    assert message.startswith("version: the page did not say")


def test_posted_version_message_is_in_the_readers_language() -> None:
    request = _posted({})
    with translation.override("zh-hans"):
        posted_version(request)
    [message] = [str(m) for m in get_messages(request)]
    assert message.startswith("version: 页面未说明")


def test_require_version_refuses_another_version_and_lets_none_through() -> None:
    # a stand-in row: the kernel's tests may not use an app's model (import contract)
    row = SimpleNamespace(version=2, pk=7, _meta=SimpleNamespace(label="app.Thing"))
    require_version(row, 2)
    require_version(row, None)  # the API checked If-Match itself
    with pytest.raises(StaleVersionError, match=r"app.Thing 7 is at version 2, not 1"):
        require_version(row, 1)
