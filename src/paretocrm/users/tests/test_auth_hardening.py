"""Sign-in throttling (AUTHN-3), session cookies (AUTHN-4), production profile (AUTHN-6)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from paretocrm.audit.models import AuditEvent
from paretocrm.customers.tests.factories import make_user
from paretocrm.users import throttle
from paretocrm.users.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "correct-Horse-battery-9"
#: Hashing is not under test here; Argon2 would make each sign-in take most of a second.
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
THROTTLED = override_settings(
    AUTHENTICATION_BACKENDS=["paretocrm.users.backends.ThrottledModelBackend"],
    LOGIN_MAX_FAILURES=10,
    LOGIN_IP_MAX_FAILURES=30,
    PASSWORD_HASHERS=FAST_HASHER,
)
REPO = Path(__file__).resolve().parents[4]


def _user(username: str) -> User:
    user = make_user(username=username)
    user.set_password(PASSWORD)
    user.save()
    return user


def _web_login(username: str, password: str, ip: str = "10.0.0.1") -> tuple[int, str]:
    response = Client(REMOTE_ADDR=ip).post("/login/", {"username": username, "password": password})
    # CSRF tokens differ on every page; everything else must be identical.
    body = re.sub(r'value="[^"]*"|"X-CSRFToken": "[^"]*"', "", response.content.decode())
    return response.status_code, body


def _token_login(username: str, password: str, ip: str = "10.0.0.1") -> int:
    return (
        Client(REMOTE_ADDR=ip)
        .post("/api/auth/token/", {"username": username, "password": password})
        .status_code
    )


@THROTTLED
def test_unknown_user_and_wrong_password_get_the_identical_page() -> None:
    _user("alice")
    assert _web_login("alice", "wrong-password-1") == _web_login("nobody", "wrong-password-1")


@THROTTLED
def test_eleventh_sign_in_is_refused_even_with_the_right_password() -> None:
    _user("bob")
    for _ in range(10):
        status, _body = _web_login("bob", "wrong-password-1")
        assert status == 200
    locked_status, locked_body = _web_login("bob", PASSWORD)
    wrong_status, wrong_body = _web_login("bob", "wrong-password-1")

    assert locked_status == 200  # not the redirect of a successful sign-in
    assert (locked_status, locked_body) == (wrong_status, wrong_body)
    assert AuditEvent.objects.filter(kind="lockout").count() == 1
    assert AuditEvent.objects.filter(kind="locked_attempt").count() == 2


@THROTTLED
def test_a_locked_account_leaves_other_users_unaffected() -> None:
    _user("carol")
    _user("dave")
    for _ in range(11):
        _web_login("carol", "wrong-password-1")
    status, _body = _web_login("dave", PASSWORD)
    assert status == 302


@THROTTLED
def test_token_endpoint_is_throttled_by_the_same_counter() -> None:
    _user("erin")
    assert _token_login("erin", PASSWORD) == 200
    for _ in range(10):
        assert _token_login("erin", "wrong-password-1") == 400
    assert _token_login("erin", PASSWORD) == 400
    assert _web_login("erin", PASSWORD)[0] == 200  # locked on the web form too


@override_settings(
    AUTHENTICATION_BACKENDS=["paretocrm.users.backends.ThrottledModelBackend"],
    LOGIN_IP_MAX_FAILURES=3,
    PASSWORD_HASHERS=FAST_HASHER,
)
def test_an_address_with_many_failures_is_locked_for_every_account() -> None:
    _user("frank")
    for name in ("x1", "x2", "x3"):
        _web_login(name, "wrong-password-1", ip="10.9.9.9")
    assert _web_login("frank", PASSWORD, ip="10.9.9.9")[0] == 200
    assert _web_login("frank", PASSWORD, ip="10.1.1.1")[0] == 302


@THROTTLED
def test_failures_older_than_the_window_do_not_count() -> None:
    _user("gina")
    old = timezone.now() - throttle.lock_window() - timedelta(seconds=5)
    for _ in range(10):
        AuditEvent.objects.create(
            kind="login_failure",
            channel="web",
            subject_key=throttle.subject_key("gina"),
            occurred_at=old,
        )
    assert _web_login("gina", PASSWORD)[0] == 302


@THROTTLED
def test_a_successful_sign_in_resets_the_account_count() -> None:
    _user("hank")
    for _ in range(9):
        _web_login("hank", "wrong-password-1")
    assert _web_login("hank", PASSWORD)[0] == 302
    for _ in range(9):
        _web_login("hank", "wrong-password-1")
    assert _web_login("hank", PASSWORD)[0] == 302


@THROTTLED
def test_security_events_hold_no_password_and_no_typed_user_name() -> None:
    _user("ivan")
    _web_login("ivan", "S3cret-typed-password")
    _web_login("S3cret-in-name-box", "whatever-password")
    _web_login("ivan", PASSWORD)
    rows = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert "S3cret" not in rows
    assert PASSWORD not in rows
    kinds = sorted(AuditEvent.objects.values_list("kind", flat=True))
    assert kinds == ["login_failure", "login_failure", "login_success"]


@override_settings(PASSWORD_HASHERS=FAST_HASHER)
def test_sign_in_sets_a_new_httponly_samesite_session_cookie() -> None:
    _user("judy")
    client = Client()
    client.get("/login/")
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key

    response = client.post("/login/", {"username": "judy", "password": PASSWORD})

    cookie = response.cookies["sessionid"]
    assert response.status_code == 302
    assert cookie.value and cookie.value != before
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    header = cookie.output()
    assert "HttpOnly" in header and "SameSite=Lax" in header


def _production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="paretocrm.settings_production",
        PARETOCRM_ENV="production",
        SECRET_KEY="k" * 20 + "Zq8-vP3_wR6!mT1@xY4#nB7$cL0%fH2^sJ5",
        **extra,
    )
    return env


def test_production_profile_cookies_and_idle_timeout(tmp_path: Path) -> None:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_AGE, "
        "'paretocrm.users.middleware.IdleTimeoutMiddleware' in s.MIDDLEWARE, s.DEBUG, "
        "s.AUTHENTICATION_BACKENDS]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=_production_env(PARETOCRM_DATA_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout) == [
        True,
        True,
        "Lax",
        True,
        1800,
        True,
        False,
        ["paretocrm.users.backends.ThrottledModelBackend"],
    ]


def test_check_deploy_script_passes(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(REPO / "scripts" / "check-deploy")],
        env={**os.environ, "PYTHON": sys.executable, "PARETOCRM_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_on_a_weak_production_profile(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(PARETOCRM_DATA_DIR=str(tmp_path), PARETOCRM_SSL_REDIRECT="0"),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout
