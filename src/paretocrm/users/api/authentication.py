"""API token authentication against hashed tokens (QUALITY.md AUTHN-2, AUTHN-5).

Clients send ``Authorization: Token <key>`` exactly as with DRF's own tokens; only the
lookup differs: the key is hashed and the digest looked up (one indexed query, with the user
joined in), so the database never holds a usable key.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext_lazy
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from paretocrm.core.tokens import digest
from paretocrm.users.models import ApiToken


class HashedTokenAuthentication(TokenAuthentication):
    """DRF's token header, checked against the SHA-256 digests in ``ApiToken``."""

    model = ApiToken

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        """The token's user, if the digest is known and the user still active."""
        try:
            token = ApiToken.objects.select_related("user").get(digest=digest(key))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed(
                pgettext_lazy("api token", "Invalid token.")
            ) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                pgettext_lazy("api token", "User inactive or deleted.")
            )
        return (token.user, token)
