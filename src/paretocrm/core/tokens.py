"""Secrets handed out in links and headers are stored only as their digest (QUALITY.md AUTHN-2).

API tokens, portal invitations and survey links all give access to whoever holds them; the
database keeps the SHA-256 of each, so a copy of the database opens nothing. The secrets are
long random values (``secrets.token_urlsafe(32)`` or more), so a plain, unsalted hash is
enough: there is nothing to guess. Nor are they printed or logged (AUD-4):
:func:`redact_secrets` is applied by the console mail backend (``core.mail``) and by a
logging filter on every handler.
"""

from __future__ import annotations

import hashlib
import logging
import re


def digest(token: str) -> str:
    """The stored form of ``token``: its SHA-256 in hex (64 characters)."""
    return hashlib.sha256(token.encode()).hexdigest()


#: A secret as it appears in a link or a header: 32+ URL-safe characters in a row (the
#: tokens above are 40-43; words, codes and static file hashes are shorter).
_SECRET = re.compile(r"[A-Za-z0-9_-]{32,}")
REDACTED = "[redacted]"


def redact_secrets(text: str) -> str:
    """``text`` with every token-like run replaced: for what is printed or logged only."""
    return _SECRET.sub(REDACTED, text)


class RedactSecretsFilter(logging.Filter):
    """A logging filter that redacts tokens from the message (settings.LOGGING).

    Django logs the path of every 4xx answer (``Not Found: /portal/invitation/<token>/``)
    and the development server every request line: a used or mistyped link would put the
    secret into the log. The record is rendered once and its arguments dropped.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_secrets(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
