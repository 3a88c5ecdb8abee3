"""The role policy (QUALITY.md "The access model", AUTHZ-6): the one place a role is named.

Two tables decide everything a role may do:

* ``ROLE_SCOPES`` says *which* customers (and everything inherited from them) a role sees;
  ``customers.querysets`` applies it.
* ``ROLE_FUNCTIONS`` says which *functions* a role may use at all: every kind of write and
  every read that differs by role. Deny by default: a function not listed for a role is
  refused; a superuser may do everything.

Pages, the API, imports, exports, call lists, portal access and the admin ask
:func:`has_function`; no other module compares a user's role with a role name. The tables
are data, so tests iterate them and a new role or function cannot be added without deciding
every cell. The kernel imports no app, so the roles live here and ``users.choices``
re-exports them.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The eight roles of QUALITY.md and the portal's (English source strings)."""

    ADMINISTRATOR = "administrator", _("administrator")
    GENERAL_MANAGER = "general_manager", _("general manager")
    KEY_ACCOUNT_MANAGER = "key_account_manager", _("key-account manager")
    KEY_ACCOUNT_SPECIALIST = "key_account_specialist", _("key-account specialist")
    KEY_ACCOUNT_ASSISTANT = "key_account_assistant", _("key-account assistant")
    SALES_REP = "sales_rep", _("sales rep")
    SERVICE_AGENT = "service_agent", _("service agent")
    MARKETING = "marketing", _("marketing")
    # Not staff: a customer's contact signed in to the self-service portal (portal app).
    PORTAL_CUSTOMER = "portal_customer", _("customer portal user")


class ScopeLevel(models.TextChoices):
    """Which customers (and everything inherited from them) a role sees (QUALITY.md Roles).

    Every level also includes the customers the user owns and those whose account team the
    user is in; ``customers.querysets.CustomerScopedQuerySet.scope_filter`` applies them.
    """

    OWN = "own", _("own customers")
    TEAM = "team", _("customers of the own team")
    TEAM_TREE = "team_tree", _("customers of the own team and its sub-teams")
    CASES = "cases", _("customers with the user's service cases")
    ALL = "all", _("all customers")


class Function(models.TextChoices):
    """A function whose use differs by role."""

    USER_ADMIN = "user_admin", _("manage users and roles")
    TRANSFER = "transfer", _("transfer accounts")
    IMPORT = "import", _("import data")
    EXPORT = "export", _("export lists in scope")
    EXPORT_ALL = "export_all", _("export all data")
    AUDIT_READ = "audit_read", _("read the audit log")
    SETTINGS = "settings", _("change settings")
    RUN_ANALYSIS = "run_analysis", _("run the analysis")
    VIEW_UNMASKED = "view_unmasked", _("view personal data unmasked")
    ERASE = "erase", _("erase a person's data")
    #: Customer master data and what hangs on the account: contacts, orders, invoices,
    #: payments, interactions, account plans and account teams.
    EDIT_ACCOUNTS = "edit_accounts", _("edit accounts")
    #: Service cases and care records.
    EDIT_SERVICE = "edit_service", _("edit service records")
    #: Company-wide reference data: the catalogue and price lists.
    EDIT_CATALOGUE = "edit_catalogue", _("edit catalogue and prices")
    EDIT_CAMPAIGNS = "edit_campaigns", _("edit campaigns")
    EDIT_KNOWLEDGE = "edit_knowledge", _("edit knowledge articles")
    MANAGE_CALL_LISTS = "manage_call_lists", _("manage call lists")
    INVITE_PORTAL = "invite_portal", _("invite portal users")
    #: Sensitive money fields (QUALITY.md field permissions): credit limit, receivable balance.
    VIEW_CREDIT = "view_credit", _("see credit limits")
    SET_TARGETS = "set_targets", _("set key-account manager targets")
    #: Done, snooze and reassign on tasks, and their fields through the API.
    WORK_TASKS = "work_tasks", _("work tasks")


_ALL = frozenset(Function)
_ACCOUNT_WORK = frozenset(
    {
        Function.WORK_TASKS,
        Function.IMPORT,
        Function.EXPORT,
        Function.VIEW_UNMASKED,
        Function.EDIT_ACCOUNTS,
        Function.EDIT_SERVICE,
        Function.MANAGE_CALL_LISTS,
        Function.INVITE_PORTAL,
        Function.VIEW_CREDIT,
    }
)

