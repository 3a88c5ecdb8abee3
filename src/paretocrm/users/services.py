"""Services of the users app: the staff directory."""

from __future__ import annotations

from dataclasses import dataclass

from paretocrm.users.models import Team, User


@dataclass(frozen=True)
class DirectoryEntry:
    """One team in the staff directory with its active members."""

    team: Team | None
    members: tuple[User, ...]


def staff_directory() -> list[DirectoryEntry]:
    """Active staff grouped by team (teams by name, users without a team last); two queries."""
    by_team: dict[int | None, list[User]] = {}
    for user in User.objects.active_staff():
        by_team.setdefault(user.team_id, []).append(user)
    teams = {t.pk: t for t in Team.objects.filter(pk__in=[k for k in by_team if k is not None])}
    entries = [
        DirectoryEntry(team=teams[team_id], members=tuple(members))
        for team_id, members in sorted(
            ((k, v) for k, v in by_team.items() if k is not None), key=lambda kv: teams[kv[0]].name
        )
    ]
    if None in by_team:
        entries.append(DirectoryEntry(team=None, members=tuple(by_team[None])))
    return entries
