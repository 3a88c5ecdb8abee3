"""Optimistic locking over HTTP: ETag out, If-Match in (QUALITY.md DUR-1).

The ETag of a :class:`~paretocrm.core.models.VersionedModel` is its version number in
quotes (``"3"``). A write must send it back in ``If-Match``: no header -> 428 Precondition
Required, another version -> 412 Precondition Failed, and nothing changes.
"""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.exceptions import APIException

from paretocrm.core.models import VersionedModel


class PreconditionRequired(APIException):
    """428: a write to a versioned record came without ``If-Match``."""

    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "This record is versioned: send the ETag you read in an If-Match header "
        '(e.g. If-Match: "3") to change or delete it.'
    )
    default_code = "precondition_required"


class PreconditionFailed(APIException):
    """412: the record changed since the client read it."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The record was changed by someone else since you read it: fetch it again and "
        "re-apply your change."
    )
    default_code = "precondition_failed"


def is_versioned(model: type[Any]) -> bool:
    """True for models with optimistic locking."""
    return issubclass(model, VersionedModel)


def etag_for(version: int) -> str:
    """The strong ETag for a version number."""
    return f'"{version}"'


def parse_if_match(header: str | None) -> list[str]:
    """The entity tags listed in an ``If-Match`` header (weak prefixes dropped)."""
    if not header:
        return []
    tags = []
    for raw in header.split(","):
        tag = raw.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag:
            tags.append(tag)
    return tags


def check_if_match(header: str | None, current_version: int) -> None:
    """Raise 428 when the header is missing, 412 when it does not name ``current_version``.

    ``*`` is refused on purpose: it would match any version and defeat the lost-update
    check that the header exists for.
    """
    tags = parse_if_match(header)
    if not tags:
        raise PreconditionRequired()
    if etag_for(current_version) not in tags:
        raise PreconditionFailed()
