"""The shared knowledge base: product knowledge and FAQ articles (共享知识库)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from paretocrm.core.bounds import validate_business_date
from paretocrm.core.models import CategoryTree, VersionedModel
from paretocrm.knowledge.choices import ArticleKind, ArticleLanguage, ArticleStatus
from paretocrm.knowledge.querysets import ArticleQuerySet


class ArticleCategory(CategoryTree):
    """A category of articles (e.g. products, export procedures, complaints handling)."""

    class Meta(CategoryTree.Meta):
        verbose_name = _("article category")
        verbose_name_plural = _("article categories")


class ArticleTag(models.Model):
    """A keyword on articles (its own table: knowledge depends on no customer data)."""

    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ("name",)
        verbose_name = _("article tag")
        verbose_name_plural = _("article tags")
        constraints = (
            models.UniqueConstraint(
                fields=("name",),
                name="knowledge_articletag_name_unique",
                violation_error_message=_("A tag with this name already exists."),
            ),
        )

    def __str__(self) -> str:
        return self.name


class Article(VersionedModel):
    """A knowledge article or FAQ in one language.

    Versions of one article in other languages point at the first one (``translation_of``);
    ``knowledge.services.save_article`` keeps one version per language.

    ``body`` is plain text or Markdown and is always escaped when shown: raw HTML from
    users is never stored to be served (STYLE.md, QUALITY.md IMP-6).
    """

    title = models.CharField(_("title"), max_length=200)
    category = models.ForeignKey(
        ArticleCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=ArticleLanguage.choices,
        default=ArticleLanguage.ZH_HANS,
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=ArticleKind.choices, default=ArticleKind.ARTICLE
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("body (plain text or Markdown)"))
    tags = models.ManyToManyField(
        ArticleTag, verbose_name=_("tags"), blank=True, related_name="articles"
    )
    public = models.BooleanField(
        _("public"), default=False, help_text=_("Visible to customers, not only to staff.")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
    )
    published_at = models.DateTimeField(
        _("published at"), null=True, blank=True, validators=[validate_business_date]
    )
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("translation of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="translations",
        help_text=_("The article this one translates (its versions in other languages)."),
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ("title", "id")
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = (
            models.Index(fields=("status", "language"), name="knowledge_article_status_idx"),
        )

    def __str__(self) -> str:
        return self.title