#: The role x function table (QUALITY.md role defaults).
ROLE_FUNCTIONS: MappingProxyType[str, frozenset[Function]] = MappingProxyType(
    {
        Role.ADMINISTRATOR: _ALL,
        # "All, read + approve": reads and exports everything, approves transfers.
        Role.GENERAL_MANAGER: frozenset(
            {
                Function.TRANSFER,
                Function.EXPORT,
                Function.EXPORT_ALL,
                Function.AUDIT_READ,
                Function.RUN_ANALYSIS,
                Function.VIEW_UNMASKED,
                Function.VIEW_CREDIT,
                Function.SET_TARGETS,
                # Approvals and escalations reach the general manager as tasks.
                Function.WORK_TASKS,
            }
        ),
        # "Own + team, full".
        Role.KEY_ACCOUNT_MANAGER: _ACCOUNT_WORK | {Function.RUN_ANALYSIS, Function.EDIT_KNOWLEDGE},
        # "Team, edit".
        Role.KEY_ACCOUNT_SPECIALIST: _ACCOUNT_WORK,
        # "Team, read, no export".
        Role.KEY_ACCOUNT_ASSISTANT: frozenset(),
        # "Own": works the own accounts; personal data stays masked.
        Role.SALES_REP: _ACCOUNT_WORK - {Function.IMPORT, Function.VIEW_UNMASKED},
        # "Customers with their cases; cases full": not the customers' master data.
        Role.SERVICE_AGENT: frozenset(
            {
                Function.EXPORT,
                Function.EDIT_SERVICE,
                Function.EDIT_KNOWLEDGE,
                Function.INVITE_PORTAL,
                Function.WORK_TASKS,
            }
        ),
        # "Campaigns; customers read, masked contacts". The export is the campaign send list
        # (marketing.exports: consent in force, the channel's address only).
        Role.MARKETING: frozenset(
            {Function.EXPORT, Function.EDIT_CAMPAIGNS, Function.EDIT_KNOWLEDGE, Function.WORK_TASKS}
        ),
        # Customers on the portal use no staff function at all.
        Role.PORTAL_CUSTOMER: frozenset(),
    }
)

#: The default record scope of each role, as data: a test iterates it against an oracle.
#: Marketing reads every customer (audiences span the company) with contacts masked.
ROLE_SCOPES: MappingProxyType[str, ScopeLevel] = MappingProxyType(
    {
        Role.ADMINISTRATOR: ScopeLevel.ALL,
        Role.GENERAL_MANAGER: ScopeLevel.ALL,
        Role.KEY_ACCOUNT_MANAGER: ScopeLevel.TEAM_TREE,
        Role.KEY_ACCOUNT_SPECIALIST: ScopeLevel.TEAM,
        Role.KEY_ACCOUNT_ASSISTANT: ScopeLevel.TEAM,
        Role.SALES_REP: ScopeLevel.OWN,
        Role.SERVICE_AGENT: ScopeLevel.CASES,
        Role.MARKETING: ScopeLevel.ALL,
    }
)

#: Roles that see every record.
FULL_SCOPE_ROLES: frozenset[str] = frozenset(
    role for role, level in ROLE_SCOPES.items() if level == ScopeLevel.ALL
)

#: Roles whose people manage key accounts: each gets a scorecard and a revenue target.
KEY_ACCOUNT_MANAGER_ROLES: frozenset[str] = frozenset({Role.KEY_ACCOUNT_MANAGER})

#: Roles of people outside the company: they reach only the portal, never staff pages or API.
PORTAL_ROLES: frozenset[str] = frozenset({Role.PORTAL_CUSTOMER})

#: The company's own people: every role but the portal's.
STAFF_ROLES: tuple[str, ...] = tuple(role for role in Role if role not in PORTAL_ROLES)


def scope_level_of(role: str) -> ScopeLevel:
    """The scope level of ``role``; an unknown role sees only its own customers."""
    return ROLE_SCOPES.get(role, ScopeLevel.OWN)


def functions_of(role: str) -> frozenset[Function]:
    """The functions a role may use (none for an unknown role)."""
    return ROLE_FUNCTIONS.get(role, frozenset())


def is_active_user(user: Any) -> bool:
    """True for a signed-in, active user."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def is_portal_user(user: Any) -> bool:
    """True for an active customer signed in to the portal (never a superuser)."""
    if not is_active_user(user) or getattr(user, "is_superuser", False):
        return False
    return str(getattr(user, "role", "") or "") in PORTAL_ROLES


def is_staff_member(user: Any) -> bool:
    """True for an active, signed-in user who is not a portal customer."""
    return is_active_user(user) and not is_portal_user(user)


def is_administrator(user: Any) -> bool:
    """True for superusers and active users with the administrator role."""
    if not is_active_user(user):
        return False
    return bool(
        getattr(user, "is_superuser", False) or getattr(user, "role", "") == Role.ADMINISTRATOR
    )


def has_function(user: Any, function: Function | str) -> bool:
    """True when an active, signed-in ``user`` may use ``function``."""
    if not is_active_user(user):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return Function(function) in functions_of(str(getattr(user, "role", "") or ""))
