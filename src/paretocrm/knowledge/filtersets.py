"""Filters of the knowledge app, shared by the API (and any list page)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from paretocrm.core.api.filters import IdFilterSet
from paretocrm.knowledge.models import Article
from paretocrm.knowledge.services import search_articles


class ArticleFilterSet(IdFilterSet):
    """Articles by category, language, kind, status and visibility, plus text search."""

    q = django_filters.CharFilter(method="filter_search", label=_("search text"))

    class Meta:
        model = Article
        fields = ("category", "language", "kind", "status", "public")

    def filter_search(self, queryset: QuerySet[Any], _name: str, value: str) -> QuerySet[Any]:
        """Articles the knowledge search finds (substring matching, works for Chinese)."""
        if not value.strip():
            return queryset
        found = search_articles(value, published_only=False).values("pk")
        return queryset.filter(pk__in=found)
