"""The duplicates page: customers in the reader's scope that look like one company."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from paretocrm.customers.duplicates import TooManyToCompare, customer_duplicates
from paretocrm.customers.views import filtered_customers
from paretocrm.users.permissions import Function, has_function

#: Reason codes of :mod:`paretocrm.customers.duplicates` in the reader's words.
REASONS = {
    "same_name": _("same name once legal form, width and punctuation are set aside"),
    "name_contains": _("one name is the other with more words"),
    "similar_name": _("similar names"),
    "pinyin": _("the Chinese name's region and brand read in pinyin begin the other name"),
    "same_sound": _("the Chinese names read the same in pinyin (a typing slip)"),
    "shared_contact": _("their contacts share a phone number or e-mail address"),
}


@login_required
@require_GET
def duplicates(request: HttpRequest) -> HttpResponse:
    """Candidate pairs, best first, each with its score and reasons, among the customers of
    the list view the reader came from (the same filters: tier, owner, region, ...)."""
    _, customers = filtered_customers(request)
    context: dict[str, object] = {
        "too_many": None,
        "pairs": [],
        "query": request.GET.urlencode(),
        "may_merge": has_function(request.user, Function.EDIT_ACCOUNTS),
    }
    try:
        pairs = customer_duplicates(customers)
    except TooManyToCompare as error:
        context["too_many"] = error.count
    else:
        context["pairs"] = [
            {"pair": pair, "reasons": [REASONS[code] for code in pair.reasons]} for pair in pairs
        ]
    return render(request, "customers/duplicates.html", context)
