"""Masking of personal contact data for roles without the right (QUALITY.md PRIV-5, AUTHZ-7).

Pure functions: ``138****5678`` and ``z***@example.com``. Who reads the full values is the
role policy's ``view_unmasked`` function.
"""

from __future__ import annotations

from typing import Any

from paretocrm.core.policy import Function, has_function


def may_see_personal_data(user: Any) -> bool:
    """True when ``user`` (active, signed in) may read phone numbers and e-mails unmasked."""
    return has_function(user, Function.VIEW_UNMASKED)


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
