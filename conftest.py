"""Test-wide settings: every file goes under a temporary directory, never the work tree."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

os.environ.setdefault("PARETOCRM_DATA_DIR", tempfile.mkdtemp(prefix="paretocrm-test-"))


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def require_java() -> None:
    """Spark tests need Java; under CI=true its absence is a failure, not a skip."""
    if shutil.which("java") is None:
        if _in_ci():
            pytest.fail("Java is required for the Spark tests under CI=true")
        pytest.skip("Java not installed")


@pytest.fixture(autouse=True)
def _fresh_cache(settings):  # type: ignore[no-untyped-def]
    """Throttles and the refusal-audit rate limit count per user id in the cache; ids repeat
    across tests (each test's rows are rolled back), so a count must not carry from one test
    to the next (an import refusal went unlogged after the marketing tests' refusals)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _english_unless_a_test_asks(settings):  # type: ignore[no-untyped-def]
    """Tests read English messages; a test of the Chinese pages asks for its language itself.

    The product's default language is zh-hans (PARETOCRM_LANGUAGE), which would make every
    message assertion depend on the state of the translation catalogues.
    """
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
