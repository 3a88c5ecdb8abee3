"""Middleware that tells the audit trail whether a change came from the web pages or the API,
and audits every refusal (403, 404) answered to a signed-in user (AUD-3)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from paretocrm.audit.context import audit_context
from paretocrm.audit.services import record_refusal
from paretocrm.customers.choices import ChangeChannel

#: Answers that refuse: no permission, or a record outside the user's scope (AUTHZ-4: the
#: same 404 as a record that does not exist).
REFUSALS = frozenset({403, 404})


class AuditContextMiddleware:
    """Sets the audit channel (``api`` under /api/, else ``web``) and the acting request.

    Every refusal - pages, API, the portal boundary - is one ``access_denied`` event
    (:func:`paretocrm.audit.services.record_refusal`, rate-limited per user), unless the
    code that refused already wrote one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = ChangeChannel.API if request.path.startswith("/api/") else ChangeChannel.WEB
        with audit_context(channel, request=request):
            response = self.get_response(request)
            status = getattr(response, "status_code", None)
            if status in REFUSALS:
                record_refusal(request, int(status))
            return response
