"""The committed OpenAPI schema (docs/openapi.yaml) must equal a freshly generated one.

A stale schema fails CI: regenerate with (default SQLite settings, no DATABASE_URL)
``PARETOCRM_LANGUAGE=en .venv/bin/python -m paretocrm.cli spectacular \\
--file docs/openapi.yaml --validate``
(English descriptions, whatever the default language of the installation).

The schema is always generated with the default (SQLite) settings, in a subprocess: Django
reports integer ranges per database vendor (e.g. a small positive integer's maximum), so a
schema generated under PostgreSQL would differ in a few numbers without any API change.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

COMMITTED = Path(__file__).resolve().parents[1] / "docs" / "openapi.yaml"


def test_committed_openapi_schema_is_up_to_date(tmp_path: Path) -> None:
    fresh = tmp_path / "openapi.yaml"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PARETOCRM_DATA_DIR"] = str(tmp_path / "data")
    env["PARETOCRM_LANGUAGE"] = "en"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "paretocrm.cli",
            "spectacular",
            "--file",
            str(fresh),
            "--validate",
            "--fail-on-warn",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert COMMITTED.exists(), f"{COMMITTED} is missing: generate it (see module docstring)"
    assert COMMITTED.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
        "docs/openapi.yaml is stale: regenerate it (see module docstring)"
    )


def test_schema_documents_every_business_endpoint() -> None:
    text = COMMITTED.read_text(encoding="utf-8")
    for path in (
        "/api/customers/",
        "/api/orders/",
        "/api/payments/{id}/reverse/",
        "/api/insights/scores/",
        "/api/directory/users/",
        "/api/articles/",
    ):
        assert f"  {path}:" in text, path


def _operations() -> dict[tuple[str, str], dict]:
    import yaml

    schema = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    return {
        (method.upper(), path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    }


def test_every_operation_documents_its_error_answers() -> None:
    """core.api.schema: the shared error answers, each described once under components."""
    import yaml

    schema = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    assert {"BadRequest", "NotAuthenticated", "NotFound", "PreconditionRequired"} <= set(
        schema["components"]["responses"]
    )
    for (method, path), operation in _operations().items():
        codes = set(operation["responses"])
        assert {"400", "401"} <= codes, (method, path)
        if "{id}" in path:
            assert "404" in codes, (method, path)
        if path != "/api/auth/token/":
            assert {"403", "429"} <= codes, (method, path)
    operations = _operations()
    # Versioned writes: If-Match documented with 412 and 428 (the erase action too).
    for key in (
        ("PATCH", "/api/customers/{id}/"),
        ("DELETE", "/api/contacts/{id}/"),
        ("POST", "/api/contacts/{id}/erase/"),
    ):
        assert {"412", "428"} <= set(operations[key]["responses"]), key
        assert any(p["name"] == "If-Match" for p in operations[key]["parameters"]), key
    # The token endpoint is open, refuses portal logins (403: the API is for staff) and
    # locks accounts instead of rate limiting.
    token = set(operations[("POST", "/api/auth/token/")]["responses"])
    assert "403" in token and "429" not in token


def test_fields_the_policy_hides_are_never_required() -> None:
    """Issue 14: roles without VIEW_CREDIT get no ``credit_limit`` at all, so a schema that
    marks it required makes every such answer a schema violation; the schema says whose it is.
    The fields come from the one declaration the serializers hide by (FUNCTION_FIELDS)."""
    import yaml

    from paretocrm.core.api.serializers import FUNCTION_FIELDS

    schemas = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))["components"]["schemas"]
    carrying = {
        (name, field)
        for name, schema in schemas.items()
        for field in FUNCTION_FIELDS
        if field in schema.get("properties", {})
    }
    assert ("Customer", "credit_limit") in carrying
    for name, field in carrying:
        assert field not in schemas[name].get("required", []), (name, field)
        description = schemas[name]["properties"][field].get("description", "")
        assert FUNCTION_FIELDS[field].value in description, (name, field)
