"""Pages of the knowledge base."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from paretocrm.core.views import ScopedListView
from paretocrm.knowledge.models import Article
from paretocrm.knowledge.services import search_articles


class ArticleListView(ScopedListView):
    """Published articles; with ``?q=`` the Chinese-aware search of the knowledge app."""

    model = Article
    template_name = "knowledge/article_list.html"
    page_title = _("Knowledge base")

    def get_queryset(self) -> QuerySet[Any]:
        term = self.request.GET.get("q", "").strip()
        articles = search_articles(term) if term else Article.objects.published()
        return articles.select_related("category")
