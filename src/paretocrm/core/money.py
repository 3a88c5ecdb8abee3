"""Money and rate field factories: one definition of precision for the whole CRM.

Money is always ``Decimal`` with a currency code, never a float. Amounts carry 2 decimal
places; unit prices and unit costs carry 4 so that a line whose total was given as
``amount / quantity`` (as ERPs and the CDNOW file do) reproduces the amount to the cent;
percentages and rates carry 4.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from paretocrm.core.validators import validate_currency_code

MONEY_MAX_DIGITS = 18
MONEY_DECIMAL_PLACES = 2
UNIT_PRICE_DECIMAL_PLACES = 4
RATE_DECIMAL_PLACES = 4
CENT = Decimal("0.01")


def default_currency() -> str:
    """The base currency from settings (``PARETOCRM_BASE_CURRENCY``, default CNY)."""
    return str(settings.BASE_CURRENCY)


def quantize_money(value: Decimal) -> Decimal:
    """Round an amount to cents, half up (the commercial convention)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    """A money amount: Decimal(18, 2)."""
    return models.DecimalField(
        verbose_name,
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        **kwargs,
    )


def unit_price_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    """A price or cost per unit: Decimal(18, 4)."""
    return models.DecimalField(
        verbose_name,
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=UNIT_PRICE_DECIMAL_PLACES,
        **kwargs,
    )


def rate_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    """A percentage or rate (discount %, probability %): Decimal(9, 4)."""
    return models.DecimalField(
        verbose_name, max_digits=9, decimal_places=RATE_DECIMAL_PLACES, **kwargs
    )


def currency_field(**kwargs: Any) -> models.CharField:
    """An ISO 4217 currency code, defaulting to the base currency."""
    kwargs.setdefault("default", default_currency)
    return models.CharField(
        _("currency"), max_length=3, validators=[validate_currency_code], **kwargs
    )
