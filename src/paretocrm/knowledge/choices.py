"""Choices of the knowledge app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleLanguage(models.TextChoices):
    """Languages articles are written in (the interface languages)."""

    ZH_HANS = "zh-hans", _("Simplified Chinese")
    ZH_HANT = "zh-hant", _("Traditional Chinese")
    EN = "en", _("English")


class ArticleKind(models.TextChoices):
    """Article or frequently asked question."""

    ARTICLE = "article", _("article")
    FAQ = "faq", _("FAQ")


class ArticleStatus(models.TextChoices):
    """Editorial status."""

    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    ARCHIVED = "archived", _("archived")
