"""Serializers of the knowledge app."""

from __future__ import annotations

from paretocrm.core.api.serializers import ScopedModelSerializer
from paretocrm.knowledge.models import Article


class ArticleSerializer(ScopedModelSerializer):
    """A knowledge article or FAQ; ``body`` is plain text/Markdown, returned as stored."""

    class Meta:
        model = Article
        fields = (
            "id",
            "display",
            "title",
            "category",
            "language",
            "kind",
            "summary",
            "body",
            "tags",
            "public",
            "status",
            "author",
            "published_at",
            "version",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "display", "title", "language", "kind", "status", "version")
