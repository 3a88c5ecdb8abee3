"""Template helpers shared by every page: role checks, query strings, number formats."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.formats import number_format

from paretocrm.core.masking import personal_email_for, personal_text_for
from paretocrm.core.policy import has_function as _has_function

register = template.Library()


@register.filter
def has_function(user: Any, function: str) -> bool:
    """True when the role policy lets ``user`` use ``function`` (``user|has_function:"x"``)."""
    return _has_function(user, function)


@register.filter
def personal_text(value: Any, user: Any) -> Any:
    """Free text about a person as ``user`` may read it (PRIV-5): ``{{ x|personal_text:user }}``."""
    return personal_text_for(user, value) if isinstance(value, str) else value


@register.filter
def personal_email(value: Any, user: Any) -> Any:
    """An e-mail address (or a portal user name) masked unless ``user`` may see it whole."""
    return personal_email_for(user, value) if isinstance(value, str) else value


@register.simple_tag
def query_with(request: HttpRequest, **changes: Any) -> str:
    """The current query string with some parameters replaced (keeps filters when paging)."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.filter
def percent(value: Any, digits: int = 1) -> str:
    """A 0-1 share as a percentage ("0.823" -> "82.3%"), or an em dash when missing."""
    if value in (None, ""):
        return "—"
    return f"{number_format(float(value) * 100, int(digits))}%"


@register.filter
def amount(value: Any) -> str:
    """A money amount with thousands separators and no decimals, per the active locale."""
    if value in (None, ""):
        return "—"
    return number_format(round(Decimal(str(value))), 0, force_grouping=True)


@register.filter
def decimal1(value: Any) -> str:
    """A number with one decimal place."""
    if value in (None, ""):
        return "—"
    return number_format(float(value), 1)


@register.filter
def bar_width(value: Any, maximum: Any) -> float:
    """Width in percent of a bar for ``value`` on a scale up to ``maximum`` (0-100)."""
    try:
        top = float(maximum)
        return round(max(0.0, min(100.0, 100.0 * float(value) / top)), 1) if top > 0 else 0.0
    except (TypeError, ValueError):
        return 0.0


@register.filter
def sort_toggle(key: str, current: str) -> str:
    """The sort parameter for a column header: ascending first, then descending."""
    return f"-{key}" if current == key else key
