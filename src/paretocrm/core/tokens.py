"""Secrets handed out in links and headers are stored only as their digest (QUALITY.md AUTHN-2).

API tokens, portal invitations and survey links all give access to whoever holds them; the
database keeps the SHA-256 of each, so a copy of the database opens nothing. The secrets are
long random values (``secrets.token_urlsafe(32)`` or more), so a plain, unsalted hash is
enough: there is nothing to guess.
"""

from __future__ import annotations

import hashlib


def digest(token: str) -> str:
    """The stored form of ``token``: its SHA-256 in hex (64 characters)."""
    return hashlib.sha256(token.encode()).hexdigest()
