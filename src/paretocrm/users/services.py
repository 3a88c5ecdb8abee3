"""Services of the users app: the staff directory, deactivation and account transfer."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from paretocrm.core.exceptions import DomainError
from paretocrm.core.policy import Function, has_function
from paretocrm.core.tokens import digest
from paretocrm.users.models import ApiToken, Team, User


class TransferError(DomainError):
    """A transfer that cannot be done as asked (message fit for the user)."""


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


# --- Someone leaves: deactivation and transfer of their accounts (AUTHN-5, AUTHZ-9) ---------


@dataclass(frozen=True)
class TransferResult:
    """How many records a transfer moved, per kind."""

    customers: int
    opportunities: int
    cases: int
    account_plans: int
    plan_actions: int
    tasks: int

    @property
    def total(self) -> int:
        """All records moved."""
        return (
            self.customers
            + self.opportunities
            + self.cases
            + self.account_plans
            + self.plan_actions
            + self.tasks
        )


@transaction.atomic
def issue_token(user: User) -> str:
    """Issue ``user`` a new API token and return its key; the key is never stored or shown again.

    Any earlier token of the user stops working (one token per user, as with DRF's tokens).
    """
    key = secrets.token_hex(20)
    ApiToken.objects.filter(user=user).delete()
    ApiToken.objects.create(user=user, prefix=key[:8], digest=digest(key))
    return key


@transaction.atomic
def deactivate_user(user: User, by: User | None) -> int:
    """Deactivate ``user`` and end their access at once: sessions and API tokens deleted.

    Returns the number of sessions ended. Sessions are found by decoding each unexpired
    session (Django stores the user id inside the session data, not in a column).
    """
    from django.contrib.sessions.models import Session

    from paretocrm.audit.choices import SecurityEventKind
    from paretocrm.audit.services import record_event

    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=user).delete()
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            session.delete()
            ended += 1
    record_event(
        SecurityEventKind.USER_DEACTIVATED,
        actor=by,
        target=user,
        detail={"sessions_ended": ended},
    )
    return ended


def _successors(target: User | Team) -> list[User]:
    """Who receives the records: the user, or a team's active members (round robin)."""
    if isinstance(target, Team):
        members = list(User.objects.filter(team=target, is_active=True).order_by("username", "id"))
        if not members:
            raise TransferError(
                _("Team “%(team)s” has no active member to receive accounts.")
                % {"team": target.name}
            )
        return members
    if not target.is_active:
        raise TransferError(
            _("User “%(user)s” is not active and cannot receive accounts.")
            % {"user": target.username}
        )
    return [target]


def _open_task_model() -> Any:
    """The work app's Task model when it exists (it is built separately)."""
    from django.apps import apps

    try:
        return apps.get_model("work", "Task")
    except LookupError:
        return None


def _reassign(records: Any, field: str, pick: Any) -> int:
    """Give each record a new ``field`` user via ``save`` (versioned and audited); count."""
    moved = 0
    for record in records.select_for_update(of=("self",)):
        setattr(record, f"{field}_id", pick(record).pk)
        record.save(update_fields=[field])
        moved += 1
    return moved


@transaction.atomic
def transfer_accounts(
    from_user: User, to: User | Team, by: User | None, reason: str
) -> TransferResult:
    """Move everything ``from_user`` owns to ``to`` (a user, or a team's active members).

    One transaction: customers (each through ``customers.services.change_owner``, so one
    ``OwnershipChange`` each), their open opportunities, open cases, account plans that are
    not closed, open plan actions and open tasks. Every record gets its field history row
    (channel ``transfer``) and the whole move one security event. Any failure rolls back
    everything. Records of a moved customer follow that customer's new owner.
    """
    from paretocrm.audit.choices import ChangeChannel, SecurityEventKind
    from paretocrm.audit.context import audit_context
    from paretocrm.audit.services import record_event
    from paretocrm.customers.choices import AccountPlanStatus, ActionStatus
    from paretocrm.customers.models import AccountPlan, AccountPlanAction, Customer
    from paretocrm.customers.services import change_owner
    from paretocrm.sales.choices import CLOSED_STAGES
    from paretocrm.sales.models import Opportunity
    from paretocrm.service.choices import OPEN_CASE_STATUSES
    from paretocrm.service.models import Case

    if by is not None and not has_function(by, Function.TRANSFER):
        # Every path (page, CLI) ends here: the role policy decides, not the caller.
        raise TransferError(_("Your role may not transfer accounts."))
    if not reason.strip():
        raise TransferError(_("A transfer needs a reason (it is kept in the history)."))
    if isinstance(to, User) and to.pk == from_user.pk:
        raise TransferError(_("A user cannot transfer accounts to themselves."))
    successors = _successors(to)
    successors = [u for u in successors if u.pk != from_user.pk] or successors
    new_owner_of: dict[int, User] = {}
    turn = itertools.cycle(successors)

    def next_successor() -> User:
        return next(turn)

    def follow_customer(record: Any) -> User:
        return new_owner_of.get(record.customer_id) or next_successor()

    with audit_context(ChangeChannel.TRANSFER, by):
        customers = list(Customer.objects.filter(owner=from_user).order_by("pk"))
        for customer in customers:
            new_owner_of[customer.pk] = next_successor()
            change_owner(
                customer, new_owner_of[customer.pk], by, reason, channel=ChangeChannel.TRANSFER
            )
            if isinstance(to, Team) and customer.team_id != to.pk:
                customer.refresh_from_db(fields=["team", "version"])
                customer.team = to
                customer.save(update_fields=["team"])
        result = TransferResult(
            customers=len(customers),
            opportunities=_reassign(
                Opportunity.objects.filter(owner=from_user).exclude(stage__in=CLOSED_STAGES),
                "owner",
                follow_customer,
            ),
            cases=_reassign(
                Case.objects.filter(assigned_to=from_user, status__in=OPEN_CASE_STATUSES),
                "assigned_to",
                follow_customer,
            ),
            account_plans=_reassign(
                AccountPlan.objects.filter(owner=from_user).exclude(
                    status=AccountPlanStatus.CLOSED
                ),
                "owner",
                follow_customer,
            ),
            plan_actions=_reassign(
                AccountPlanAction.objects.filter(
                    owner=from_user, status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS]
                ).select_related("plan"),
                "owner",
                lambda a: new_owner_of.get(a.plan.customer_id) or next_successor(),
            ),
            tasks=_transfer_tasks(from_user, follow_customer),
        )
        record_event(
            SecurityEventKind.TRANSFER,
            actor=by,
            target=from_user,
            detail={
                "to": f"team:{to.pk}" if isinstance(to, Team) else f"user:{to.pk}",
                "reason": reason,
                "customers": result.customers,
                "opportunities": result.opportunities,
                "cases": result.cases,
                "account_plans": result.account_plans,
                "plan_actions": result.plan_actions,
                "tasks": result.tasks,
            },
        )
    return result


