"""Admin of the knowledge base."""

from __future__ import annotations

from django.contrib import admin

from paretocrm.knowledge.models import Article, ArticleCategory, ArticleTag


@admin.register(ArticleCategory)
class ArticleCategoryAdmin(admin.ModelAdmin):
    """Article categories."""

    list_display = ("name", "parent")
    search_fields = ("name",)


@admin.register(ArticleTag)
class ArticleTagAdmin(admin.ModelAdmin):
    """Article tags."""

    search_fields = ("name",)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Articles and FAQ."""

    list_display = ("title", "category", "language", "kind", "status", "public")
    list_filter = ("language", "kind", "status", "public", "category")
    search_fields = ("title", "summary", "body")
    autocomplete_fields = ("category", "author", "tags")
