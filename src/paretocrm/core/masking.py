"""Masking of personal contact data for roles without the right (QUALITY.md PRIV-5, AUTHZ-7).

Pure functions, no Django: ``138****5678`` and ``z***@example.com``. The kernel knows no
app, so the roles allowed to read the full values are named by their stored values.
"""

from __future__ import annotations

from typing import Any

#: Role values (users.choices.Role) that may read contact phone numbers and e-mails in full.
UNMASKED_ROLES: frozenset[str] = frozenset(
    {"administrator", "general_manager", "key_account_manager", "key_account_specialist"}
)


def may_see_personal_data(user: Any) -> bool:
    """True when ``user`` (active, signed in) may read phone numbers and e-mails unmasked."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return bool(getattr(user, "is_superuser", False) or getattr(user, "role", "") in UNMASKED_ROLES)


def mask_phone(value: str | None) -> str:
    """Keep the first 3 and last 4 characters: ``13812345678`` -> ``138****5678``.

    Values of 7 characters or fewer are starred out entirely: keeping 7 of them would
    reveal the whole number.
    """
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) <= 7:
        return "*" * len(text)
    return f"{text[:3]}****{text[-4:]}"


def mask_email(value: str | None) -> str:
    """Keep the first letter and the domain: ``zhang@example.com`` -> ``z***@example.com``."""
    text = (value or "").strip()
    if not text:
        return ""
    local, at, domain = text.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_text(value: str | None) -> str:
    """Mask any other identifier (e.g. a WeChat id): first character, then stars."""
    text = (value or "").strip()
    if not text:
        return ""
    return f"{text[:1]}***"
