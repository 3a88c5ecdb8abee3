"""Masking helpers (PRIV-5): pure functions, one test per rule."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from paretocrm.core.masking import mask_email, mask_phone, mask_text, may_see_personal_data


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 21 5555 0000", "+86****0000"),
        ("1234567", "*******"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone_keeps_three_leading_and_four_trailing_characters(
    value: str | None, masked: str
) -> None:
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("zhang@example.com", "z***@example.com"), ("no-at-sign", "***"), ("", "")],
)
def test_mask_email_keeps_first_letter_and_domain(value: str, masked: str) -> None:
    assert mask_email(value) == masked


def test_mask_text_keeps_only_the_first_character() -> None:
    assert mask_text("wx_zhang88") == "w***"


@pytest.mark.parametrize(
    ("role", "superuser", "active", "allowed"),
    [
        ("key_account_manager", False, True, True),
        ("sales_rep", False, True, False),
        ("sales_rep", True, True, True),
        ("administrator", False, False, False),
    ],
)
def test_only_active_users_with_an_unmasking_role_see_personal_data(
    role: str, superuser: bool, active: bool, allowed: bool
) -> None:
    user = SimpleNamespace(
        role=role, is_superuser=superuser, is_active=active, is_authenticated=True
    )
    assert may_see_personal_data(user) is allowed
