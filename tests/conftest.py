"""Cross-app test helpers: the fuzzing summary line (QUALITY.md "Fuzz": report the cases run)."""

from __future__ import annotations

import sys
from typing import Any


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print how many schemathesis cases ran, when the fuzz module was part of the run."""
    fuzz = sys.modules.get("tests.test_fuzz_api")
    counted = getattr(fuzz, "COUNTED", None)
    if counted and counted["cases"]:
        failed = len(terminalreporter.stats.get("failed", []))
        terminalreporter.write_line(
            f"schemathesis: {counted['cases']} cases over {counted['operations']} API "
            f"operations; {failed} operations failed (server error or schema violation)"
        )
