"""Pages of the service app."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from paretocrm.core.views import ScopedListView
from paretocrm.service.models import Case


class CaseListView(ScopedListView):
    """Service cases the user may see, newest first."""

    model = Case
    template_name = "service/case_list.html"
    search_fields = ("number", "subject", "customer__name", "customer__code")
    select_related = ("customer", "assigned_to")
    page_title = _("Service cases")
