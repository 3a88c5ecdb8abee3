"""Views and view helpers shared by every app's pages (the kernel knows no app)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from django.views.defaults import page_not_found
from django.views.generic import ListView

from paretocrm.core.exceptions import DomainError
from paretocrm.core.masking import searchable_fields
from paretocrm.core.policy import Function, has_function


class FunctionRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Pages of one function of the role policy (``required_function``).

    Anonymous users go to sign-in; a signed-in user without the function gets the standard
    403 (``PermissionDenied``), which the refusal audit sees like any other.
    """

    required_function: Function

    def test_func(self) -> bool:
        return has_function(self.request.user, self.required_function)


def posted_version(request: HttpRequest) -> int | None:
    """The version of the record an action button's page showed (its hidden ``version``).

    Every button that changes a versioned record posts it (DUR-1) and the service refuses
    the action when the record has changed since (:func:`core.models.require_version`).
    A missing or non-numeric version gets an error message naming the field and ``None``:
    the view then changes nothing.
    """
    value = request.POST.get("version", "").strip()
    if value.isdigit() and int(value) >= 1:
        return int(value)
    text = _("the page did not say which version of the record it showed; reload it and try again")
    messages.error(request, f"version: {text}")
    return None


def show_domain_error(request: HttpRequest, error: DomainError, form: Any = None) -> None:
    """Show a service's refusal where the user is looking.

    With a ``form``: on the field the error names when the form has it, else on the form
    (the whole message, field name included). Without one: an error message on the next page.
    """
    if form is None:
        messages.error(request, str(error))
    elif error.field in form.fields:
        form.add_error(error.field, error.text)
    else:
        form.add_error(None, str(error))


def show_stale_version(request: HttpRequest, label: Any, form: Any = None) -> None:
    """Say that someone else changed the record (``label``: its translated name, e.g. the
    model's ``verbose_name``) since the page was opened (DUR-1).

    With a ``form`` (an edit page): the changes were not saved, on the form. Without one (an
    action button): nothing was changed, as an error message on the page the view redirects to.
    """
    if form is not None:
        text = _(
            "Someone else changed this %(record)s while you were editing it. Your changes "
            "were not saved: reload the page to see the current data, then make your "
            "changes again."
        )
        form.add_error(None, text % {"record": label})
        return
    text = _(
        "Someone else changed this %(record)s after you opened the page, so nothing was "
        "changed. Check the %(record)s below and try again if still needed."
    )
    messages.error(request, text % {"record": label})


def posted_user(request: HttpRequest, name: str) -> Any:
    """The user whose id was posted as ``name`` (``None`` when absent or not a number);
    the service that gives the work decides whether they may take it (the assignee rule)."""
    value = request.POST.get(name, "")
    if not value.strip().isdigit():
        return None
    return get_user_model().objects.filter(pk=int(value)).first()


def plotly_js_path() -> Path:
    """plotly.min.js inside the installed plotly package (no CDN, no copy in the repo)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@login_required
@require_GET
@cache_control(public=True, max_age=86400)
def plotly_js(_request: HttpRequest) -> FileResponse:
    """Serve the plotly bundle of the installed package, cached by the browser for a day."""
    path = plotly_js_path()
    if not path.is_file():
        raise Http404("plotly.min.js is not installed")
    return FileResponse(path.open("rb"), content_type="text/javascript; charset=utf-8")


class ScopedListView(LoginRequiredMixin, ListView):
    """A paginated list of one model, scoped by ``visible_to`` and searchable with ``?q=``.

    Models without ``visible_to`` (company-wide records such as campaigns and articles) are
    listed whole; everything customer-owned goes through its queryset's scope.
    """

    paginate_by = 50
    page_title: Any = ""
    search_fields: tuple[str, ...] = ()
    select_related: tuple[str, ...] = ()

    def base_queryset(self) -> QuerySet[Any]:
        """All rows the user may see."""
        manager = self.model._default_manager
        queryset = manager.all()
        if hasattr(queryset, "visible_to"):
            queryset = queryset.visible_to(self.request.user)
        return queryset

    def get_queryset(self) -> QuerySet[Any]:
        queryset = self.base_queryset()
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        term = self.request.GET.get("q", "").strip()
        if term and self.search_fields:
            # Personal data the user sees masked is never matched (PRIV-5): a search
            # must not confirm a hidden phone number.
            fields = searchable_fields(self.request.user, self.model, self.search_fields)
            condition = Q(pk__in=[])
            for field in fields:
                condition |= Q(**{f"{field}__icontains": term})
            queryset = queryset.filter(condition)
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["q"] = self.request.GET.get("q", "")
        context["page_title"] = self.page_title
        return context


def healthz(_request: HttpRequest) -> JsonResponse:
    """Readiness for a load balancer or systemd: 200 when the database answers, else 503.

    Open to anonymous callers and cheap (one ``SELECT 1``); it says nothing about the data.
    ``/health/`` stays the liveness check that needs no database.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except (OperationalError, InterfaceError):
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for a URL no route matches: JSON under /api/ (as the API documents), else the page.

    A path the routers cannot match (``/api/contacts/1.5/``) never reaches DRF, so without
    this the API would answer it with Django's HTML page.
    """
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)
