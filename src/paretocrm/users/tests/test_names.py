"""Issue 16 finding 8: Chinese names read family name first, without a space."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from paretocrm.customers.tests.factories import make_user
from paretocrm.users.choices import Role
from paretocrm.users.models import User


@pytest.mark.parametrize(
    ("first", "last", "full"),
    [("龙", "王", "王龙"), ("小明", "李", "李小明"), ("Anna", "Schmidt", "Anna Schmidt"),
     ("", "王", "王"), ("龙", "", "龙"), ("", "", "")],
)  # fmt: skip
def test_full_name_follows_the_names_own_convention(first, last, full):
    assert User(username="x", first_name=first, last_name=last).get_full_name() == full


@pytest.mark.django_db
def test_the_user_list_shows_a_chinese_name_in_chinese_order():
    admin = make_user(Role.ADMINISTRATOR)
    admin.first_name, admin.last_name = "龙", "王"
    admin.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(admin)

    page = client.get(reverse("users:users")).content.decode()

    assert "王龙" in page
    assert "龙 王" not in page
