"""Error pages in the reader's language, inside the layout (issue 16 finding 7).

403, 500 and the CSRF failure render the project's templates with the request, so a
signed-in user keeps the menu and an anonymous visitor sees only the way to sign in; the
404 handler is :func:`paretocrm.core.views.not_found`. Under ``/api/`` the answers stay JSON.
A 500 page that itself fails (the database gone) falls back to a page without the layout.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger(__name__)

#: Served when even the plain 500 template cannot be rendered (bilingual, no template).
BARE_500 = (
    "<!doctype html><meta charset='utf-8'><title>500 · Pareto CRM</title>"
    "<h1>出错了 · Something went wrong</h1>"
    "<p>服务器未能完成此请求。请稍后重试。 The server could not finish this request; "
    "try again in a moment.</p>"
)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403 with the refusal our code gave (a translated sentence naming no record)."""
    if _is_api(request):
        return JsonResponse(
            {"detail": "You do not have permission to perform this action."}, status=403
        )
    reason = str(exception) if exception is not None and exception.args else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """500 in the layout; without the menu when the layout itself fails (the database)."""
    if _is_api(request):
        return JsonResponse({"detail": "A server error occurred."}, status=500)
    try:
        return render(request, "500.html", status=500)
    except Exception:  # the page must come out whatever broke the request
        logger.exception("the 500 page could not be rendered with the layout")
    try:
        return HttpResponseServerError(loader.get_template("500.html").render({}))
    except Exception:
        return HttpResponseServerError(BARE_500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token (settings.CSRF_FAILURE_VIEW)."""
    logger.warning("CSRF failure on %s: %s", request.path, reason)
    return render(request, "403_csrf.html", status=403)
