"""The role x function table (QUALITY.md AUTHZ-6): every cell decided and enforced."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

import paretocrm
from paretocrm.audit.models import AuditEvent
from paretocrm.core.masking import may_see_personal_data
from paretocrm.core.policy import is_administrator
from paretocrm.customers.tests.factories import make_user
from paretocrm.customers.views import may_export
from paretocrm.users.choices import Role
from paretocrm.users.permissions import (
    ROLE_FUNCTIONS,
    Function,
    functions_of,
    has_function,
    require_function,
)

pytestmark = pytest.mark.django_db


def test_the_table_decides_every_role() -> None:
    assert set(ROLE_FUNCTIONS) == set(Role)
    assert all(fns <= set(Function) for fns in ROLE_FUNCTIONS.values())


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("function", list(Function))
def test_has_function_follows_the_table_for_every_cell(role: Role, function: Function) -> None:
    user = make_user(role)
    assert has_function(user, function) is (function in ROLE_FUNCTIONS[role])


def test_administrator_has_every_function_and_assistant_none() -> None:
    assert functions_of(Role.ADMINISTRATOR) == set(Function)
    assert functions_of(Role.KEY_ACCOUNT_ASSISTANT) == frozenset()


@pytest.mark.parametrize("role", list(Role))
def test_table_agrees_with_the_rules_the_pages_enforce(role: Role) -> None:
    user = make_user(role)
    assert has_function(user, Function.EXPORT) is may_export(user)
    assert has_function(user, Function.VIEW_UNMASKED) is may_see_personal_data(user)


def test_superuser_has_everything_inactive_user_nothing() -> None:
    boss = make_user(Role.SALES_REP, is_superuser=True)
    gone = make_user(Role.ADMINISTRATOR, is_active=False)
    assert all(has_function(boss, f) for f in Function)
    assert not any(has_function(gone, f) for f in Function)


def test_require_function_refuses_and_logs_a_denied_access() -> None:
    rep = make_user(Role.SALES_REP)
    with pytest.raises(PermissionDenied, match="transfer"):
        require_function(rep, Function.TRANSFER)
    event = AuditEvent.objects.get(kind="access_denied")
    assert event.actor_id == rep.pk and event.detail == {"function": "transfer"}
    require_function(make_user(Role.GENERAL_MANAGER), Function.TRANSFER)  # no exception


def _lines_naming_a_role(path: Path) -> list[int]:
    """Lines of ``path`` that compare with a role: a role value or a ``Role`` member."""
    values = "|".join(role.value for role in Role)
    literal = re.compile(rf"[\"']({values})[\"']")
    member = re.compile(r"\bRole\.[A-Z_]+")
    # Giving a new user a role (``role=Role.X``, the field's default) decides nothing.
    giving = re.compile(r"\b(role|default)=Role\.")
    app_names = re.compile(r"^\s*(label|app_name|name) = ")
    return [
        number
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if not app_names.match(line)
        and (literal.search(line) or member.search(giving.sub("", line)))
    ]


def test_no_module_outside_the_policy_names_a_role() -> None:
    """The role policy (core.policy) is the one place a role decides anything."""
    root = Path(paretocrm.__file__).parent
    skipped = {"tests", "migrations", "demo"}
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*.py"))
        if path != root / "core" / "policy.py" and not skipped & set(path.relative_to(root).parts)
        for number in _lines_naming_a_role(path)
    ]
    assert offenders == []


@pytest.mark.parametrize("role", list(Role))
def test_the_django_admin_asks_the_policy(role: Role) -> None:
    """Admin site access is the policy's administrator check, not the ``is_staff`` flag."""
    from django.test import Client

    user = make_user(role, is_staff=True)
    client = Client()
    client.force_login(user)
    status = client.get("/admin/").status_code
    assert (status == 200) is is_administrator(user)
    assert status in (200, 302)


def test_an_administrator_without_the_staff_flag_reaches_the_admin() -> None:
    from django.test import Client

    client = Client()
    client.force_login(make_user(Role.ADMINISTRATOR, is_staff=False))
    assert client.get("/admin/").status_code == 200


def test_the_general_manager_transfers_from_the_transfer_page() -> None:
    """GM has TRANSFER but not USER_ADMIN: the users list leads to a transfer-only page."""
    from django.test import Client
    from django.urls import reverse

    manager = make_user(Role.GENERAL_MANAGER)
    leaver = make_user(Role.SALES_REP)
    client = Client()
    client.force_login(manager)
    listing = client.get(reverse("users:users")).content.decode()
    assert reverse("users:user_transfer", args=[leaver.pk]) in listing
    assert reverse("users:user_new") not in listing
    page = client.get(reverse("users:user_transfer", args=[leaver.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="transfer-form"' in html
    assert 'id="user-form"' not in html and 'id="activation"' not in html
    assert client.get(reverse("users:user", args=[leaver.pk])).status_code == 403


def test_the_transfer_service_asks_the_policy_on_every_path() -> None:
    from paretocrm.customers.tests.factories import make_customer
    from paretocrm.users.services import TransferError, transfer_accounts

    leaver, successor = make_user(Role.SALES_REP), make_user(Role.SALES_REP)
    customer = make_customer(owner=leaver)
    with pytest.raises(TransferError, match="may not transfer"):
        transfer_accounts(leaver, successor, make_user(Role.KEY_ACCOUNT_MANAGER), "left")
    customer.refresh_from_db()
    assert customer.owner_id == leaver.pk


def test_the_admin_sign_in_asks_the_policy_not_the_staff_flag() -> None:
    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    password = "a-long-passphrase-42"
    admin_role = make_user(Role.ADMINISTRATOR, is_staff=False)
    flagged_rep = make_user(Role.SALES_REP, is_staff=True)
    for user in (admin_role, flagged_rep):
        user.set_password(password)
        user.save()
    answers = {
        user.role: Client().post(
            "/admin/login/?next=/admin/", {"username": user.username, "password": password}
        )
        for user in (admin_role, flagged_rep)
    }
    assert answers[Role.ADMINISTRATOR].status_code == 302
    assert answers[Role.SALES_REP].status_code == 200  # the form again, with the error
