"""One family for the errors services raise, one way to show them (issue 18 item 5).

Every service error is a :class:`~paretocrm.core.exceptions.DomainError` (a ``ValueError``
that knows the field it is about); pages turn it into a form error or a message with
``core.views.show_domain_error``, the API into a 400 naming the field. The stale-version
sentence is written once (``core.views.show_stale_version``) for every record.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError as ApiValidationError

from paretocrm.core.api.views import exception_handler
from paretocrm.core.exceptions import DomainError, ParetoCRMError
from paretocrm.core.views import show_domain_error, show_stale_version
from paretocrm.imports.services import ImportRefused
from paretocrm.insights.services import RatingSettingsError
from paretocrm.marketing.exports import AudienceExportError
from paretocrm.marketing.services import CampaignError
from paretocrm.portal.services import PortalError
from paretocrm.sales.services import AllocationError
from paretocrm.service.services import CaseError
from paretocrm.users.services import TransferError
from paretocrm.work.calllists import CallListError
from paretocrm.work.plans import PlanError
from paretocrm.work.services import TaskError

SRC = Path(__file__).resolve().parents[1] / "src" / "paretocrm"

SERVICE_ERRORS = [
    TaskError,
    PlanError,
    CaseError,
    CampaignError,
    CallListError,
    TransferError,
    AllocationError,
    AudienceExportError,
    RatingSettingsError,
    ImportRefused,
    PortalError,
]


@pytest.mark.parametrize("error", SERVICE_ERRORS, ids=lambda e: e.__name__)
def test_every_service_error_is_a_domain_error(error: type[Exception]) -> None:
    assert issubclass(error, DomainError)
    assert issubclass(error, ParetoCRMError)
    assert issubclass(error, ValueError)  # callers that catch ValueError keep working


def test_domain_error_reads_the_field_from_the_services_field_colon_message() -> None:
    error = CaseError("assigned_to: 林晓燕 may not see 上海华东精密机械有限公司")
    assert error.field == "assigned_to"
    assert error.text == "林晓燕 may not see 上海华东精密机械有限公司"
    assert str(error) == "assigned_to: 林晓燕 may not see 上海华东精密机械有限公司"
    assert error.code is None


def test_domain_error_takes_field_and_code_as_given() -> None:
    error = PlanError("the end is before the start", field="period_end", code="dates")
    assert (error.field, error.code, error.text) == ("period_end", "dates", str(error))


def test_domain_error_without_a_field_names_none() -> None:
    error = TransferError("A transfer needs a reason (it is kept in the history).")
    assert error.field is None
    assert error.text == str(error)


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


class _PlanForm(forms.Form):
    title = forms.CharField(required=False)
    period_end = forms.DateField(required=False)


def test_helper_puts_the_error_on_the_field_it_names() -> None:
    form = _PlanForm({"title": "2027 深圳华强电子 客户计划"})
    assert form.is_valid()
    show_domain_error(_request(), PlanError("period_end: 结束日期早于开始日期"), form=form)
    assert form.errors == {"period_end": ["结束日期早于开始日期"]}


def test_helper_puts_an_unknown_field_on_the_form() -> None:
    form = _PlanForm({})
    assert form.is_valid()
    show_domain_error(_request(), PlanError("customer: 客户不在核心名单上"), form=form)
    assert form.non_field_errors() == ["customer: 客户不在核心名单上"]


def test_helper_without_a_form_shows_a_message() -> None:
    request = _request()
    show_domain_error(request, TaskError("until: 日期格式应为 YYYY-MM-DD"))
    assert [str(m) for m in get_messages(request)] == ["until: 日期格式应为 YYYY-MM-DD"]
    assert [m.level_tag for m in get_messages(request)] == ["error"]


def test_api_answers_a_domain_error_with_400_naming_the_field() -> None:
    response = exception_handler(AllocationError("amount: 12,500.00 is more than is open"), {})
    assert response is not None and response.status_code == 400
    assert response.data == {"amount": ["12,500.00 is more than is open"]}


def test_api_answers_a_domain_error_without_a_field_with_400_and_the_message() -> None:
    error = TransferError("A user cannot transfer accounts to themselves.")
    response = exception_handler(error, {})
    assert response is not None and response.status_code == 400
    assert response.data == ["A user cannot transfer accounts to themselves."]


def test_api_handler_leaves_other_errors_to_drf() -> None:
    response = exception_handler(ApiValidationError({"name": ["required"]}), {})
    assert response is not None and response.status_code == 400
    assert exception_handler(KeyError("x"), {}) is None  # still a 500 as before


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "Someone else changed this task after you opened the page, so nothing was "
            "changed. Check the task below and try again if still needed.",
        ),
        (
            "zh-hans",
            "您打开页面后，其他人修改了该任务，因此未做任何更改。请查看下方任务，如仍需要请重试。",
        ),
        (
            "zh-hant",
            "您開啟頁面後，其他人修改了該任務，因此未做任何變更。請查看下方任務，如仍需要請重試。",
        ),
    ],
)
def test_stale_version_message_names_the_record_in_the_readers_language(
    language: str, expected: str
) -> None:
    request = _request()
    with translation.override(language):
        show_stale_version(request, gettext_lazy("task"))
    assert [str(m) for m in get_messages(request)] == [expected]


def test_stale_version_on_a_form_is_a_form_error() -> None:
    form = _PlanForm({})
    assert form.is_valid()
    with translation.override("en"):
        show_stale_version(_request(), gettext_lazy("customer"), form=form)
    [text] = form.non_field_errors()
    assert text.startswith("Someone else changed this customer while you were editing it.")


def _string_constants(path: Path) -> list[str]:
    """The strings of a module, adjacent literals joined as Python joins them."""
    tree = ast.parse(path.read_text())
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


@pytest.mark.parametrize(
    "sentence",
    ["after you opened the page, so nothing was changed.", "while you were editing it. Your"],
)
def test_the_stale_version_sentence_is_written_once(sentence: str) -> None:
    hits = sorted(
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if "tests" not in path.parts and any(sentence in text for text in _string_constants(path))
    )
    assert hits == ["core/views.py"]


def test_small_things_a_reader_trips_on_are_gone() -> None:
    imports = (SRC / "imports" / "services.py").read_text()
    users = (SRC / "users" / "services.py").read_text()
    policy = ast.parse((SRC / "core" / "policy.py").read_text())
    assert "ImportError_" not in imports
    assert "10**12" not in users
    assert '"cancelled"' not in users and '"closed"' not in users
    assert '"closed"' not in (SRC / "work" / "plan_views.py").read_text()
    aliases = [
        node.targets[0].id
        for node in policy.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Name)
        and isinstance(node.targets[0], ast.Name)
        and node.value.id in {"Function", "Role"}
    ]
    assert aliases == []
