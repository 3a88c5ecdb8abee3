"""Knowledge-base search that works for Chinese as well as English.

Why substring matching (``icontains``) and not full-text search: Chinese is written without
spaces, so word-based engines (PostgreSQL ``to_tsvector('simple')``, SQLite FTS5's default
tokenizer) index whole sentences as one token and find nothing for a two-character query
such as 退货 (returns). Case-insensitive substring matching is correct for Chinese, English
and mixed text on both databases, and a knowledge base of a few thousand articles is
scanned in milliseconds. When it grows large, add a trigram index (``pg_trgm``) or a
Chinese tokenizer (zhparser/jieba); callers only use :func:`search_articles`.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from paretocrm.knowledge.models import Article

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
