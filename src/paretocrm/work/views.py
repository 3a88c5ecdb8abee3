"""Pages of the work app: my task queue, call lists, key-account manager scorecards.

Views only authenticate, scope, validate and call one service (work.services,
work.calllists, work.scorecards); every lookup goes through ``visible_to``.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from paretocrm.core import bounds
from paretocrm.core.exceptions import StaleVersionError
from paretocrm.core.views import posted_user, posted_version, show_domain_error, show_stale_version
from paretocrm.customers.views import may_export, record_export, require_export, xlsx_response
from paretocrm.imports.exports import csv_lines, neutralise, write_xlsx
from paretocrm.imports.messages import render_issue
from paretocrm.imports.parsing import ImportFileError, Limits, RawTable, read_table
from paretocrm.users.permissions import Function, has_function, require_function
from paretocrm.work import calllists, scorecards, services
from paretocrm.work.alerts import OVERDUE_DAYS, OVERDUE_TASKS_PER_OWNER, overdue_left_out
from paretocrm.work.choices import CallOutcome
from paretocrm.work.models import CallList, Task

#: Query parameters of the customer filter a call list may take.
FILTER_KEYS = (
    "q",
    "tier",
    "lifecycle_stage",
    "churn_risk_high",
    "industry",
    "region",
    "owner",
    calllists.NOT_CONTACTED_DAYS,
)


#: Rows of the task queue a page: a day's work fits on one or two.
TASKS_PER_PAGE = 25


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The signed-in user's queue: open tasks and snoozed ones whose date has come.

    Grouped by reason, then customer, TASKS_PER_PAGE a page (issue 16: 140 tasks on one page).
    """
    today = timezone.localdate()
    queue = (
        Task.objects.visible_to(request.user)
        .filter(owner=request.user)
        .due_for_work(today)
        .select_related("customer", "created_by_run")
        .order_by("kind", "customer__name", "due_on", "id")
    )
    tasks = Paginator(queue, TASKS_PER_PAGE).get_page(request.GET.get("page"))
    kind_counts = dict(queue.order_by().values_list("kind").annotate(n=Count("id")))
    tasks.object_list = list(tasks.object_list)
    # Each task offers the colleagues who may see its customer (never a portal login).
    choices = get_user_model().objects.assignees_for({t.customer_id for t in tasks.object_list})
    for task in tasks.object_list:
        task.group_count = kind_counts.get(task.kind, 0)  # across pages, for the group heading
        task.assignees = choices[task.customer_id]
    context = {
        "tasks": tasks,
        "page_obj": tasks,
        "today": today,
        "overdue_left_out": overdue_left_out(request.user, today),
        "overdue_cap": OVERDUE_TASKS_PER_OWNER,
        "overdue_days": OVERDUE_DAYS,
    }
    return render(request, "work/my_tasks.html", context)


def _task_for(request: HttpRequest, pk: int) -> Task:
    return get_object_or_404(Task.objects.visible_to(request.user), pk=pk)


def _parse_date(value: str, name: str) -> dt.date:
    """A business date (core.bounds) or a TaskError naming the parameter."""
    try:
        return bounds.parse_date(value, name)
    except bounds.DateParameterError as error:
        raise services.TaskError(str(error)) from None


@login_required
@require_POST
def task_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Done (with outcome), snooze (until a date) or reassign (to a user) one task."""
    require_function(request.user, Function.WORK_TASKS, what="task")
    task = _task_for(request, pk)
    version = posted_version(request)
    if version is None:
        return redirect("work:tasks")
    try:
        if action == "done":
            services.complete_task(task, outcome=request.POST.get("outcome", ""), version=version)
        elif action == "snooze":
            until = _parse_date(request.POST.get("until", ""), "until")
            services.snooze_task(task, until=until, version=version)
        elif action == "reassign":
            target = posted_user(request, "owner")
            services.reassign_task(task, to=target, version=version)
        else:
            raise services.TaskError(_("unknown action %(action)s") % {"action": repr(action)})
    except services.TaskError as error:
        show_domain_error(request, error)
    except StaleVersionError:
        show_stale_version(request, Task._meta.verbose_name)
    else:
        messages.success(request, _("Task updated."))
    return redirect("work:tasks")


@login_required
def call_lists(request: HttpRequest) -> HttpResponse:
    """Call lists of the user; POST creates one from the customer filter parameters."""
    if request.method == "POST":
        calllists.require_manage(request.user)  # read-only roles: 403, audited
        params = {k: request.POST[k] for k in FILTER_KEYS if request.POST.get(k)}
        try:
            assignee = posted_user(request, "assigned_to")
            if request.POST.get("assigned_to") and assignee is None:
                text = _("choose an active colleague who works call lists")
                raise calllists.CallListError("assigned_to: " + text)
            created = calllists.create_call_list(
                name=request.POST.get("name", ""),
                params=params,
                created_by=request.user,
                assigned_to=assignee,
            )
        except calllists.CallListError as error:
            show_domain_error(request, error)
        else:
            return redirect("work:call_list", pk=created.pk)
    lists = CallList.objects.visible_to(request.user).select_related("created_by", "assigned_to")
    return render(
        request,
        "work/call_lists.html",
        {
            "lists": lists,
            "colleagues": calllists.assignees().order_by("username"),
            "filters": request.GET,
            "may_manage": has_function(request.user, Function.MANAGE_CALL_LISTS),
        },
    )


def _call_list_for(request: HttpRequest, pk: int) -> CallList:
    return get_object_or_404(CallList.objects.visible_to(request.user), pk=pk)


@login_required
def call_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One call list's entries in the user's scope; POST records a call outcome for one."""
    call_list = _call_list_for(request, pk)
    if request.method == "POST":
        calllists.require_manage(request.user)
        entries = calllists.entries_for(call_list, request.user)
        entry = get_object_or_404(entries, pk=request.POST.get("entry") or 0)
        try:
            calllists.record_call_outcome(
                entry,
                outcome=request.POST.get("outcome", ""),
                notes=request.POST.get("notes", ""),
                by=request.user,
            )
        except calllists.CallListError as error:
            show_domain_error(request, error)
        return redirect("work:call_list", pk=pk)
    return render(request, "work/call_list_detail.html", _detail_context(request, call_list))


def _detail_context(request: HttpRequest, call_list: CallList) -> dict[str, Any]:
    outcomes = dict(CallOutcome.choices)
    rows = []
    for entry, values in calllists.entry_rows(call_list, request.user):
        # The page shows values as they are (no spreadsheet quoting) and outcomes by label.
        values[calllists.EXPORT_HEADERS.index("outcome")] = outcomes.get(entry.outcome, "")
        rows.append((entry.pk, entry.contact_id, values))
    return {
        "call_list": call_list,
        "rows": rows,
        "headers": calllists.PAGE_HEADERS,
        "file_labels": calllists.FILE_LABELS,
        "phone_column": calllists.EXPORT_HEADERS.index("phone"),
        "may_unmask": has_function(request.user, Function.VIEW_UNMASKED),
        "may_export": has_function(request.user, Function.EXPORT),
        "may_manage": has_function(request.user, Function.MANAGE_CALL_LISTS),
        "outcomes": CallOutcome.choices,
    }


@login_required
@require_GET
def call_list_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the list as CSV (default) or XLSX: real numbers for roles that may see them
    (each contact audited as an unmask), masked for the others (see calllists).

    Like every list export: the export function (a refusal is logged) and an audit event.
    """
    require_export(request, "call_list")
    call_list = _call_list_for(request, pk)
    file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    record_export(request, "call_list", file_format, target=call_list)
    headers, rows = calllists.export_rows(call_list, request.user)
    filename = f"call-list-{call_list.pk}"
    if file_format == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(buffer, headers, rows)  # type: ignore[arg-type]  # openpyxl takes files
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    streaming = StreamingHttpResponse(csv_lines(headers, rows), content_type="text/csv")
    streaming["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return streaming


#: Where an outcome file waits between its dry run and its commit (one per upload).
OUTCOME_UPLOADS = "call-list-outcomes"
#: Outcome files are a call list's rows, far below the imports' limits.
OUTCOME_LIMITS = Limits(max_bytes=10 * 2**20, max_rows=200_000, max_columns=50)


#: A checked file never committed is removed after this long (at the next upload).
OUTCOME_UPLOAD_LIFETIME = dt.timedelta(days=1)


def _upload_path(token: str, suffix: str) -> Path:
    folder = Path(settings.MEDIA_ROOT) / OUTCOME_UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{token}{suffix}"


def _prune_uploads() -> None:
    """Remove outcome files checked but never committed (older than a day)."""
    folder = Path(settings.MEDIA_ROOT) / OUTCOME_UPLOADS
    oldest = (timezone.now() - OUTCOME_UPLOAD_LIFETIME).timestamp()
    for path in folder.glob("*") if folder.is_dir() else ():
        if path.stat().st_mtime < oldest:
            path.unlink(missing_ok=True)


def _read_outcomes(path: Path) -> RawTable:
    try:
        return read_table(path, limits=OUTCOME_LIMITS)
    except ImportFileError as error:
        issue = {"code": error.code, "params": error.params, "message": str(error)}
        raise calllists.CallListError("file: " + render_issue(issue)) from None


@login_required
@require_POST
def call_list_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    """Outcomes by file: an upload is a dry run (the report, nothing written); the commit
    button posts its token and records the calls of the file checked."""
    calllists.require_manage(request.user)
    call_list = _call_list_for(request, pk)
    pending = request.session.get(OUTCOME_UPLOADS, {})
    token = request.POST.get("token", "")
    try:
        if token:
            return _commit_outcomes(request, call_list, pending, token)
        upload = request.FILES.get("file")
        if upload is None:
            raise calllists.CallListError("file: " + _("choose a CSV or XLSX file"))
        if upload.size is not None and upload.size > OUTCOME_LIMITS.max_bytes:
            text = _("the file is larger than %(limit)s MB") % {"limit": 10}
            raise calllists.CallListError("file: " + text)
        _prune_uploads()
        suffix = Path(upload.name).suffix.lower()[:8]
        token = secrets.token_urlsafe(16)
        path = _upload_path(token, suffix)
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            report = calllists.check_outcome_rows(call_list, request.user, _read_outcomes(path))
        except calllists.CallListError:
            path.unlink(missing_ok=True)
            raise
    except calllists.CallListError as error:
        show_domain_error(request, error)
        return redirect("work:call_list", pk=call_list.pk)
    if report.problems:
        path.unlink(missing_ok=True)
        token = ""
    else:
        pending[token] = [call_list.pk, path.name]
        request.session[OUTCOME_UPLOADS] = pending
    context = {"call_list": call_list, "report": report, "token": token}
    return render(request, "work/call_list_outcomes.html", context)


def _commit_outcomes(
    request: HttpRequest, call_list: CallList, pending: dict[str, Any], token: str
) -> HttpResponse:
    """Record the outcomes of the file checked under ``token`` (once: the token goes)."""
    list_pk, name = pending.pop(token, [None, ""])
    request.session[OUTCOME_UPLOADS] = pending
    if list_pk != call_list.pk:
        raise calllists.CallListError("file: " + _("check the file again before importing it"))
    path = _upload_path(token, Path(name).suffix)
    try:
        report = calllists.import_outcomes(call_list, request.user, _read_outcomes(path))
    finally:
        path.unlink(missing_ok=True)
    if report.problems:
        for problem in report.problems[:20]:
            messages.error(request, _row_text(problem))
    else:
        count = len(report.to_record)
        text = ngettext("%(count)s outcome recorded.", "%(count)s outcomes recorded.", count)
        messages.success(request, text % {"count": count})
    return redirect("work:call_list", pk=call_list.pk)


def _row_text(problem: calllists.OutcomeProblem) -> str:
    return _("row %(row)s, %(column)s: %(message)s") % {
        "row": problem.row,
        "column": problem.column,
        "message": problem.message,
    }


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last full calendar month before ``today``."""
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def _scorecard_period(request: HttpRequest) -> tuple[dt.date, dt.date, str]:
    start, end = default_period(timezone.localdate())
    if request.GET.get("start"):
        start = _parse_date(request.GET["start"], "start")  # TaskError is a ValueError
    if request.GET.get("end"):
        end = _parse_date(request.GET["end"], "end")
    return start, end, request.GET.get("rank_by", "key_revenue")


