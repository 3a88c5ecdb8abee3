"""API views of the service app (scope through ``visible_to``, see core.api.views)."""

from __future__ import annotations

from paretocrm.core.api.views import ScopedModelViewSet
from paretocrm.core.policy import Function
from paretocrm.service import filtersets
from paretocrm.service.api.serializers import (
    CareRecordSerializer,
    CaseSerializer,
    SurveyResponseSerializer,
)
from paretocrm.service.models import CareRecord, Case, SurveyResponse


class CaseViewSet(ScopedModelViewSet):
    """Service cases of visible customers."""

    model = Case
    serializer_class = CaseSerializer
    write_function = Function.EDIT_SERVICE
    filterset_class = filtersets.CaseFilterSet
    search_fields = ("number", "subject")
    ordering_fields = ("opened_at", "priority", "status", "number")
    list_prefetch_related = ("articles",)


class CareRecordViewSet(ScopedModelViewSet):
    """Care records of visible customers."""

    model = CareRecord
    serializer_class = CareRecordSerializer
    write_function = Function.EDIT_SERVICE
    filterset_class = filtersets.CareRecordFilterSet
    search_fields = ("notes",)
    ordering_fields = ("occurred_at",)
    stamp_user_fields = ("user",)


class SurveyResponseViewSet(ScopedModelViewSet):
    """Survey responses of visible customers."""

    model = SurveyResponse
    serializer_class = SurveyResponseSerializer
    write_function = Function.EDIT_SERVICE
    filterset_class = filtersets.SurveyResponseFilterSet
    search_fields = ("comment",)
    ordering_fields = ("answered_at", "score")
