"""The default mail backend of development and the demo (QUALITY.md AUD-4).

Django's console backend prints every message to the server's output, including the
portal invitation and survey links, which open an account or a form for whoever holds
them. This one prints the same messages with those secrets redacted; a real mail server
(``PARETOCRM_EMAIL_BACKEND`` = the SMTP backend) gets them whole.
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend

from paretocrm.core.tokens import redact_secrets


class RedactingConsoleBackend(ConsoleEmailBackend):
    """The console backend, with token-like runs in the body and alternatives redacted."""

    def write_message(self, message: EmailMessage) -> None:
        super().write_message(_redacted(message))


def _redacted(message: EmailMessage) -> EmailMessage:
    """A copy of ``message`` whose texts have their secrets replaced (the original stays)."""
    shown = copy.copy(message)
    shown.subject = redact_secrets(str(message.subject))
    shown.body = redact_secrets(str(message.body))
    alternatives: list[Any] = getattr(message, "alternatives", None) or []
    if alternatives:
        shown.alternatives = [  # type: ignore[attr-defined]
            type(alt)(redact_secrets(alt[0]), alt[1]) if isinstance(alt[0], str) else alt
            for alt in alternatives
        ]
    return shown
