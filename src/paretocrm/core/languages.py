"""The language a message is written in for someone who is not the one reading the page.

Pages follow the reader's session language; mails and other texts sent to someone (a
colleague's task digest, a contact's survey) are written in the recipient's language:
their own ``language`` preference where their model has one, else the site default
``settings.LANGUAGE_CODE``. Callers wrap the wording in ``translation.override``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def language_of(recipient: Any) -> str:
    """The recipient's language code (their preference if they have one, else the default)."""
    preferred = str(getattr(recipient, "language", "") or "")
    known = {code for code, _name in settings.LANGUAGES}
    return preferred if preferred in known else settings.LANGUAGE_CODE
