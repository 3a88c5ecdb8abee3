"""The public surface: a sorted ``__all__`` whose names all exist, and no Django anywhere."""

from __future__ import annotations

import subprocess
import sys

import paretocrm.analytics as analytics


def test_all_is_sorted_and_unique() -> None:
    assert analytics.__all__ == sorted(set(analytics.__all__))


def test_every_public_name_is_importable() -> None:
    missing = [name for name in analytics.__all__ if not hasattr(analytics, name)]
    assert missing == []


def test_exception_tree_has_one_root() -> None:
    for name in ("DataContractError", "NotFittedError", "ConvergenceError", "ConfigurationError"):
        assert issubclass(getattr(analytics, name), analytics.AnalyticsError)


def test_importing_the_engine_does_not_load_django() -> None:
    code = (
        "import sys, paretocrm.analytics, paretocrm.analytics.cli; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
