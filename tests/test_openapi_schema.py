"""The committed OpenAPI schema (docs/openapi.yaml) must equal a freshly generated one.

A stale schema fails CI: regenerate with
``.venv/bin/python -m paretocrm.cli spectacular --file docs/openapi.yaml --validate``.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parents[1] / "docs" / "openapi.yaml"


def test_committed_openapi_schema_is_up_to_date(tmp_path: Path) -> None:
    fresh = tmp_path / "openapi.yaml"
    call_command("spectacular", file=str(fresh), validate=True, fail_on_warn=True)
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
