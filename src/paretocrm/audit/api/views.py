"""Reading the audit log through the API (QUALITY.md AUD-2, AUD-3).

Read-only routes only (append-only: no write path exists), for roles with the audit-read
function; a refused request is itself logged as denied access.
"""

from __future__ import annotations

from paretocrm.audit import filtersets
from paretocrm.audit.api.serializers import AuditEventSerializer, FieldChangeSerializer
from paretocrm.audit.models import AuditEvent, FieldChange
from paretocrm.core.api.views import ScopedReadOnlyViewSet
from paretocrm.users.api.permissions import FunctionPermission
from paretocrm.users.permissions import Function


class AuditEventViewSet(ScopedReadOnlyViewSet):
    """Security events (sign-ins, lockouts, transfers, exports, unmasking, denied access)."""

    model = AuditEvent
    company_wide = True  # the whole log, for audit readers only (permission below)
    permission_classes = (FunctionPermission,)
    required_function = Function.AUDIT_READ
    serializer_class = AuditEventSerializer
    filterset_class = filtersets.AuditEventFilterSet
    ordering_fields = ("occurred_at", "id")
    list_select_related = ("content_type",)


class FieldChangeViewSet(ScopedReadOnlyViewSet):
    """Field-level change history of business records."""

    model = FieldChange  # scoped by its customer (visible_to); audit readers see all
    permission_classes = (FunctionPermission,)
    required_function = Function.AUDIT_READ
    serializer_class = FieldChangeSerializer
    filterset_class = filtersets.FieldChangeFilterSet
    ordering_fields = ("changed_at", "id")
    list_select_related = ("content_type",)
