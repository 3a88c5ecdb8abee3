"""Knowledge-base services: writing articles, and search that works for Chinese and English.

Why substring matching (``icontains``) and not full-text search: Chinese is written without
spaces, so word-based engines (PostgreSQL ``to_tsvector('simple')``, SQLite FTS5's default
tokenizer) index whole sentences as one token and find nothing for a two-character query
such as 退货 (returns). Case-insensitive substring matching is correct for Chinese, English
and mixed text on both databases, and a knowledge base of a few thousand articles is
scanned in milliseconds. When it grows large, add a trigram index (``pg_trgm``) or a
Chinese tokenizer (zhparser/jieba); callers only use :func:`search_articles`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from paretocrm.core.models import require_version
from paretocrm.knowledge.choices import ArticleStatus
from paretocrm.knowledge.models import Article, ArticleCategory, ArticleTag

MAX_TERMS = 10


def search_articles(
    query: str,
    *,
    language: str | None = None,
    published_only: bool = True,
    public_only: bool = False,
) -> QuerySet[Article]:
    """Articles matching every whitespace-separated term in title, summary, body or tags.

    Results with a term in the title come first, then by title. An empty query returns
    nothing (a search box should not list the whole base).
    """
    terms = [t for t in query.split() if t][:MAX_TERMS]
    if not terms:
        return Article.objects.none()
    articles = Article.objects.all()
    if published_only:
        articles = articles.published()
    if public_only:
        articles = articles.filter(public=True)
    if language:
        articles = articles.filter(language=language)
    for term in terms:
        matching_tags = Article.tags.through.objects.filter(articletag__name__icontains=term)
        articles = articles.filter(
            Q(title__icontains=term)
            | Q(summary__icontains=term)
            | Q(body__icontains=term)
            | Q(pk__in=matching_tags.values("article_id"))
        )
    title_hit = Q()
    for term in terms:
        title_hit |= Q(title__icontains=term)
    return articles.annotate(
        title_match=Case(
            When(title_hit, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("title_match", "title", "id")


# --- writing the knowledge base (pages and API call the same functions) -------------------

#: Fields of an article a writer sets (author, version and dates are the service's).
ARTICLE_FIELDS: tuple[str, ...] = (
    "title",
    "category",
    "language",
    "kind",
    "summary",
    "body",
    "public",
    "status",
    "translation_of",
)

MAX_TAGS = 20


def save_article(
    article: Article | None,
    *,
    by: Any,
    tags: Iterable[ArticleTag | str] | None = None,
    version: int | None = None,
    **fields: Any,
) -> Article:
    """Create (``article`` None, authored by ``by``) or change an article.

    ``version`` is the version the editing page showed (``None`` when the API's If-Match
    checked it already). ``tags`` are tags or tag names (new names become tags). Publishing
    stamps ``published_at`` once. Refusals are ``ValidationError`` naming the field.
    """
    unknown = set(fields) - set(ARTICLE_FIELDS)
    if unknown:
        raise TypeError(f"save_article() got unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        if article is None:
            article = Article(author=by if getattr(by, "pk", None) else None)
        else:
            article = Article.objects.select_for_update().get(pk=article.pk)
            require_version(article, version)
        for name, value in fields.items():
            setattr(article, name, value)
        _check_translation(article)
        if article.status == ArticleStatus.PUBLISHED and article.published_at is None:
            article.published_at = timezone.now()
        article.full_clean(exclude=("author",))
        article.save()
        if tags is not None:
            article.tags.set(_tags_from(tags))
    return article


def archive_article(article: Article, *, version: int | None = None) -> Article:
    """Archive an article: readers no longer see it, cases that link it keep the link."""
    with transaction.atomic():
        stored = Article.objects.select_for_update().get(pk=article.pk)
        require_version(stored, version)
        stored.status = ArticleStatus.ARCHIVED
        stored.save(update_fields=("status",))
    return stored


def add_category(name: str, *, parent: ArticleCategory | None = None) -> ArticleCategory:
    """A new article category (names are unique; the error names the field)."""
    category = ArticleCategory(name=name.strip(), parent=parent)
    category.full_clean()
    category.save()
    return category


def parse_tag_names(text: str) -> list[str]:
    """Tag names from what a person typed: separated by commas (, ，、) or semicolons."""
    names = [part.strip() for part in re.split(r"[,，、;；]", text or "")]
    return list(dict.fromkeys(name for name in names if name))


def suggest_articles(text: str, *, limit: int = 5) -> list[Article]:
    """Published articles that may answer a case whose subject and description are ``text``.

    An article is suggested when one of its tags or its title occurs in the text (Chinese
    has no spaces to split words at, so the known keywords are looked for in the text), or
    when it matches a word of text written with spaces. Most keyword hits first.
    """
    haystack = (text or "").casefold()
    if not haystack.strip():
        return []
    hits: dict[int, int] = {}
    tag_names = ArticleTag.objects.filter(articles__status=ArticleStatus.PUBLISHED).values_list(
        "pk", "name"
    )
    found_tags = {pk for pk, name in tag_names.distinct() if name and name.casefold() in haystack}
    tagged = Article.objects.published().filter(tags__in=found_tags).values_list("pk", flat=True)
    for pk in tagged:
        hits[pk] = hits.get(pk, 0) + 1
    for pk, title in Article.objects.published().values_list("pk", "title"):
        if title and title.casefold() in haystack:
            hits[pk] = hits.get(pk, 0) + 2
    words = [w for w in re.split(r"\W+", haystack) if len(w) >= 4 and w.isascii()][:MAX_TERMS]
    for word in words:
        for pk in search_articles(word).values_list("pk", flat=True)[:limit]:
            hits[pk] = hits.get(pk, 0) + 1
    ranked = sorted(hits, key=lambda pk: -hits[pk])[:limit]
    by_pk = Article.objects.select_related("category").in_bulk(ranked)
    return [by_pk[pk] for pk in ranked if pk in by_pk]


def _tags_from(tags: Iterable[ArticleTag | str]) -> list[ArticleTag]:
    chosen: list[ArticleTag] = []
    for tag in tags:
        if isinstance(tag, ArticleTag):
            chosen.append(tag)
            continue
        name = str(tag).strip()[:50]
        if name:
            chosen.append(ArticleTag.objects.get_or_create(name=name)[0])
    if len(chosen) > MAX_TAGS:
        text = _("at most %(n)d tags per article") % {"n": MAX_TAGS}
        raise ValidationError({"tags": text})
    return chosen


def _check_translation(article: Article) -> None:
    """A translation points at the first version, in another language, one per language."""
    original = article.translation_of
    if original is None:
        return
    if original.translation_of_id is not None:
        original = original.translation_of
        article.translation_of = original
    if article.pk is not None and original.pk == article.pk:
        raise ValidationError({"translation_of": _("an article cannot translate itself")})
    if article.pk is not None and article.translations.exists():
        text = _("this article has translations of its own, so it cannot be a translation")
        raise ValidationError({"translation_of": text})
    if original.language == article.language:
        text = _("a translation must be in another language than %(title)s") % {
            "title": original.title
        }
        raise ValidationError({"language": text})
    taken = original.translations.filter(language=article.language).exclude(pk=article.pk)
    if taken.exists():
        text = _("%(title)s already has a version in this language") % {"title": original.title}
        raise ValidationError({"language": text})
