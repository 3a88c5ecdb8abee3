"""Serializers of the knowledge app."""

from __future__ import annotations

from typing import Any

from paretocrm.core.api.serializers import ScopedModelSerializer
from paretocrm.knowledge import services
from paretocrm.knowledge.models import Article


class ArticleSerializer(ScopedModelSerializer):
    """A knowledge article or FAQ; ``body`` is plain text/Markdown, returned as stored.

    Writes go through ``knowledge.services.save_article``, like the editor page: the same
    rules (one version per language of an article, ``published_at`` on publishing).
    """

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
            "translation_of",
            "author",
            "published_at",
            "version",
            "created_at",
            "updated_at",
        )
        brief_fields = ("id", "display", "title", "language", "kind", "status", "version")

    def create(self, validated_data: dict[str, Any]) -> Article:
        """A new article authored by the requesting user (the view stamps ``author``)."""
        author = validated_data.pop("author", None)
        tags = validated_data.pop("tags", None)
        return services.save_article(None, by=author, tags=tags, **_article_fields(validated_data))

    def update(self, instance: Article, validated_data: dict[str, Any]) -> Article:
        """Change an article (the view checked If-Match under a row lock already)."""
        tags = validated_data.pop("tags", None)
        request = self.context.get("request")
        by = getattr(request, "user", None)
        return services.save_article(instance, by=by, tags=tags, **_article_fields(validated_data))


def _article_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in data.items() if name in services.ARTICLE_FIELDS}
