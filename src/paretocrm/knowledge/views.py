"""Pages of the knowledge base: the list, an article, the editor (with preview) and categories.

Reading follows ``Article.objects.readable_by`` (editors see drafts and archived articles,
other staff the published ones); writing needs the edit-knowledge function of the role
policy and calls the same services as the API (``knowledge.services``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from paretocrm.core.exceptions import StaleVersionError
from paretocrm.core.policy import Function, has_function
from paretocrm.core.views import ScopedListView, posted_version
from paretocrm.knowledge import services
from paretocrm.knowledge.choices import ArticleLanguage, ArticleStatus
from paretocrm.knowledge.forms import ArticleForm, CategoryForm
from paretocrm.knowledge.models import Article, ArticleCategory
from paretocrm.knowledge.rendering import render_body


def _require_edit(request: HttpRequest) -> None:
    if not has_function(request.user, Function.EDIT_KNOWLEDGE):
        raise PermissionDenied(_("Your role may not change knowledge articles."))


class ArticleListView(ScopedListView):
    """Articles the user may read; ``?q=`` uses the Chinese-aware search of the knowledge app;
    ``?category=`` and (for editors) ``?status=`` narrow the list."""

    model = Article
    template_name = "knowledge/article_list.html"
    page_title = gettext_lazy("Knowledge base")

    def get_queryset(self) -> QuerySet[Any]:
        readable = Article.objects.readable_by(self.request.user)
        term = self.request.GET.get("q", "").strip()
        if term:
            readable = readable.filter(pk__in=services.search_articles(term, published_only=False))
        category = self.request.GET.get("category", "")
        if category.isdigit():
            readable = readable.filter(category_id=int(category))
        status = self.request.GET.get("status", "")
        if status in ArticleStatus.values:
            readable = readable.filter(status=status)
        return readable.select_related("category").order_by("title", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            may_edit=has_function(self.request.user, Function.EDIT_KNOWLEDGE),
            categories=ArticleCategory.objects.order_by("name"),
            statuses=ArticleStatus.choices,
            category=self.request.GET.get("category", ""),
            status=self.request.GET.get("status", ""),
        )
        return context


@login_required
@require_GET
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One article, its versions in other languages and the cases (in scope) that link it."""
    readable = Article.objects.readable_by(request.user)
    article = get_object_or_404(readable.select_related("category", "author"), pk=pk)
    original = article.translation_of or article
    versions = readable.filter(translation_of=original) | readable.filter(pk=original.pk)
    context = {
        "article": article,
        "versions": versions.exclude(pk=article.pk).order_by("language"),
        "cases": article.cases.visible_to(request.user).select_related("customer")[:20],
        "may_edit": has_function(request.user, Function.EDIT_KNOWLEDGE),
        "missing_languages": [
            (value, label)
            for value, label in ArticleLanguage.choices
            if value != original.language
            and not original.translations.filter(language=value).exists()
        ],
        "original": original,
    }
    return render(request, "knowledge/article_detail.html", context)


@login_required
def article_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Write (no ``pk``) or change an article; the Preview button shows it without saving."""
    _require_edit(request)
    article = get_object_or_404(Article, pk=pk) if pk else None
    form = ArticleForm(request.POST or None, instance=article, initial=_initial(request, article))
    preview = None
    status = 200
    if request.method == "POST":
        if form.is_valid() and "preview" not in request.POST:
            saved = _save(request, form, article)
            if saved is not None:
                messages.success(request, _("The article was saved."))
                return redirect("knowledge:article", pk=saved.pk)
        if "preview" in request.POST:
            preview = render_body(request.POST.get("body", ""))
        status = 400 if form.errors else 200
    context = {"form": form, "article": article, "preview": preview}
    return render(request, "knowledge/article_form.html", context, status=status)


@login_required
@require_POST
def article_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Archive an article (readers no longer see it; cases keep their link)."""
    _require_edit(request)
    article = get_object_or_404(Article, pk=pk)
    version = posted_version(request)
    if version is not None:
        try:
            services.archive_article(article, version=version)
        except StaleVersionError:
            messages.error(request, _stale_text())
        else:
            messages.success(request, _("The article was archived."))
    return redirect("knowledge:article", pk=article.pk)


@login_required
def categories(request: HttpRequest) -> HttpResponse:
    """Article categories with their article counts; editors add new ones here."""
    may_edit = has_function(request.user, Function.EDIT_KNOWLEDGE)
    if request.method == "POST":
        _require_edit(request)
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_category(form.cleaned_data["name"], parent=form.cleaned_data["parent"])
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, _("The category was added."))
            return redirect("knowledge:categories")
    rows = ArticleCategory.objects.select_related("parent").annotate(
        article_count=Count("articles")
    )
    context = {"form": form, "categories": rows.order_by("name"), "may_edit": may_edit}
    return render(request, "knowledge/categories.html", context, status=400 if form.errors else 200)


def _initial(request: HttpRequest, article: Article | None) -> dict[str, Any]:
    """A new translation (``?translation_of=``) starts from the original's settings."""
    if article is not None:
        return {}
    source = request.GET.get("translation_of", "")
    original = Article.objects.filter(pk=int(source)).first() if source.isdigit() else None
    if original is None:
        return {}
    original = original.translation_of or original
    language = request.GET.get("language", "")
    return {
        "translation_of": original.pk,
        "category": original.category_id,
        "kind": original.kind,
        "public": original.public,
        "language": language if language in ArticleLanguage.values else "",
    }


def _save(request: HttpRequest, form: ArticleForm, article: Article | None) -> Article | None:
    data = {name: form.cleaned_data[name] for name in services.ARTICLE_FIELDS}
    version = form.cleaned_data.get("version")
    if article is not None and version is None:
        form.add_error(None, _stale_text())
        return None
    try:
        return services.save_article(
            article, by=request.user, tags=form.tag_names(), version=version, **data
        )
    except ValidationError as error:
        _attach(form, error)
    except StaleVersionError:
        form.add_error(None, _stale_text())
    return None


def _attach(form: Form, error: ValidationError) -> None:
    """Put the service's errors on the field they name (others on the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            name = "tags_text" if field == "tags" else field
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _stale_text() -> str:
    return _(
        "Someone else changed this article after you opened the page, so nothing was saved. "
        "Reload the page to see the current text, then make your changes again."
    )
