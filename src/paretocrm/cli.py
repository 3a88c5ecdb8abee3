"""The `paretocrm` command.

`paretocrm analyze` runs the value engine on a file and needs no database, so it is
dispatched without starting Django. Every other sub-command is a Django management
command living in the app that owns it (demo, seed, serve, import, export, score, ...).

:func:`run_supervised` is how ``paretocrm serve`` (and so ``paretocrm demo``) runs the web
server and the background worker as two child processes of one command: one Ctrl+C stops
both, a worker that dies is started again, and when the web server ends the worker is stopped
too (with bounded waits: what does not stop in time is killed).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import TextIO

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


#: Seconds the children get to stop after SIGTERM before they are killed.
STOP_GRACE = 10.0
#: A worker that died is started again after this many seconds (not in a tight loop).
WORKER_RESTART_AFTER = 5.0


def command(*args: str) -> list[str]:
    """``paretocrm ARGS`` as a child process of this Python."""
    return [sys.executable, "-m", "paretocrm.cli", *args]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, between fork and exec
    """Linux: the child gets SIGTERM when this process dies, even by kill -9."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # then only a normal stop of this process stops the children (_stop)


def _spawn(args: Sequence[str]) -> subprocess.Popen[bytes]:
    preexec: Callable[[], None] | None = _die_with_parent if sys.platform == "linux" else None
    # Our own interpreter and arguments; preexec runs before any thread of ours exists.
    return subprocess.Popen(list(args), preexec_fn=preexec)  # noqa: S603


def _stop(processes: Sequence[subprocess.Popen[bytes]], grace: float) -> None:
    """SIGTERM each child still running, wait up to ``grace`` seconds, then SIGKILL."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def run_supervised(
    web: Sequence[str],
    worker: Sequence[str],
    *,
    grace: float = STOP_GRACE,
    out: TextIO | None = None,
) -> int:
    """Run the web server and the worker until the server ends or we are told to stop.

    SIGINT (Ctrl+C) or SIGTERM to this process stops both. Returns the web server's exit
    status (0 when we stopped it).
    """
    out = out or sys.stdout

    def say(text: str) -> None:
        out.write(text + "\n")
        out.flush()

    stopping = threading.Event()
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in handlers:
        signal.signal(sig, lambda _signum, _frame: stopping.set())
    server = _spawn(web)
    background = _spawn(worker)
    say(f"Web server pid {server.pid}, background worker pid {background.pid} (Ctrl+C stops both).")
    restart_at = None
    try:
        while not stopping.wait(0.2):
            if server.poll() is not None:
                say(f"The web server stopped ({server.returncode}); stopping the worker.")
                break
            if background.poll() is not None and restart_at is None:
                say(
                    f"The background worker stopped ({background.returncode}); "
                    f"starting it again in {WORKER_RESTART_AFTER:.0f} s."
                )
                restart_at = time.monotonic() + WORKER_RESTART_AFTER
            if restart_at is not None and time.monotonic() >= restart_at:
                background, restart_at = _spawn(worker), None
    finally:
        _stop([server, background], grace)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    return 0 if stopping.is_set() else (server.returncode or 0)


if __name__ == "__main__":
    raise SystemExit(main())
