"""API views of the service app (scope through ``visible_to``, see core.api.views)."""

from __future__ import annotations

from paretocrm.core.api.permissions import ACCOUNT_WRITERS
from paretocrm.core.api.views import ScopedModelViewSet
from paretocrm.service import filtersets
from paretocrm.service.api.serializers import (
    CareRecordSerializer,
    CaseSerializer,
    SurveyResponseSerializer,
)
from paretocrm.service.models import CareRecord, Case, SurveyResponse

#: Service agents work cases and care; account roles may log them too.
SERVICE_WRITERS = ACCOUNT_WRITERS | {"service_agent"}


class CaseViewSet(ScopedModelViewSet):
    """Service cases of visible customers."""

    model = Case
    serializer_class = CaseSerializer
    write_roles = SERVICE_WRITERS
    filterset_class = filtersets.CaseFilterSet
    search_fields = ("number", "subject")
    ordering_fields = ("opened_at", "priority", "status", "number")
    list_prefetch_related = ("articles",)


class CareRecordViewSet(ScopedModelViewSet):
    """Care records of visible customers."""

    model = CareRecord
    serializer_class = CareRecordSerializer
    write_roles = SERVICE_WRITERS
    filterset_class = filtersets.CareRecordFilterSet
    search_fields = ("notes",)
    ordering_fields = ("occurred_at",)
    stamp_user_fields = ("user",)


class SurveyResponseViewSet(ScopedModelViewSet):
    """Survey responses of visible customers."""

    model = SurveyResponse
    serializer_class = SurveyResponseSerializer
    write_roles = SERVICE_WRITERS
    filterset_class = filtersets.SurveyResponseFilterSet
    search_fields = ("comment",)
    ordering_fields = ("answered_at", "score")
