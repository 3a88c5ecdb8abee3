"""API views of the knowledge app."""

from __future__ import annotations

from django.db.models import QuerySet

from paretocrm.core.api.views import ScopedModelViewSet
from paretocrm.core.policy import Function
from paretocrm.knowledge import filtersets
from paretocrm.knowledge.api.serializers import ArticleSerializer
from paretocrm.knowledge.models import Article


class ArticleViewSet(ScopedModelViewSet):
    """The knowledge base (company-wide). ``?q=`` searches Chinese and English text.

    Reads follow ``Article.objects.readable_by`` like the pages: drafts and archived
    articles only for the roles that edit knowledge.
    """

    model = Article
    company_wide = True
    write_function = Function.EDIT_KNOWLEDGE
    serializer_class = ArticleSerializer
    filterset_class = filtersets.ArticleFilterSet
    ordering_fields = ("title", "published_at", "updated_at")
    list_prefetch_related = ("tags",)
    stamp_user_fields = ("author",)

    def decorate_queryset(self, queryset: QuerySet[Article]) -> QuerySet[Article]:
        """Only the articles the user may read (the pages' rule)."""
        return queryset.readable_by(self.request.user)
