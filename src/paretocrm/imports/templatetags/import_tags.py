"""Template filters of the import page (the navigation shows it to roles that may import)."""

from __future__ import annotations

from typing import Any

from django import template

from paretocrm.users.permissions import Function, has_function

register = template.Library()


@register.filter
def may_import(user: Any) -> bool:
    """True when the user's role has the IMPORT function."""
    return has_function(user, Function.IMPORT)
