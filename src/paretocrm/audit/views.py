"""The audit log page (QUALITY.md AUD-2, AUD-3): security events and field changes.

Only roles with the audit-read function open it; anyone else gets 403 and the refusal is
logged as denied access. Read-only: the page has no form that writes.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView

from paretocrm.audit import filtersets
from paretocrm.audit.models import AuditEvent, FieldChange
from paretocrm.audit.services import shown_changes
from paretocrm.users.permissions import Function, require_function

#: The two tables the page shows, by the ``?log=`` parameter.
LOGS = {
    "events": (AuditEvent, filtersets.AuditEventFilterSet, gettext_lazy("Security events")),
    "changes": (FieldChange, filtersets.FieldChangeFilterSet, gettext_lazy("Field changes")),
}


class AuditLogView(LoginRequiredMixin, ListView):
    """Security events or field changes, filtered by record, user, kind and date."""

    template_name = "audit/audit_log.html"
    paginate_by = 50

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            try:
                require_function(request.user, Function.AUDIT_READ)
            except PermissionDenied as exc:
                raise PermissionDenied(_("Your role may not read the audit log.")) from exc
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Any]:
        self.log = self.request.GET.get("log", "events")
        if self.log not in LOGS:
            self.log = "events"
        model, filterset_class, _title = LOGS[self.log]
        base = model.objects.select_related("actor", "content_type")
        self.filterset = filterset_class(self.request.GET or None, queryset=base)
        if self.filterset.is_bound and self.filterset.is_valid():
            return self.filterset.qs
        return base

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.log == "changes":
            context["object_list"] = shown_changes(self.request.user, context["object_list"])
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            log=self.log,
            logs={key: title for key, (_m, _f, title) in LOGS.items()},
            filterset=self.filterset,
            page_title=_("Audit log"),
            query=query.urlencode(),
        )
        return context
