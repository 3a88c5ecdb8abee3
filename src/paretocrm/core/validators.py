"""Field validators shared by every app (ISO codes)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from paretocrm.core.iso import COUNTRY_CODES, CURRENCY_CODES


def validate_currency_code(value: str) -> None:
    """Accept an upper-case ISO 4217 alphabetic code such as ``CNY`` or ``USD``."""
    if value not in CURRENCY_CODES:
        raise ValidationError(
            _("%(value)s is not an ISO 4217 currency code (e.g. CNY, USD, EUR)."),
            code="invalid_currency",
            params={"value": value},
        )


def validate_country_code(value: str) -> None:
    """Accept an upper-case ISO 3166-1 alpha-2 code such as ``CN`` or ``DE``."""
    if value not in COUNTRY_CODES:
        raise ValidationError(
            _("%(value)s is not an ISO 3166-1 alpha-2 country code (e.g. CN, US, DE)."),
            code="invalid_country",
            params={"value": value},
        )
