"""``paretocrm serve``: serve an existing database with gunicorn (sync workers).

Before starting it checks, with a clear message instead of a traceback, that the database
is reachable, exists and has every migration applied, and that the port is free. Static
files are served by whitenoise (already in the middleware), so no web server is needed.

It also starts the background worker (``paretocrm worker``: imports, "Run analysis now", the
schedule) beside the web server, both as child processes of this command
(``paretocrm.cli.run_supervised``): one Ctrl+C stops both. ``--no-worker`` serves only, for
a deployment that runs ``paretocrm worker`` as its own service.
"""

from __future__ import annotations

import errno
import socket
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from gunicorn.app.base import BaseApplication

SETUP_HINT = "Run `paretocrm demo` to create a demo database, or `paretocrm migrate`."


class GunicornApplication(BaseApplication):  # type: ignore[misc]
    """Gunicorn configured from a dict, loading the Django WSGI application."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Copy our options into gunicorn's settings."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """Import the WSGI application in the worker."""
        from paretocrm.wsgi import application

        return application


def database_problem() -> str | None:
    """Why the configured database cannot be served, or None when it is ready."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and not Path(str(db["NAME"])).is_file():
        return f"There is no database at {db['NAME']}. {SETUP_HINT}"
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        where = db.get("HOST") or db["NAME"]
        return f"Cannot reach the database at {where}: {str(exc).strip()}. Check DATABASE_URL."
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:3])
        more = f" and {len(plan) - 3} more" if len(plan) > 3 else ""
        return f"The database has {len(plan)} unapplied migrations ({names}{more}). {SETUP_HINT}"
    return None


def port_problem(host: str, port: int) -> str | None:
    """Why gunicorn could not bind ``host:port``, or None when the port is free."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"Port {port} on {host} is already in use; choose another with --port N."
            return f"Cannot listen on {host}:{port}: {exc.strerror or exc}."
    return None


class Command(BaseCommand):
    """Serve the web application."""

    help = "Serve an existing database with gunicorn (sync workers) on 127.0.0.1:8000."
    requires_system_checks: ClassVar[list[str]] = []  # checked explicitly below with clear messages

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Options of ``paretocrm serve``."""
        parser.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument("--workers", type=int, default=2, help="sync workers (default 2)")
        parser.add_argument("--timeout", type=int, default=60, help="worker timeout in seconds")
        parser.add_argument(
            "--no-worker",
            action="store_false",
            dest="with_worker",
            help="do not start the background worker (run `paretocrm worker` yourself)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Check the database and port, then run gunicorn until stopped."""
        host, port, workers = options["host"], options["port"], options["workers"]
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, got {port}.")
        if workers < 1:
            raise CommandError(f"--workers must be at least 1, got {workers}.")
        problem = database_problem() or port_problem(host, port)
        if problem:
            raise CommandError(problem)
        if host not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            self.stderr.write(
                f"Note: {host} is not in PARETOCRM_ALLOWED_HOSTS; requests by that name "
                "will be refused."
            )
        # Workers are forked: never hand them the parent's open database connection.
        connections.close_all()
        if options["with_worker"]:
            self._serve_with_worker(host, port, workers, options["timeout"])
            return
        self.stdout.write(f"Serving Pareto CRM on http://{host}:{port}/ (Ctrl+C to stop)")
        self.stdout.flush()
        GunicornApplication(
            {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "sync",
                "timeout": options["timeout"],
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
                "proc_name": "paretocrm",
            }
        ).run()

    def _serve_with_worker(self, host: str, port: int, workers: int, timeout: int) -> None:
        """This command again with --no-worker, and ``paretocrm worker``, supervised."""
        from paretocrm.cli import command, run_supervised

        web = command(
            "serve", "--no-worker", "--host", host, "--port", str(port),
            "--workers", str(workers), "--timeout", str(timeout),
        )  # fmt: skip
        # A stable id: restarted, the worker retries the job its killed predecessor left.
        worker_id = f"serve-{socket.gethostname()}-{port}"[:64]
        worker = command("worker", "--worker-id", worker_id)
        status = run_supervised(web, worker, out=self.stdout)
        if status:
            raise CommandError(f"The web server stopped with exit status {status}.")
