"""User and team administration pages: access, create, edit, deactivate, transfer."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from paretocrm.audit.models import AuditEvent
from paretocrm.customers.models import OwnershipChange
from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.users.choices import Role
from paretocrm.users.models import Team, User

pytestmark = pytest.mark.django_db
PASSWORD = "Granite-Orchard-7781"


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def admin() -> User:
    return make_user(Role.ADMINISTRATOR)


@pytest.mark.parametrize("role", [Role.KEY_ACCOUNT_MANAGER, Role.GENERAL_MANAGER])
def test_only_user_administrators_reach_the_pages(role, admin):
    other = make_user(Role.SALES_REP)
    client = client_for(make_user(role))
    # The users list also leads to the transfer page: open to the GM (TRANSFER), see
    # test_permissions.py::test_the_general_manager_transfers_from_the_transfer_page.
    for url in (
        reverse("users:user_new"),
        reverse("users:teams"),
        reverse("users:user", args=[other.pk]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("users:user_deactivate", args=[other.pk])).status_code == 403
    other.refresh_from_db()
    assert other.is_active


def test_create_user_checks_the_password_and_logs_the_role(admin):
    team = Team.objects.create(name="East")
    client = client_for(admin)
    data = {"username": "li.na", "first_name": "Na", "last_name": "Li", "email": "li@example.com",
            "role": Role.KEY_ACCOUNT_MANAGER, "team": team.pk, "password": "short"}  # fmt: skip
    weak = client.post(reverse("users:user_new"), data)
    assert weak.status_code == 400 and not User.objects.filter(username="li.na").exists()
    assert "too short" in weak.content.decode()
    created = client.post(reverse("users:user_new"), dict(data, password=PASSWORD))
    user = User.objects.get(username="li.na")
    assert created.status_code == 302 and user.team == team and user.check_password(PASSWORD)
    assert AuditEvent.objects.filter(kind="role_change", object_id=user.pk).exists()


def test_edit_role_and_team_records_a_role_change_only_when_it_changes(admin):
    user = make_user(Role.SALES_REP)
    team = Team.objects.create(name="West")
    client = client_for(admin)
    form = {"first_name": "A", "last_name": "B", "email": "", "title": "", "phone": "",
            "role": Role.KEY_ACCOUNT_SPECIALIST, "team": team.pk, "manager": ""}  # fmt: skip
    assert client.post(reverse("users:user", args=[user.pk]), form).status_code == 302
    user.refresh_from_db()
    assert user.role == Role.KEY_ACCOUNT_SPECIALIST and user.team == team
    client.post(reverse("users:user", args=[user.pk]), form)
    (event,) = AuditEvent.objects.filter(kind="role_change", object_id=user.pk)
    assert event.actor == admin
    self_manager = client.post(reverse("users:user", args=[user.pk]), dict(form, manager=user.pk))
    assert self_manager.status_code == 400


def test_deactivate_uses_the_service_and_reactivate_restores(admin):
    user = make_user(Role.SALES_REP)
    user.set_password(PASSWORD)
    user.save()
    session = Client()
    assert session.login(username=user.username, password=PASSWORD)
    client = client_for(admin)
    client.post(reverse("users:user_deactivate", args=[user.pk]))
    user.refresh_from_db()
    assert not user.is_active
    assert AuditEvent.objects.filter(kind="user_deactivated", object_id=user.pk).exists()
    assert session.get(reverse("insights:dashboard")).status_code == 302, "session ended"
    client.post(reverse("users:user_reactivate", args=[user.pk]))
    user.refresh_from_db()
    assert user.is_active
    client.post(reverse("users:user_deactivate", args=[admin.pk]))
    admin.refresh_from_db()
    assert admin.is_active, "an administrator cannot lock themselves out"


def test_transfer_moves_the_accounts_with_history(admin):
    leaving, taking = make_user(Role.KEY_ACCOUNT_MANAGER), make_user(Role.KEY_ACCOUNT_MANAGER)
    customers = [make_customer(owner=leaving) for _ in range(3)]
    client = client_for(admin)
    url = reverse("users:user_transfer", args=[leaving.pk])
    missing = client.post(url, {"reason": "left"})
    assert missing.status_code == 400 and "either a user or a team" in missing.content.decode()
    assert client.post(url, {"to_user": taking.pk, "reason": "left"}).status_code == 302
    for customer in customers:
        customer.refresh_from_db()
        assert customer.owner == taking
    assert OwnershipChange.objects.filter(new_owner=taking).count() == 3


def test_teams_are_listed_created_and_edited(admin, django_assert_max_num_queries):
    parent = Team.objects.create(name="Sales")
    for i in range(20):
        make_user(Role.SALES_REP, team=Team.objects.create(name=f"T{i}", parent=parent))
    client = client_for(admin)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("users:teams"))
    assert {t.name: t.active_members for t in page.context["object_list"]}["T3"] == 1
    client.post(reverse("users:team_new"), {"name": "East", "parent": parent.pk, "description": ""})
    east = Team.objects.get(name="East")
    assert east.parent == parent
    loop = client.post(
        reverse("users:team", args=[parent.pk]), {"name": "Sales", "parent": east.pk}
    )
    assert loop.status_code == 400, "a team cannot sit under its own sub-team"
    with django_assert_max_num_queries(10):
        assert client.get(reverse("users:users")).status_code == 200