def _transfer_tasks(from_user: User, pick: Any) -> int:
    """Open tasks of the work app (when installed and shaped as expected) follow too."""
    task_model = _open_task_model()
    if task_model is None:
        return 0
    names = {f.name for f in task_model._meta.get_fields()}
    if not {"owner", "status", "customer"} <= names:
        return 0
    open_tasks = task_model.objects.filter(owner=from_user).active()  # open or snoozed
    return _reassign(open_tasks, "owner", pick)


# --- User and team administration from the pages ----------------------------------------


@transaction.atomic
def create_user(*, password: str, by: User | None, **fields: Any) -> User:
    """Create a member of staff; the password is checked by the validators (AUTHN-1).

    Raises ``django.core.exceptions.ValidationError`` naming the problem.
    """
    from django.contrib.auth.password_validation import validate_password

    user = User(**fields)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    # The audit receiver records role changes of existing users only; a new role counts too.
    _record_role(user, old_role="", by=by)
    return user


@transaction.atomic
def update_user(user: User, *, by: User | None, **fields: Any) -> list[str]:
    """Change a user's profile, role, team or manager; returns the fields that changed.

    A role or team change is recorded as a security event by the audit app's user receiver
    (AUD-3) with ``by`` as the actor. Activation is not changed here: see
    ``deactivate_user`` (which also ends sessions) and ``reactivate_user``.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    changed = [name for name, value in fields.items() if getattr(locked, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(locked, name, fields[name])
    # Validate what changes (and the constraints), not legacy values of untouched fields.
    locked.full_clean(exclude=[f.name for f in User._meta.concrete_fields if f.name not in changed])
    with _as_actor(by):
        locked.save(update_fields=changed)
    for name in changed:
        setattr(user, name, fields[name])
    return changed


def _record_role(user: User, *, old_role: str, by: User | None) -> None:
    from paretocrm.audit.choices import SecurityEventKind
    from paretocrm.audit.services import record_event

    record_event(
        SecurityEventKind.ROLE_CHANGE,
        actor=by,
        target=user,
        detail={"from": old_role, "to": user.role},
    )


@transaction.atomic
def reactivate_user(user: User, by: User | None) -> bool:
    """Let a deactivated user sign in again; False when already active."""
    if user.is_active:
        return False
    user.is_active = True
    with _as_actor(by):
        user.save(update_fields=["is_active"])
    return True


def _as_actor(by: User | None) -> Any:
    """Audit context naming ``by`` as the actor of the user-field changes saved inside it."""
    from paretocrm.audit.choices import ChangeChannel
    from paretocrm.audit.context import audit_context

    return audit_context(ChangeChannel.WEB, by)
