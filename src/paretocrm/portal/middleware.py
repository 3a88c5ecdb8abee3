"""Keep portal users on the portal: every staff page and the staff API is closed to them.

Staff pages scope their rows with ``visible_to``, which would show a portal user their own
customer's internal records (scores, notes, owner); so the boundary is drawn by path as
well, before any staff view runs. The staff API also refuses the portal role on its own
(``core.api.permissions.is_staff_member``), which covers token authentication.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext

from paretocrm.core.policy import is_portal_user

#: Paths a portal user may reach: the portal itself, signing in and out, the language switch.
PORTAL_USER_PATHS: tuple[str, ...] = ("/portal/", "/login/", "/logout/", "/i18n/", "/health/")


class PortalBoundaryMiddleware:
    """Send a portal user who asks for a staff page to the portal (403 for non-GET/API)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if not is_portal_user(user) or request.path.startswith(PORTAL_USER_PATHS):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": "The API is for staff; customers use the portal."}, status=403
            )
        if request.method in ("GET", "HEAD"):
            return redirect("portal:overview")
        return HttpResponseForbidden(gettext("The portal is the place for customer logins."))
