"""Masking of personal contact data for roles without the right (QUALITY.md PRIV-5, AUTHZ-7).

Pure functions: ``138****5678`` and ``z***@example.com``. Who reads the full values is the
role policy's ``view_unmasked`` function.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, overload

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


#: Personal data inside free text (notes, history values), tried left to right. Dates come
#: first and stay as they are; a number glued to letters or a hyphen (order SO-2026-0042) is
#: a reference, not a phone. Lookarounds are ASCII-only so that 电话13812345678 is masked.
_FREE_TEXT = re.compile(
    r"(?P<date>\b\d{4}-\d{1,2}-\d{1,2}\b)"
    r"|(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
    r"|(?<![A-Za-z0-9-])(?P<id>\d{17}[\dXx])(?![A-Za-z0-9])"
    r"|(?<![A-Za-z0-9-])(?P<number>\+?\d(?:[ -]?\d){6,})"
)

#: Numbers with this many digits or more are ID or bank card numbers, not phones.
_CARD_DIGITS = 15


def _mask_match(match: re.Match[str]) -> str:
    text = match.group(0)
    if match.group("date"):
        return text
    if match.group("email"):
        return mask_email(text)
    digits = re.sub(r"[^\dXx]", "", text)
    if match.group("id") or len(digits) >= _CARD_DIGITS:
        # ID and bank card numbers: the last four stay, as on a bank statement.
        return "*" * (len(digits) - 4) + digits[-4:]
    return mask_phone(text)


@overload
def mask_free_text(value: str) -> str: ...
@overload
def mask_free_text(value: None) -> None: ...
def mask_free_text(value: str | None) -> str | None:
    """Mask phone numbers, e-mails, ID and bank card numbers inside free text (PRIV-5).

    ``Call 13812345678`` -> ``Call 138****5678``; the rest of the text stays readable.
    """
    if not value:
        return value
    return _FREE_TEXT.sub(_mask_match, value)


def personal_text_for(user: Any, value: str | None) -> str | None:
    """Free text about a person as ``user`` may read it: masked without view_unmasked."""
    return value if may_see_personal_data(user) else mask_free_text(value)


def personal_email_for(user: Any, value: str | None) -> str | None:
    """An e-mail address (or a portal user name) as ``user`` may read it (PRIV-5)."""
    return value if may_see_personal_data(user) else mask_email(value)


#: DRF search prefixes (``^`` starts with, ``=`` exact, ``@`` full text, ``$`` regex).
_SEARCH_PREFIXES = "^=@$"


def holds_personal_data(model: Any, lookup: str) -> bool:
    """True when ``lookup`` (``notes``, ``customer__notes``, DRF's ``^subject``) ends on a
    field that its model declares in ``personal_data_fields``."""
    *relations, name = lookup.lstrip(_SEARCH_PREFIXES).split("__")
    for relation in relations:
        field = model._meta.get_field(relation)
        model = field.related_model
        if model is None:
            return False
    return name in getattr(model, "personal_data_fields", ())


def searchable_fields(user: Any, model: Any, fields: Iterable[str]) -> tuple[str, ...]:
    """The search ``fields`` of ``model`` whose text ``user`` may match (PRIV-5).

    A role that reads ``138****5678`` must not confirm the full number by searching for it,
    so fields holding personal data are left out for roles without view-unmasked. Every
    search (API ``?search=``, page ``?q=``) asks here.
    """
    if may_see_personal_data(user):
        return tuple(fields)
    return tuple(field for field in fields if not holds_personal_data(model, field))
