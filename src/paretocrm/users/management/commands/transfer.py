"""``paretocrm transfer FROM TO [--deactivate] [--yes]``: hand over a leaver's accounts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from paretocrm.users.models import Team, User
from paretocrm.users.permissions import Function, has_function
from paretocrm.users.services import TransferError, deactivate_user, transfer_accounts


class Command(BaseCommand):
    """Move a user's customers and open work to a user or team, optionally deactivating."""

    help = (
        "Transfer everything FROM owns (customers, open opportunities, cases, plans, tasks) "
        "to TO: a user name, or team:<name> for a team's active members. One transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("from_user", metavar="FROM", help="user name of the leaver")
        parser.add_argument("to", metavar="TO", help="user name, or team:<team name>")
        parser.add_argument("--reason", default="staff change", help="kept in the history")
        parser.add_argument(
            "--deactivate", action="store_true", help="also deactivate FROM (sessions, tokens)"
        )
        parser.add_argument("--by", default="", help="user name recorded as acting")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        from_user = self._user(options["from_user"], "FROM")
        target = self._target(options["to"])
        by = self._user(options["by"], "--by") if options["by"] else None
        if by is not None and not has_function(by, Function.TRANSFER):
            raise CommandError(f"--by: the role of '{by.username}' may not transfer accounts.")
        if not options["yes"] and not self._confirm(from_user, target, options["deactivate"]):
            raise CommandError("Cancelled: nothing was changed.")
        try:
            result = transfer_accounts(from_user, target, by, options["reason"])
        except TransferError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Transferred {result.customers} customers, {result.opportunities} opportunities, "
            f"{result.cases} cases, {result.account_plans} account plans, "
            f"{result.plan_actions} plan actions and {result.tasks} tasks to {target}."
        )
        if options["deactivate"]:
            ended = deactivate_user(from_user, by)
            self.stdout.write(f"Deactivated {from_user.username}; {ended} sessions ended.")

    def _user(self, username: str, label: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"{label}: no user named '{username}'.")
        return user

    def _target(self, value: str) -> User | Team:
        if value.startswith("team:"):
            name = value.removeprefix("team:")
            teams = list(Team.objects.filter(name=name)[:2])
            if len(teams) != 1:
                found = "no team" if not teams else "more than one team"
                raise CommandError(f"TO: {found} named '{name}'.")
            return teams[0]
        return self._user(value, "TO")

    def _confirm(self, from_user: User, target: User | Team, deactivate: bool) -> bool:
        owned = from_user.owned_customers.count()
        extra = " and deactivate the account" if deactivate else ""
        answer = input(
            f"Transfer {owned} customers and all open work of {from_user.username} "
            f"to {target}{extra}? [y/N] "
        )
        return answer.strip().lower() in {"y", "yes"}
