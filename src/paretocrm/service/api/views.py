"""API views of the service app (scope through ``visible_to``, see core.api.views)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from paretocrm.core.api.views import ScopedModelViewSet, refusal
from paretocrm.core.policy import Function
from paretocrm.knowledge.models import Article
from paretocrm.service import filtersets, services
from paretocrm.service.api.serializers import (
    CareRecordSerializer,
    CaseArticleSerializer,
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

    @extend_schema(request=CaseArticleSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post", "delete"])
    def articles(self, request: Request, pk: Any = None) -> Response:
        """Link (POST) or unlink (DELETE) a published knowledge article, as the case page does."""
        case = self.get_object()
        body = CaseArticleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        article = Article.objects.filter(pk=body.validated_data["article"]).first()
        try:
            if request.method == "DELETE":
                services.unlink_article(case, article)
            else:
                services.link_article(case, article, by=request.user)
        except services.CaseError as error:
            raise refusal(error) from error
        return Response(self.get_serializer(self.get_object()).data)  # fresh links


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
