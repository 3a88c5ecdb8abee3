"""Masking helpers (PRIV-5): pure functions, one test per rule."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from paretocrm.core.masking import (
    mask_email,
    mask_free_text,
    mask_phone,
    mask_text,
    may_see_personal_data,
)


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


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("Call 13812345678 after 5pm", "13812345678", "Call 138****5678 after 5pm"),
        ("mobile +86 138 1234 5678.", "1234 5", "mobile +86****5678."),
        ("office 010-62345678 ext", "62345678", "office 010****5678 ext"),
        ("write to zhang.wei@example.com now", "zhang.wei@", "write to z***@example.com now"),
        ("ID 11010519491231002X here", "11010519491231002X", "ID **************002X here"),
        ("ID 110105194912310021.", "110105194912310021", "ID **************0021."),
        ("card 6222 0212 3456 7890 123", "6222 0212", "card ***************0123"),
        ("card 6222021234567890", "6222021234567890", "card ************7890"),
    ],
)
def test_priv5_mask_free_text_hides_phones_emails_ids_and_cards(
    text: str, hidden: str, kept: str
) -> None:
    masked = mask_free_text(text)
    assert hidden not in masked
    assert masked == kept


@pytest.mark.parametrize(
    "text",
    ["", "Met on 2026-12-07 at 10:30, order SO-2026-0042 for 1,250.00 CNY", "Room 1203, Tower 5"],
)
def test_priv5_mask_free_text_leaves_dates_amounts_and_short_numbers(text: str) -> None:
    assert mask_free_text(text) == text


def test_priv5_mask_free_text_keeps_none() -> None:
    assert mask_free_text(None) is None
