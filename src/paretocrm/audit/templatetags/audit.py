"""Template tag behind the history panel include (``audit/history_panel.html``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.apps import apps
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import pgettext_lazy

from paretocrm.audit.services import history_for_customer, may_read_history

register = template.Library()

#: Names of the keys events store in their detail, as the audit page shows them.
DETAIL_KEYS = {
    "kind": pgettext_lazy("audit detail", "kind"),
    "format": pgettext_lazy("audit detail", "format"),
    "filter": pgettext_lazy("audit detail", "filter"),
    "function": pgettext_lazy("audit detail", "function"),
    "path": pgettext_lazy("audit detail", "path"),
    "sessions_ended": pgettext_lazy("audit detail", "sessions ended"),
    "from": pgettext_lazy("audit detail", "from"),
    "to": pgettext_lazy("audit detail", "to"),
    "scope": pgettext_lazy("audit detail", "scope"),
    "changed": pgettext_lazy("audit detail", "changed"),
    "customer": pgettext_lazy("audit detail", "customer"),
    "file": pgettext_lazy("audit detail", "file"),
    "status": pgettext_lazy("audit detail", "status"),
    "system": pgettext_lazy("audit detail", "system import"),
    "reason": pgettext_lazy("audit detail", "reason"),
    "customers": pgettext_lazy("audit detail", "customers"),
    "call_list": pgettext_lazy("audit detail", "call list"),
}
#: Codes stored as detail values (what was exported, file formats, yes/no).
DETAIL_VALUES = {
    "personal_data": pgettext_lazy("audit detail", "personal data"),
    "customers": pgettext_lazy("audit detail", "customers"),
    "call_list": pgettext_lazy("audit detail", "call list"),
    "campaign_audience": pgettext_lazy("audit detail", "campaign audience"),
    "concentration_report": pgettext_lazy("audit detail", "concentration report"),
    "core_customers": pgettext_lazy("audit detail", "core customers"),
    "scorecards": pgettext_lazy("audit detail", "scorecards"),
    "account_plan": pgettext_lazy("audit detail", "account plan"),
    "json": "JSON",
    "csv": "CSV",
    "xlsx": "XLSX",
    True: pgettext_lazy("audit detail", "yes"),
    False: pgettext_lazy("audit detail", "no"),
}


#: Detail keys whose value is a request as typed (a URL's query): shown verbatim, as code.
VERBATIM_KEYS = frozenset({"filter", "path"})


def _detail_value(key: str, value: Any) -> Any:
    """A stored detail value as the reader reads it: a refused function by its name."""
    from paretocrm.core.policy import Function

    if key == "function" and value in Function.values:
        return Function(value).label
    return DETAIL_VALUES.get(value, value) if isinstance(value, str | bool) else value


@register.filter
def detail_text(detail: Any) -> SafeString:
    """An event's detail as "key: value; ..." in the reader's language (unknown keys and
    values as stored, so nothing recorded is hidden; a recorded query or path as code)."""
    if not isinstance(detail, dict):
        return format_html("{}", detail or "")
    parts = []
    for key, value in detail.items():
        label = DETAIL_KEYS.get(key, key)
        if key in VERBATIM_KEYS and value:
            parts.append(format_html("{}: <code>{}</code>", label, value))
        else:
            parts.append(format_html("{}: {}", label, _detail_value(key, value)))
    return format_html_join("; ", "{}", ((part,) for part in parts))


@register.simple_tag
def audited_record_types() -> list[tuple[str, str]]:
    """The record types the audit log filters on (``app_label.model``) and their names in
    the reader's language, by name."""
    types = [
        (model._meta.label_lower, str(model._meta.verbose_name))
        for model in apps.get_models()
        if model.__module__.startswith("paretocrm.") and model._meta.app_label != "audit"
    ]
    return sorted(types, key=lambda item: item[1])


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
