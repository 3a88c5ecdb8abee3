"""A plain 503 page when the database is unavailable (QUALITY.md "Faults"); the
Content-Security-Policy header on every answer.

Without this, a stopped PostgreSQL server turns every page into a 500 error (or, with
DEBUG on, a traceback naming the host and the settings). The page below renders from the
template alone - no database, no session, no user - so it works while the database is down.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)

#: Attribute set on a request whose handling failed because the database is unreachable.
FLAG = "_paretocrm_database_unavailable"

#: Seconds a client should wait before trying again (sent as Retry-After).
RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """Turn ``OperationalError``/``InterfaceError`` from a view into a 503 page.

    Add it right after ``SecurityMiddleware`` so that it also covers the session and
    authentication middleware, which are the first to touch the database. Django turns an
    exception inside any inner middleware into a 500 response before it reaches us, so such
    failures are recognised by the flag :func:`_remember_database_error` sets.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except (OperationalError, InterfaceError) as error:
            return database_unavailable(request, error)
        error = getattr(request, FLAG, None)
        if response.status_code == 500 and error is not None:
            return database_unavailable(request, error)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Views' exceptions come here before Django turns them into a 500 page."""
        if isinstance(exception, OperationalError | InterfaceError):
            return database_unavailable(request, exception)
        return None


@receiver(got_request_exception, dispatch_uid="paretocrm.core.database_unavailable")
def _remember_database_error(
    sender: Any, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Mark the request when the exception Django is about to render as 500 is a DB outage."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, OperationalError | InterfaceError):
        setattr(request, FLAG, error)


def database_unavailable(request: HttpRequest, error: Exception) -> HttpResponse:
    """The 503 response: HTML for pages, a JSON body for the API; no error details shown."""
    # The details go to the log for the operator, never to the user.
    setattr(request, FLAG, error)
    logger.error("database unavailable on %s %s: %s", request.method, request.path, error)
    if request.path.startswith("/api/"):
        response = HttpResponse(
            '{"detail": "The database is unavailable. Please try again in a minute."}',
            status=503,
            content_type="application/json",
        )
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class ContentSecurityPolicyMiddleware:
    """Send ``settings.CONTENT_SECURITY_POLICY`` with every answer (pages, API, errors).

    Scripts and styles load only from the server itself: no template has an inline script
    or an ``on...=`` handler (``static/paretocrm/app.js`` binds them), and the Swagger UI
    loads its start script as a file. A view that sets its own policy keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
