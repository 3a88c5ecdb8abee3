"""Masking of contact phone numbers and e-mail addresses for roles without the right.

QUALITY.md PRIV-5 / AUTHZ-7: ``138****5678`` and ``z***@example.com``.
"""

from __future__ import annotations

from typing import Any

from paretocrm.users.choices import Role

#: Roles that may read contacts' phone numbers and e-mail addresses unmasked.
UNMASKED_ROLES: frozenset[str] = frozenset(
    {
        Role.ADMINISTRATOR,
        Role.GENERAL_MANAGER,
        Role.KEY_ACCOUNT_MANAGER,
        Role.KEY_ACCOUNT_SPECIALIST,
    }
)


def may_see_contact_details(user: Any) -> bool:
    """True when ``user`` may read contact phone numbers and e-mails in full."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return bool(user.is_superuser or getattr(user, "role", "") in UNMASKED_ROLES)


def mask_phone(value: str) -> str:
    """Keep the first 3 and last 4 digits: ``13812345678`` -> ``138****5678``."""
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) <= 7:
        return "*" * len(text)
    return f"{text[:3]}****{text[-4:]}"


def mask_email(value: str) -> str:
    """Keep the first letter and the domain: ``zhang@example.com`` -> ``z***@example.com``."""
    text = (value or "").strip()
    if not text:
        return ""
    local, at, domain = text.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def contact_details(contact: Any, user: Any) -> dict[str, str]:
    """Phone, mobile and e-mail of a contact as ``user`` may see them."""
    if may_see_contact_details(user):
        return {"phone": contact.phone, "mobile": contact.mobile, "email": contact.email}
    return {
        "phone": mask_phone(contact.phone),
        "mobile": mask_phone(contact.mobile),
        "email": mask_email(contact.email),
    }
