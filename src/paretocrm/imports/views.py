"""The import page: upload -> dry-run report -> commit, each run watched with htmx polling.

Needs the IMPORT function (users/permissions.py). A user sees their own batches; users
with full scope (administrators, general managers) see everyone's.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View

from paretocrm.core.querysets import has_full_scope
from paretocrm.imports import background, exports, services
from paretocrm.imports.forms import KIND_LABELS, CommitForm, UploadForm
from paretocrm.imports.kinds import KINDS
from paretocrm.imports.models import ImportBatch, ImportStatus
from paretocrm.users.permissions import Function, require_function

BATCHES_SHOWN = 20
ISSUES_PER_PAGE = 50


def visible_batches(user: Any) -> QuerySet[ImportBatch]:
    """Batches the user may look at."""
    batches = ImportBatch.objects.select_related("user")
    return batches if has_full_scope(user) else batches.filter(user=user)


class ImportAccessMixin(LoginRequiredMixin):
    """Signed in, and the role may import (a refusal is logged as denied access)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            require_function(request.user, Function.IMPORT)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class ImportPageView(ImportAccessMixin, View):
    """Upload a file (its dry run starts at once) and see the recent batches."""

    template_name = "imports/import_page.html"

    def get(self, request: HttpRequest, form: UploadForm | None = None) -> HttpResponse:
        background.notice_dead_batches()  # the list shows no batch "running" for a dead job
        context = {
            "form": form or UploadForm(),
            "batches": list(visible_batches(request.user)[:BATCHES_SHOWN]),
            "kind_labels": KIND_LABELS,
            "templates": template_kinds(),
        }
        return render(request, self.template_name, context, status=400 if form else 200)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.get(request, form)
        try:
            batch = services.store_upload(
                form.cleaned_data["file"],
                kind_name=form.cleaned_data["kind"],
                encoding=form.cleaned_data["encoding"],
                user=request.user,
            )
        except services.ImportRefused as error:
            form.add_error(None, str(error))
            return self.get(request, form)
        background.start_import(batch.pk)
        return redirect("imports:batch", pk=batch.pk)


#: Languages a template can be downloaded in (URL part -> language of its headers).
TEMPLATE_LANGUAGES = {"zh": "zh-hans", "en": "en"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_kinds() -> list[dict[str, Any]]:
    """The kinds with a header row: label and headers in the active language."""
    return [
        {"name": name, "label": KIND_LABELS.get(name, name), "headers": kind.headers()}
        for name, kind in KINDS.items()
        if kind.has_template
    ]


class TemplateDownloadView(ImportAccessMixin, View):
    """An empty file of one kind with its headers (CSV or XLSX, Chinese or English)."""

    def get(self, request: HttpRequest, kind: str, fmt: str, language: str) -> HttpResponse:
        kind_class = KINDS.get(kind)
        if kind_class is None or not kind_class.has_template or language not in TEMPLATE_LANGUAGES:
            raise Http404
        script = TEMPLATE_LANGUAGES[language]
        if script == "zh-hans" and translation.get_language() == "zh-hant":
            script = "zh-hant"  # the Chinese template in the reader's script
        headers = kind_class.headers(script)
        if fmt == "csv":
            body: Any = "".join(exports.csv_lines(headers, [])).encode("utf-8")
            content_type = "text/csv; charset=utf-8"
        elif fmt == "xlsx":
            buffer = io.BytesIO()
            exports.write_xlsx(buffer, headers, [])
            body, content_type = buffer.getvalue(), XLSX
        else:
            raise Http404
        response = HttpResponse(body, content_type=content_type)
        filename = f"{kind}-template-{language}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def _may_commit(dry_run: ImportBatch | None) -> bool:
    """A validated dry run with no commit that went through or is going (a failed one may
    be committed again)."""
    return (
        dry_run is not None
        and dry_run.dry_run
        and dry_run.status == ImportStatus.VALIDATED
        and not dry_run.commits.exclude(
            status__in=[ImportStatus.REJECTED, ImportStatus.FAILED]
        ).exists()
    )


def _batch_context(batch: ImportBatch, page_number: Any, user: Any) -> dict[str, Any]:
    report = batch.report or {}
    issues = Paginator(report.get("issues", []), ISSUES_PER_PAGE).get_page(page_number)
    failed_commit = not batch.dry_run and batch.status == ImportStatus.FAILED
    return {
        "batch": batch,
        "kind_label": KIND_LABELS.get(batch.kind, batch.kind),
        "running": batch.status == ImportStatus.RUNNING,
        "waiting_for_a_worker": background.waiting_for_a_worker(batch),
        "progress": services.batch_progress(batch),
        "issues": issues,
        "page_obj": issues,
        "not_listed": report.get("issues_not_listed", 0),
        "invalid_rows": report.get("invalid_rows", 0),
        "may_commit": _may_commit(batch),
        # A commit that failed (its process died, or the database refused it): committing
        # the same checked file again is one click, for whoever started it.
        "may_recommit": failed_commit
        and batch.user_id == getattr(user, "pk", None)
        and _may_commit(batch.checked_batch),
        "commit_form": CommitForm(),
    }


class BatchView(ImportAccessMixin, View):
    """One batch: progress while it runs, then its report (row / column / message)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        background.notice_dead_batches()
        batch = get_object_or_404(visible_batches(request.user), pk=pk)
        context = _batch_context(batch, request.GET.get("page"), request.user)
        return render(request, "imports/batch.html", context)


class BatchStatusView(ImportAccessMixin, View):
    """htmx fragment polled while a batch runs; reloads the page once it has finished."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        background.notice_dead_batches()  # a job that died is reported while watched
        batch = get_object_or_404(visible_batches(request.user), pk=pk)
        context = _batch_context(batch, None, request.user)
        response = render(request, "imports/_batch_status.html", context)
        if batch.status != ImportStatus.RUNNING:
            response["HX-Refresh"] = "true"
        return response


class CommitView(ImportAccessMixin, View):
    """Commit a validated dry run as its own batch, in the background."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        checked = get_object_or_404(visible_batches(request.user).filter(user=request.user), pk=pk)
        form = CommitForm(request.POST)
        skip = form.is_valid() and form.cleaned_data["skip_invalid"]
        try:
            batch = services.prepare_commit(checked, user=request.user, skip_invalid=skip)
        except services.ImportRefused as error:
            messages.error(request, _("Not committed: %(reason)s") % {"reason": error})
            return redirect("imports:batch", pk=checked.pk)
        background.start_import(batch.pk)
        return redirect("imports:batch", pk=batch.pk)
