"""The OpenAPI schema documents the error answers of every operation, in one place.

drf-spectacular documents the success response a serializer gives; the errors come from
the shared machinery (authentication, permissions, scope, throttling, optimistic locking),
so they are added here by what each view *is*, never operation by operation, and each
is described once under ``components/responses`` (the postprocessing hook below). This keeps
the committed schema honest enough for schemathesis' "undocumented status code" check
(tests/test_fuzz_api.py).

Which operation gets which status:

* 400: every operation (body fields, query filters and ids are validated).
* 401: every operation (credentials that are sent are checked, even by the token endpoint).
* 403: every operation that needs a signed-in user (a role without the right, a portal
  user).
* 404: every operation on one record (``{id}`` in the path): missing or out of scope;
  and every paginated list: a page beyond the last.
* 409: deleting a record that is still referenced.
* 412, 428: writes to a versioned record (PUT, PATCH, DELETE and the view's declared
  ``if_match_actions``): If-Match names another version, or is missing.
* 429: every rate-limited operation (all but the token endpoint, which locks accounts).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import AllowAny

from paretocrm.core.api.concurrency import is_versioned
from paretocrm.core.api.serializers import FUNCTION_FIELDS

#: The error answers, each described once under ``components/responses`` and referenced by
#: every operation that can give it.
ERRORS: dict[str, tuple[str, str]] = {
    "400": ("BadRequest", "Invalid request: the body names each field or parameter and what "
            "is wrong."),
    "401": ("NotAuthenticated", "Not signed in: send a valid token (Authorization: Token ...) "
            "or a session cookie."),
    "403": ("Forbidden", "Your role may not do this (portal users may not use the staff API)."),
    "404": ("NotFound", "No such record, or it is outside your scope (the two are not told "
            "apart); on a list, a page beyond the last."),
    "409": ("Conflict", "The record is still referenced by other records; archive it instead."),
    "412": ("PreconditionFailed", "If-Match names another version: the record changed since "
            "you read it."),
    "428": ("PreconditionRequired", "If-Match is missing: send the ETag you read to change "
            "this record."),
    "429": ("TooManyRequests", "Too many requests: wait as the message says, then try again."),
}  # fmt: skip

#: The body of every error but 400: one human-readable sentence.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
#: A validation error: each field (or ``non_field_errors`` / ``detail``) with its messages;
#: nested records (order lines) nest the same way.
VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {},
    "description": "Field name -> list of messages (nested for nested records).",
}

WRITE_METHODS = frozenset({"PUT", "PATCH", "DELETE"})


class ErrorDocumentingAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the error answers (see the module docstring)."""

    def get_override_parameters(self) -> list[Any]:
        """The If-Match header on writes to versioned records."""
        parameters = list(super().get_override_parameters())
        if self._needs_if_match():
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    required=False,
                    description='The ETag you read (e.g. "3"); without it the answer is 428.',
                )
            )
        return parameters

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        """Fields shown only to roles with a function (the credit limit) are never required:
        other roles get answers without them. The description names the function."""
        result = dict(super()._map_basic_serializer(serializer, direction))
        properties = result.get("properties", {})
        for name in FUNCTION_FIELDS.keys() & properties.keys():
            function = FUNCTION_FIELDS[name]
            note = f"Only for roles with the {function.value} function; absent otherwise."
            described = properties[name].get("description")
            properties[name]["description"] = f"{described} {note}" if described else note
            required = [field for field in result.get("required", []) if field != name]
            if required:
                result["required"] = required
            else:
                result.pop("required", None)
        return result

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = dict(super()._get_response_bodies(direction))
        for code in self.error_codes():
            # An operation's own declaration of a status wins.
            responses.setdefault(code, {"$ref": f"#/components/responses/{ERRORS[code][0]}"})
        return responses

    def error_codes(self) -> list[str]:
        """The error statuses this operation can answer, sorted."""
        # 401: credentials that are sent are checked everywhere, the token endpoint too.
        codes = {"400", "401"}
        if not self._is_open():
            codes.add("403")
        if getattr(self.view, "throttle_classes", ()):
            codes.add("429")
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            codes.add("404")
        if self.method == "DELETE":
            codes.add("409")
        if self._needs_if_match():
            codes |= {"412", "428"}
        return sorted(codes)

    def _is_open(self) -> bool:
        """True for views anyone may call (the token endpoint)."""
        classes = getattr(self.view, "permission_classes", ())
        return all(issubclass(c, AllowAny) for c in classes)  # none at all: open too

    def _needs_if_match(self) -> bool:
        model = getattr(self.view, "model", None)
        if model is None or not is_versioned(model):
            return False
        if self.method in WRITE_METHODS:
            return True
        return getattr(self.view, "action", None) in getattr(self.view, "if_match_actions", ())


def add_error_components(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: the error responses and their bodies, described once."""
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas["ValidationError"] = VALIDATION_ERROR_SCHEMA
    components["responses"] = {
        name: {
            "description": description,
            "content": {
                "application/json": {
                    "schema": {
                        "$ref": "#/components/schemas/"
                        + ("ValidationError" if code == "400" else "Error")
                    }
                }
            },
        }
        for code, (name, description) in ERRORS.items()
    }
    return result
