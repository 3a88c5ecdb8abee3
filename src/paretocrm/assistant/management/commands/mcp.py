"""``paretocrm mcp``: serve the CRM to an AI assistant over MCP (stdio), as one user.

The API token comes from the environment (``PARETOCRM_API_TOKEN``), never from the command
line, where every user of the machine could read it in the process list.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

TOKEN_VARIABLE = "PARETOCRM_API_TOKEN"  # noqa: S105 - the name of the variable, not a secret


class Command(BaseCommand):
    help = (
        "Serve the MCP tools (find customers, customer summary, core customers, churn "
        f"warnings, open tasks, log interaction, create task) on stdio as the user whose API "
        f"token is in ${TOKEN_VARIABLE}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--language",
            default="en",
            help="language of labels and messages: en, zh-hans or zh-hant (default en)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            from paretocrm.assistant.server import build_server
        except ImportError as missing:  # the optional dependency
            raise CommandError(
                f"the MCP server needs the 'mcp' package ({missing}); install it with "
                "pip install 'paretocrm[assistant]'."
            ) from None
        from paretocrm.assistant.gateway import ApiGateway

        token = os.environ.get(TOKEN_VARIABLE, "").strip()
        if not token:
            raise CommandError(
                f"{TOKEN_VARIABLE} is not set: put the user's API token (Profile > API "
                "token, or POST /api/auth/token/) in it."
            )
        gateway = ApiGateway(token, options["language"])
        probe = gateway.get("/api/customers/")
        if probe.status in (401, 403):
            raise CommandError(
                f"{TOKEN_VARIABLE} was refused by the API ({probe.status}): it is not a "
                "valid token of an active staff member."
            )
        build_server(gateway).run("stdio")
