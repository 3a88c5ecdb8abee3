"""The assistant's only door into the CRM: our own REST API, called in-process.

Every tool of the MCP server is a request to ``/api/`` carrying the user's API token, handled
by Django's full WSGI stack: middleware, token authentication, throttles, the role policy,
the scoping querysets, the masking serializers, the bounds and the audit of reads, writes and
refusals. So an assistant can never see or change what the same user could not through the
REST API, and no rule is decided a second time here (issue 14: one rule for every path).
Going through the handler rather than calling querysets directly costs a little per call
and buys exactly that guarantee.
"""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections

USER_AGENT = "ParetoCRM-MCP"


@dataclass(frozen=True)
class ApiResponse:
    """Status and decoded JSON body (``None`` for an empty body) of one API call."""

    status: int
    data: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class ApiGateway:
    """Calls ``/api/`` as the holder of ``token``, in ``language`` (an Accept-Language tag)."""

    def __init__(self, token: str, language: str = "en") -> None:
        self._token = token
        self._language = language
        self._handler = WSGIHandler()

    def get(self, path: str, params: dict[str, Any] | None = None) -> ApiResponse:
        query = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        return self._call("GET", path, urlencode(query), b"")

    def post(self, path: str, payload: dict[str, Any]) -> ApiResponse:
        return self._call("POST", path, "", json.dumps(payload).encode())

    def _call(self, method: str, path: str, query: str, body: bytes) -> ApiResponse:
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
            captured["status"] = int(status.split(" ", 1)[0])

        chunks = self._handler(self._environ(method, path, query, body), start_response)
        try:
            content = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()  # sends request_finished, as a server would
            _release_connections()
        data = json.loads(content) if content.strip() else None
        return ApiResponse(captured["status"], data)

    def _environ(self, method: str, path: str, query: str, body: bytes) -> dict[str, Any]:
        host = _host()
        return {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": host,
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": host,
            "HTTP_AUTHORIZATION": f"Token {self._token}",
            "HTTP_ACCEPT": "application/json",
            "HTTP_ACCEPT_LANGUAGE": self._language,
            "HTTP_USER_AGENT": USER_AGENT,
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https",  # production redirects plain HTTP; this is local
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }


def _release_connections() -> None:
    """Close this thread's database connections outside a transaction.

    The MCP SDK runs each tool in a pooled worker thread, each with connections of its own;
    a persistent connection (CONN_MAX_AGE) would stay open in every thread of the pool for
    an assistant that calls now and then, and block dropping a database.
    """
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


def _host() -> str:
    """A host name the deployment accepts (ALLOWED_HOSTS), so the request is not refused."""
    for entry in settings.ALLOWED_HOSTS:
        if entry and entry != "*":
            return entry.lstrip(".")
    return "localhost"
