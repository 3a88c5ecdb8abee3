"""Production settings profile: ``DJANGO_SETTINGS_MODULE=paretocrm.settings_production``.

Everything comes from :mod:`paretocrm.settings` with ``PARETOCRM_ENV=production`` forced on
(so a real ``SECRET_KEY`` of 50+ characters is required and DEBUG is off), plus the values
that only make sense behind HTTPS. ``scripts/check-deploy`` runs
``django check --deploy --fail-level WARNING`` against this profile (QUALITY.md AUTHN-6).
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_env = os.environ.setdefault("PARETOCRM_ENV", "production")
if _env.lower() != "production":
    raise ImproperlyConfigured(
        f"settings_production needs PARETOCRM_ENV=production (it is '{_env}')."
    )

from paretocrm.settings import *  # noqa: E402, F403
from paretocrm.settings import _env_bool  # noqa: E402

DEBUG = False

# Sign-in throttling, the audit middleware and the idle timeout come from paretocrm.settings.
# Sessions (AUTHN-4): Secure cookies on top of HttpOnly and SameSite=Lax.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# HTTPS only: redirect, HSTS for a year, trust the proxy's scheme header.
SECURE_SSL_REDIRECT = _env_bool("PARETOCRM_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