@login_required
def scorecard_page(request: HttpRequest) -> HttpResponse:
    """The ranking of managers (general manager, administrator) or the user's own card.

    ``?print=1`` gives the printable page; POST (full-scope users) sets a manager's target.
    """
    if request.method == "POST":
        return _set_target(request)
    error = ""
    start, end = default_period(timezone.localdate())
    rank_by = request.GET.get("rank_by", "key_revenue")
    managers = scorecards.managers_for(request.user)
    try:
        start, end, rank_by = _scorecard_period(request)
        cards = scorecards.build_scorecards(managers, start, end, rank_by=rank_by)
    except ValueError as exc:
        error, cards = str(exc), []
    context: dict[str, Any] = {
        "cards": cards,
        "start": start,
        "end": end,
        "rank_by": rank_by,
        "rank_options": [(key, scorecards.RANK_LABELS[key]) for key in scorecards.RANK_KEYS],
        "error": error,
        "formulas": scorecards.__doc__,
        "rotation": scorecards.rotation_history(managers, start, end)[:200] if not error else [],
        "may_set_targets": has_function(request.user, Function.SET_TARGETS),
        "managers": managers,
        "chart": {
            "labels": [c.manager.get_full_name() or c.manager.username for c in cards],
            "counts": [float(c.key_revenue) for c in cards],
        },
        "may_export": may_export(request.user),
    }
    if request.GET.get("print"):
        return render(request, "work/scorecards_print.html", context)
    return render(request, "work/scorecards.html", context)


def _set_target(request: HttpRequest) -> HttpResponse:
    if not has_function(request.user, Function.SET_TARGETS):
        raise PermissionDenied(_("Your role may not set targets."))
    manager = get_user_model().objects.filter(pk=request.POST.get("manager") or 0).first()
    try:
        services.set_target(
            manager=manager,
            period_start=_parse_date(request.POST.get("period_start", ""), "period_start"),
            period_end=_parse_date(request.POST.get("period_end", ""), "period_end"),
            revenue_target=request.POST.get("revenue_target", ""),
        )
    except services.TaskError as error:
        show_domain_error(request, error)
    else:
        messages.success(request, _("The target was saved."))
    return redirect(request.get_full_path())


@login_required
@require_GET
def scorecard_export(request: HttpRequest) -> HttpResponse:
    """The scorecards of the period as an Excel file (an audited export)."""
    require_export(request, "scorecards")
    try:
        start, end, rank_by = _scorecard_period(request)
        cards = scorecards.build_scorecards(
            scorecards.managers_for(request.user), start, end, rank_by=rank_by
        )
    except ValueError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    record_export(request, "scorecards", "xlsx")
    headers, rows = scorecards.sheet(cards)
    safe_rows = ([neutralise(value) for value in row] for row in rows)
    return xlsx_response(headers, safe_rows, f"{_('scorecards')}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx")
