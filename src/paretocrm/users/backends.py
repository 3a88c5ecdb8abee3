"""Authentication backend with sign-in throttling (QUALITY.md AUTHN-3).

Enable with one settings line::

    AUTHENTICATION_BACKENDS = ["paretocrm.users.backends.ThrottledModelBackend"]

It guards every path that calls ``django.contrib.auth.authenticate``: the sign-in page and
the API token endpoint (``/api/auth/token/``) alike.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from paretocrm.core.policy import is_administrator
from paretocrm.users import throttle


class ThrottledModelBackend(ModelBackend):
    """Django's model backend that refuses locked accounts and addresses, silently."""

    def authenticate(
        self,
        request: Any,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Authenticate unless locked; a locked sign-in looks exactly like a wrong password."""
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        if throttle.is_locked(username, request):
            throttle.refuse_locked(username, request)
            # Hash anyway so a locked answer takes as long as a checked one.
            user_model().set_password(password)
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            throttle.record_success(user, username, request)
        return user

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        """The role policy's administrator has every model permission (the Django admin)."""
        return is_administrator(user_obj) or super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        """Every app's models are the administrator's, as every function is."""
        return is_administrator(user_obj) or super().has_module_perms(user_obj, app_label)
