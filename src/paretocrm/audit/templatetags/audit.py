"""Template tag behind the history panel include (``audit/history_panel.html``)."""

from __future__ import annotations

from typing import Any

from django import template

from paretocrm.audit.services import history_for_customer, may_read_history

register = template.Library()


@register.inclusion_tag("audit/_history_rows.html", takes_context=True)
def customer_history(context: dict[str, Any], customer: Any, limit: int = 50) -> dict[str, Any]:
    """The newest field changes of ``customer``, for a user allowed to read them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    allowed = user is not None and may_read_history(user, customer)
    return {
        "allowed": allowed,
        "changes": history_for_customer(user, customer, limit) if allowed else [],
    }


@register.filter
def may_read_audit(user: Any) -> bool:
    """True when ``user``'s role may open the audit log page (the nav link)."""
    from paretocrm.users.permissions import Function, has_function

    return has_function(user, Function.AUDIT_READ)
