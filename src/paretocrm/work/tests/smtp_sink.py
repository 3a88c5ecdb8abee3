"""A small SMTP server on 127.0.0.1 for tests: Django's real SMTP backend talks to it.

It speaks enough of RFC 5321 (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) for
``django.core.mail.backends.smtp.EmailBackend`` and keeps each message it receives, parsed
with the standard library, so a test reads what a mail server would have been handed.
"""

from __future__ import annotations

import email
import email.policy
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any


class _Handler(socketserver.StreamRequestHandler):
    timeout = 10  # a stuck client never holds the test

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self) -> None:
        sink: SmtpSink = self.server.sink  # type: ignore[attr-defined]
        self.reply("220 sink ESMTP")
        envelope: list[str] = []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            verb = raw.decode("ascii", "replace").strip().split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-sink")
                self.reply("250 8BITMIME")
            elif verb in {"HELO", "NOOP"}:
                self.reply("250 ok")
            elif verb in {"MAIL", "RSET"}:
                envelope = []
                self.reply("250 ok")
            elif verb == "RCPT":
                envelope.append(raw.decode().split(":", 1)[1].strip().strip("<>"))
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while (line := self.rfile.readline()) not in {b".\r\n", b".\n", b""}:
                    lines.append(line[1:] if line.startswith(b"..") else line)
                message = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                sink.received.append((list(envelope), message))  # type: ignore[arg-type]
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    """Messages received so far: (envelope recipients, parsed message)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[tuple[list[str], EmailMessage]] = []

    def bodies(self, to: str) -> list[str]:
        """Plain-text bodies of the messages sent to ``to``."""
        return [
            message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
            for rcpt, message in self.received
            if to in rcpt
        ]


@contextmanager
def smtp_sink(settings: Any) -> Iterator[SmtpSink]:
    """Run the sink on a free port and point Django's SMTP backend at it (``settings`` fixture)."""
    server = _Server(("127.0.0.1", 0), _Handler)
    sink = SmtpSink(server.server_address[1])
    server.sink = sink  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    settings.EMAIL_TIMEOUT = 10
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
