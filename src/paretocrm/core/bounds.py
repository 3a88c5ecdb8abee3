"""Business ranges of dates, money and quantities: declared once, checked on every write path.

A value the columns can hold is not necessarily one a business has: an order of 1e11 units
at 1e11 each, dated in the year 1, fits no sales ledger, and its revenue overflowed the score
columns (a numeric overflow on PostgreSQL, unreadable decimals on SQLite) and broke every
page reading the scores. So every write path - model field validators (admin, model forms),
the services, the API serializers, page forms and the import checks - asks this module, and
each refusal names its field. The ranges come from settings (``PARETOCRM_MIN_DATE``,
``PARETOCRM_MAX_DATE``, ``PARETOCRM_MAX_AMOUNT``, ``PARETOCRM_MAX_QUANTITY``); an amount
limit above what the money column holds is lowered to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from paretocrm.core.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

#: The largest amount a money column (Decimal(18, 2)) holds.
COLUMN_MAX_AMOUNT = Decimal(10) ** (MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES) - Decimal("0.01")

DATE, AMOUNT, QUANTITY = "date", "amount", "quantity"


@dataclass(frozen=True)
class Bounds:
    """The ranges in force: dates inclusive, amounts and quantities by absolute value."""

    min_date: dt.date
    max_date: dt.date
    max_amount: Decimal
    max_quantity: Decimal


def limits() -> Bounds:
    """The ranges from settings (read on each call, so tests may override them)."""
    return _parsed(
        str(getattr(settings, "MIN_BUSINESS_DATE", "1900-01-01")),
        str(getattr(settings, "MAX_BUSINESS_DATE", "2100-12-31")),
        str(getattr(settings, "MAX_AMOUNT", "1000000000000")),
        str(getattr(settings, "MAX_QUANTITY", "1000000000")),
    )


@lru_cache(maxsize=8)
def _parsed(min_date: str, max_date: str, max_amount: str, max_quantity: str) -> Bounds:
    try:
        bounds = Bounds(
            dt.date.fromisoformat(min_date),
            dt.date.fromisoformat(max_date),
            min(Decimal(max_amount), COLUMN_MAX_AMOUNT),
            min(Decimal(max_quantity), COLUMN_MAX_AMOUNT),
        )
    except (ValueError, InvalidOperation) as error:
        raise ImproperlyConfigured(f"business bounds: {error}") from error
    if bounds.min_date > bounds.max_date or bounds.max_amount <= 0 or bounds.max_quantity <= 0:
        raise ImproperlyConfigured(f"business bounds are empty: {bounds}")
    return bounds


def _date_text(day: dt.date) -> str:
    return str(formats.date_format(day, "SHORT_DATE_FORMAT"))


def date_error(value: Any) -> str | None:
    """Why ``value`` (a date or datetime) is outside the business dates, or None."""
    bounds = limits()
    # A datetime is judged by its own calendar day: converting a year-1 or year-9999 moment
    # to another time zone is what overflowed in the first place.
    day = value.date() if isinstance(value, dt.datetime) else value
    if bounds.min_date <= day <= bounds.max_date:
        return None
    return str(
        _("%(value)s is outside the accepted dates %(min)s to %(max)s.")
        % {
            "value": day.isoformat(),
            "min": _date_text(bounds.min_date),
            "max": _date_text(bounds.max_date),
        }
    )


def _number_error(value: Any, limit: Decimal) -> str | None:
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None  # not a number: the field's own parsing says so
    if number.is_finite() and abs(number) <= limit:
        return None
    return str(
        _("%(value)s is outside the accepted range -%(max)s to %(max)s.")
        % {"value": value, "max": f"{limit:,f}"}
    )


def amount_error(value: Any) -> str | None:
    """Why ``value`` is not a plausible money amount (or unit price), or None."""
    return _number_error(value, limits().max_amount)


def quantity_error(value: Any) -> str | None:
    """Why ``value`` is not a plausible quantity, or None."""
    return _number_error(value, limits().max_quantity)


_CHECKS: dict[str, Callable[[Any], str | None]] = {
    DATE: date_error,
    AMOUNT: amount_error,
    QUANTITY: quantity_error,
}


def _refuse(message: str | None) -> None:
    if message is not None:
        raise ValidationError(message, code="out_of_bounds")


# Model field validators: plain module-level functions, so migrations can reference them.
def validate_business_date(value: Any) -> None:
    """A date or datetime within the business dates."""
    if value is not None:
        _refuse(date_error(value))


def validate_amount(value: Any) -> None:
    """A money amount or unit price within the largest accepted amount."""
    if value is not None:
        _refuse(amount_error(value))


def validate_quantity(value: Any) -> None:
    """A quantity within the largest accepted quantity."""
    if value is not None:
        _refuse(quantity_error(value))


def errors(kinds: Mapping[str, str], values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Per field of ``values`` listed in ``kinds`` (field -> DATE/AMOUNT/QUANTITY), why it
    is out of range; fields absent or None are not checked."""
    found: dict[str, list[str]] = {}
    for name, kind in kinds.items():
        value = values.get(name)
        message = None if value is None else _CHECKS[kind](value)
        if message is not None:
            found[name] = [message]
    return found


def check(kinds: Mapping[str, str], values: Mapping[str, Any]) -> None:
    """Raise one ``ValidationError`` naming every field of ``values`` out of its range."""
    found = errors(kinds, values)
    if found:
        raise ValidationError(found)


def line_total_error(quantity: Any, unit_price: Any) -> str | None:
    """Why quantity x unit price is beyond the largest amount, or None."""
    try:
        total = abs(Decimal(quantity) * Decimal(unit_price))
    except (InvalidOperation, TypeError, ValueError):
        return None
    limit = limits().max_amount
    if total <= limit:
        return None
    return str(
        _("quantity x unit price (%(total)s) is above the largest accepted amount %(max)s.")
        % {"total": f"{total:,f}", "max": f"{limit:,f}"}
    )


class DateParameterError(ValueError):
    """A date parameter (query string, form) that is not a business date; names it."""


def parse_date(value: str, name: str) -> dt.date:
    """``value`` (YYYY-MM-DD) as a date within the business dates, for pages that read
    dates from GET or POST; raises :class:`DateParameterError` naming ``name``."""
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except ValueError:
        text = _("%(value)s is not a date (YYYY-MM-DD)") % {"value": repr(value)}
        raise DateParameterError(f"{name}: {text}") from None
    message = date_error(day)
    if message is not None:
        raise DateParameterError(f"{name}: {message}")
    return day
