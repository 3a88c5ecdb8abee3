"""The merge page: two customers side by side, what would move, which one to keep."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from paretocrm.audit.choices import ChangeChannel
from paretocrm.audit.context import audit_context
from paretocrm.core.exceptions import StaleVersionError
from paretocrm.customers.merging import MergeError, merge_customers, merge_summary
from paretocrm.customers.models import Customer
from paretocrm.users.permissions import Function, require_function


def _version(request: HttpRequest, name: str) -> int | None:
    value = request.POST.get(name, "").strip()
    return int(value) if value.isdigit() else None


@login_required
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    """GET: both records and the counts of what would move; POST: merge into the chosen one.

    Both customers must be in the reader's scope (404 otherwise, as everywhere) and not
    merged already; merging needs the edit-accounts function (403, logged).
    """
    visible = Customer.objects.visible_to(request.user).not_merged().select_related("owner", "team")
    first = get_object_or_404(visible, pk=pk)
    second = get_object_or_404(visible, pk=other)
    require_function(request.user, Function.EDIT_ACCOUNTS, what="merge customers")
    status, error = 200, ""
    if request.method == "POST":
        keep_id = request.POST.get("keep", "")
        versions = {first.pk: "version_first", second.pk: "version_second"}
        if keep_id not in (str(first.pk), str(second.pk)) or first.pk == second.pk:
            status, error = 400, f"keep: {_('choose which of the two records to keep')}"
        else:
            keep, drop = (first, second) if keep_id == str(first.pk) else (second, first)
            version_keep = _version(request, versions[keep.pk])
            version_drop = _version(request, versions[drop.pk])
            if version_keep is None or version_drop is None:
                status = 400
                text = _(
                    "the page did not say which version of the records it showed; "
                    "reload it and try again"
                )
                error = f"version: {text}"
            else:
                try:
                    with audit_context(ChangeChannel.WEB, request.user):
                        result = merge_customers(
                            keep,
                            drop,
                            by=request.user,
                            version_keep=version_keep,
                            version_drop=version_drop,
                        )
                except StaleVersionError:
                    status = 409
                    error = _(
                        "Someone else changed one of these customers after you opened the page, "
                        "so nothing was merged. Check both records below and merge again if "
                        "still needed."
                    )
                    first.refresh_from_db()
                    second.refresh_from_db()
                except MergeError as refused:
                    status, error = 400, str(refused)
                else:
                    moved = sum(result.moved.values())
                    messages.success(
                        request,
                        _("%(drop)s was merged into this customer; %(count)s records moved.")
                        % {"drop": f"{drop.name} ({drop.code})", "count": moved},
                    )
                    return redirect("customers:detail", pk=keep.pk)
    context = {
        "sides": [
            {"customer": c, "field": f, "moves": merge_summary(c)}
            for c, f in ((first, "version_first"), (second, "version_second"))
        ],
        "error": error,
    }
    return render(request, "customers/merge.html", context, status=status)
