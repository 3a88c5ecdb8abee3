"""The `paretocrm` command.

`paretocrm analyze` runs the value engine on a file and needs no database, so it is
dispatched without starting Django. Every other sub-command is a Django management
command living in the app that owns it (demo, seed, serve, import, export, score, ...).
"""

from __future__ import annotations

import os
import sys

# Command names people type that are not valid Python module names, or that clash with
# Django's own commands, mapped to the management command that implements them.
ALIASES = {"import": "import_data", "export": "export_data", "prune-runs": "prune_runs"}
DJANGO_FREE = {"analyze"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in DJANGO_FREE:
        from paretocrm.analytics.cli import main as analyze_main

        return analyze_main(argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paretocrm.settings")
    if argv and argv[0] in ALIASES:
        argv[0] = ALIASES[argv[0]]
    from django.core.management import execute_from_command_line
    from django.db import InterfaceError, OperationalError

    try:
        execute_from_command_line(["paretocrm", *argv])
    except (OperationalError, InterfaceError) as error:
        # A stopped or unreachable database: one line, no traceback (QUALITY.md "Faults").
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"paretocrm: database unavailable: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
