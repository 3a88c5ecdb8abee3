"""Sign-in throttling per account and per client address (QUALITY.md AUTHN-3).

Failed sign-ins are security events (``audit.AuditEvent``), so the counter lives in the
database and is shared by every worker process. An account is locked when it has
``LOGIN_MAX_FAILURES`` failures (default 10) within ``LOGIN_LOCK_SECONDS`` (default 15
minutes) since its last successful sign-in; an address is locked at
``LOGIN_IP_MAX_FAILURES`` failures (default 30: one office behind one NAT address should not
be locked out by a single colleague's typos). A locked sign-in gets exactly the same answer
as a wrong password, and a user name that does not exist is counted like one that does, so
nothing tells an attacker which accounts exist.

The account is counted by a keyed hash of the user name typed, never the name itself.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max
from django.utils import timezone

from paretocrm.audit.choices import ChangeChannel, SecurityEventKind
from paretocrm.audit.models import AuditEvent
from paretocrm.audit.services import record_event

#: Set on the request by the backend when it refused a locked sign-in, so the failure
#: receiver does not count it (a lock must expire even while an attacker keeps trying).
LOCKED_FLAG = "_paretocrm_login_locked"


def max_failures() -> int:
    """Failures per account before it is locked."""
    return int(getattr(settings, "LOGIN_MAX_FAILURES", 10))


def max_ip_failures() -> int:
    """Failures per client address before it is locked."""
    return int(getattr(settings, "LOGIN_IP_MAX_FAILURES", 30))


def lock_window() -> timedelta:
    """How long failures count, and so how long a lock lasts."""
    return timedelta(seconds=int(getattr(settings, "LOGIN_LOCK_SECONDS", 15 * 60)))


def subject_key(username: str) -> str:
    """A keyed hash of a typed user name (case-insensitive), the account's throttle key."""
    normalised = (username or "").strip().casefold().encode()
    return hmac.new(settings.SECRET_KEY.encode(), normalised, hashlib.sha256).hexdigest()


def client_ip(request: Any) -> str | None:
    """The client address (REMOTE_ADDR; a proxy must set it, e.g. uWSGI/gunicorn behind nginx)."""
    meta = getattr(request, "META", None) or {}
    return meta.get("REMOTE_ADDR") or None


def channel_of(request: Any) -> str:
    """``api`` for the token endpoint, ``web`` for the sign-in page, ``system`` otherwise."""
    path = getattr(request, "path", None)
    if path is None:
        return ChangeChannel.SYSTEM
    return ChangeChannel.API if path.startswith("/api/") else ChangeChannel.WEB


def _failures_since(since: Any, **filters: Any) -> int:
    return int(
        AuditEvent.objects.filter(
            kind=SecurityEventKind.LOGIN_FAILURE, occurred_at__gte=since, **filters
        ).count()
    )


def account_window_start(key: str) -> Any:
    """Failures of an account count from here: the lock window, or its last success."""
    since = timezone.now() - lock_window()
    last_ok = AuditEvent.objects.filter(
        kind=SecurityEventKind.LOGIN_SUCCESS, subject_key=key, occurred_at__gte=since
    ).aggregate(last=Max("occurred_at"))["last"]
    return max(since, last_ok) if last_ok else since


def account_locked(key: str) -> bool:
    """True when the account key has too many recent failures since its last success."""
    return _failures_since(account_window_start(key), subject_key=key) >= max_failures()


def address_locked(ip: str | None) -> bool:
    """True when the client address has too many recent failures."""
    if not ip:
        return False
    return _failures_since(timezone.now() - lock_window(), ip_address=ip) >= max_ip_failures()


def is_locked(username: str, request: Any) -> bool:
    """True when the account typed or the client address is locked."""
    return account_locked(subject_key(username)) or address_locked(client_ip(request))


def refuse_locked(username: str, request: Any) -> None:
    """Record a sign-in refused because of a lock, and flag the request."""
    if request is not None:
        setattr(request, LOCKED_FLAG, True)
    record_event(
        SecurityEventKind.LOCKED_ATTEMPT,
        actor=None,
        ip_address=client_ip(request),
        subject_key=subject_key(username),
        channel=channel_of(request),
    )


def record_success(user: Any, username: str, request: Any) -> None:
    """Record a successful sign-in (it resets the account's failure count)."""
    record_event(
        SecurityEventKind.LOGIN_SUCCESS,
        actor=user,
        ip_address=client_ip(request),
        subject_key=subject_key(username),
        channel=channel_of(request),
    )


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **_: Any
) -> None:
    """Count a failed sign-in; write a lockout event when this failure reaches a limit."""
    if request is not None and getattr(request, LOCKED_FLAG, False):
        return
    from paretocrm.users.models import User

    username = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")
    key, ip = subject_key(username), client_ip(request)
    actor = User.objects.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    channel = channel_of(request)
    record_event(
        SecurityEventKind.LOGIN_FAILURE,
        actor=actor,
        ip_address=ip,
        subject_key=key,
        channel=channel,
    )
    since = timezone.now() - lock_window()
    reached_account = _failures_since(account_window_start(key), subject_key=key) == (
        max_failures()
    )
    reached_ip = ip is not None and _failures_since(since, ip_address=ip) == max_ip_failures()
    if reached_account or reached_ip:
        record_event(
            SecurityEventKind.LOCKOUT,
            actor=actor,
            ip_address=ip,
            subject_key=key,
            channel=channel,
            detail={"scope": "account" if reached_account else "address"},
        )


def connect() -> None:
    """Connect the failed-sign-in receiver (called from ``AuditConfig.ready``)."""
    user_login_failed.connect(on_login_failed, dispatch_uid="paretocrm-login-failed")
