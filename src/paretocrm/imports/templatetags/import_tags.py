"""Template filters of the import page (the navigation shows it to roles that may import)."""

from __future__ import annotations

from typing import Any

from django import template

from paretocrm.imports.kinds import KINDS
from paretocrm.imports.messages import render_issue
from paretocrm.users.permissions import Function, has_function

register = template.Library()


@register.filter
def may_import(user: Any) -> bool:
    """True when the user's role has the IMPORT function."""
    return has_function(user, Function.IMPORT)


@register.filter
def kind_label(kind: str) -> str:
    """An import kind by its name in the reader's language (an unknown code as stored)."""
    from paretocrm.imports.forms import KIND_LABELS

    return str(KIND_LABELS.get(kind, kind))


@register.filter
def issue_text(issue: Any) -> str:
    """A report issue in the reader's language (its stored text when it has no code)."""
    return render_issue(issue)


@register.filter
def issue_column(issue: Any, kind: str) -> str:
    """The issue's column by the header the reader's language uses (a file header as is)."""
    column = str(issue.get("column") or "")
    kind_class = KINDS.get(kind)
    if kind_class is None or column not in kind_class.columns:
        return column
    return kind_class.header(column)
