"""Querysets of the knowledge app."""

from __future__ import annotations

from typing import Any, Self

from django.db import models

from paretocrm.core.policy import Function, has_function, is_portal_user, is_staff_member
from paretocrm.knowledge.choices import ArticleStatus


class ArticleQuerySet(models.QuerySet):
    """Articles."""

    def published(self) -> Self:
        """Articles readers may see."""
        return self.filter(status=ArticleStatus.PUBLISHED)

    def readable_by(self, user: Any) -> Self:
        """The articles ``user`` may open on a page.

        Editors of knowledge see every article (drafts and archived ones too), other staff
        the published ones, portal customers the published public ones, anyone else none.
        """
        if has_function(user, Function.EDIT_KNOWLEDGE):
            return self.all()
        if is_portal_user(user):
            return self.published().filter(public=True)
        if is_staff_member(user):
            return self.published()
        return self.none()
