"""Checks on files customers upload: count, size, extension and magic bytes (before storing).

The extension alone is not trusted: the first bytes must match the type it claims (a
renamed .exe called "invoice.pdf" is refused), and plain text must be UTF-8 without NUL
bytes. Every message names the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

#: Extension -> (content type, accepted leading bytes; empty = checked as UTF-8 text).
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".txt": ("text/plain", ()),
}


def max_bytes() -> int:
    """Largest accepted file (``PORTAL_ATTACHMENT_MAX_BYTES``, default 5 MB)."""
    return int(getattr(settings, "PORTAL_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024))


def max_files() -> int:
    """Most files per case or reply (``PORTAL_ATTACHMENT_MAX_FILES``, default 5)."""
    return int(getattr(settings, "PORTAL_ATTACHMENT_MAX_FILES", 5))


@dataclass(frozen=True)
class CheckedFile:
    """An uploaded file that passed the checks, with the content type it was checked as."""

    upload: Any
    name: str
    content_type: str
    size: int


def check_upload(upload: Any) -> CheckedFile:
    """Check one uploaded file; ``ValidationError`` naming the file when it is refused."""
    name = PurePath(str(getattr(upload, "name", "") or "")).name[:200] or "file"
    size = int(getattr(upload, "size", 0) or 0)
    extension = PurePath(name).suffix.lower()
    allowed = ", ".join(sorted(ALLOWED_TYPES))
    if extension not in ALLOWED_TYPES:
        raise ValidationError(
            _("“%(name)s”: this type of file is not accepted (accepted: %(allowed)s).")
            % {"name": name, "allowed": allowed}
        )
    if size > max_bytes():
        raise ValidationError(
            _("“%(name)s” is %(size)s; the limit is %(limit)s per file.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(max_bytes())}
        )
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    content_type, magics = ALLOWED_TYPES[extension]
    if not _content_matches(upload, magics):
        raise ValidationError(
            _("“%(name)s” does not contain what its extension %(ext)s says; it was not accepted.")
            % {"name": name, "ext": extension}
        )
    return CheckedFile(upload=upload, name=name, content_type=content_type, size=size)


def check_uploads(uploads: Sequence[Any]) -> list[CheckedFile]:
    """Check every file (count first); all errors are collected so the user sees them at once."""
    if len(uploads) > max_files():
        raise ValidationError(
            _("At most %(n)d files can be attached at once.") % {"n": max_files()}
        )
    checked, errors = [], []
    for upload in uploads:
        try:
            checked.append(check_upload(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return checked


def _content_matches(upload: Any, magics: tuple[bytes, ...]) -> bool:
    upload.seek(0)
    if magics:
        head = upload.read(16)
        upload.seek(0)
        return any(head.startswith(magic) for magic in magics)
    # Plain text: the whole file (at most max_bytes) must be UTF-8 without NUL bytes.
    data = upload.read()
    upload.seek(0)
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True
