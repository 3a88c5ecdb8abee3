"""Middleware that tells the audit trail whether a change came from the web pages or the API."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from paretocrm.audit.context import audit_context
from paretocrm.customers.choices import ChangeChannel


class AuditContextMiddleware:
    """Sets the audit channel (``api`` under /api/, else ``web``) and the acting request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = ChangeChannel.API if request.path.startswith("/api/") else ChangeChannel.WEB
        with audit_context(channel, request=request):
            return self.get_response(request)
