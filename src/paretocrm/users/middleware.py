"""The idle timeout of signed-in sessions, without a database write on every request.

``SESSION_COOKIE_AGE`` is an idle timeout (QUALITY.md AUTHN-4): a session ends after that
many seconds without a request. Django's ``SESSION_SAVE_EVERY_REQUEST`` gives that by saving
the session - an UPDATE and a commit - on every page and API call, which under load made every
page wait for a write (B7, the load test). Here a signed-in session is saved (and its expiry
and cookie pushed forward) only when it was last refreshed more than ``REFRESH_SECONDS`` ago,
so the idle timeout holds to within that slack.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

#: A session is refreshed at most this often; the idle timeout is exact to within it.
REFRESH_SECONDS = 60
#: Session key holding the time (epoch seconds) of the last refresh.
REFRESHED_AT = "_refreshed_at"


class IdleTimeoutMiddleware:
    """Push a signed-in session's expiry forward, at most once a minute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or session.session_key is None:
            return response  # no session cookie (e.g. an API token call): never start one
        if user is None or not user.is_authenticated:
            return response
        now = int(time.time())
        if now - int(session.get(REFRESHED_AT, 0)) >= REFRESH_SECONDS:
            # Marks the session modified: SessionMiddleware saves it with a new expiry.
            session[REFRESHED_AT] = now
        return response
