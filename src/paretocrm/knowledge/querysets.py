"""Querysets of the knowledge app."""

from __future__ import annotations

from typing import Self

from django.db import models

from paretocrm.knowledge.choices import ArticleStatus


class ArticleQuerySet(models.QuerySet):
    """Articles."""

    def published(self) -> Self:
        """Articles readers may see."""
        return self.filter(status=ArticleStatus.PUBLISHED)
