"""Portal logins in the demo company: one contact per core customer (issue 8).

Core customers are the ``core`` tier of the current score snapshot; before any scoring run
the ten largest demo customers by code stand in. Passwords are derived from the seed and
the user name, so ``paretocrm demo`` can print them again later without storing them.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from paretocrm.core.choices import CustomerTier
from paretocrm.customers.models import Customer
from paretocrm.demo import reference as ref
from paretocrm.demo.generator import PASSWORD_WORDS, rng_for
from paretocrm.demo.services import DemoLogin
from paretocrm.insights.models import CustomerScore
from paretocrm.portal.models import PortalAccount
from paretocrm.users.choices import Role
from paretocrm.users.models import User

#: Stand-ins for core customers when the demo has not been scored.
FALLBACK_CUSTOMERS = 10


def portal_password(seed: int, username: str) -> str:
    """The demo password of a portal login (reproducible from the seed)."""
    rng = rng_for(seed, "portal", username)
    words = rng.choice(PASSWORD_WORDS, size=2, replace=False)
    return f"{words[0]}-{words[1]}-{int(rng.integers(1000, 10000))}"


def core_demo_customers() -> list[Customer]:
    """Demo customers in the core tier now (or the fallback before scoring)."""
    demo = Customer.objects.filter(code__startswith=ref.CUSTOMER_CODE_PREFIX)
    core_ids = CustomerScore.objects.current().filter(tier=CustomerTier.CORE).values("customer_id")
    core = list(demo.filter(pk__in=core_ids).order_by("code"))
    return core or list(demo.order_by("code")[:FALLBACK_CUSTOMERS])


def grant_portal_access(seed: int) -> list[DemoLogin]:
    """Give the most influential contact with an e-mail of each core customer a login."""
    for customer in core_demo_customers():
        if PortalAccount.objects.filter(contact__customer=customer).exists():
            continue
        contact = (
            customer.contacts.filter(is_active=True)
            .exclude(email="")
            .order_by("-influence", "id")
            .first()
        )
        if contact is None:
            continue
        username = contact.email.strip().lower()
        if User.objects.filter(username__iexact=username).exists():
            continue  # an address shared by two demo contacts: the first one keeps it
        user = User(
            username=username,
            email=username,
            first_name=contact.name[:150],
            role=Role.PORTAL_CUSTOMER,
        )
        user.set_password(portal_password(seed, username))
        user.save()
        PortalAccount.objects.create(user=user, contact=contact)
    return demo_portal_logins(seed)


def demo_portal_logins(seed: int) -> list[DemoLogin]:
    """The demo's portal logins with their passwords, by customer."""
    accounts = (
        PortalAccount.objects.filter(
            contact__customer__code__startswith=ref.CUSTOMER_CODE_PREFIX, is_active=True
        )
        .select_related("user", "contact__customer")
        .order_by("contact__customer__code")
    )
    return [
        DemoLogin(
            account.user.username,
            f"{Role.PORTAL_CUSTOMER.value} · {account.contact.customer.name}",
            portal_password(seed, account.user.username),
        )
        for account in accounts
    ]


def print_portal_logins(console: Console, logins: list[DemoLogin]) -> None:
    """The portal logins as a table (one per core customer)."""
    if not logins:
        return
    table = Table(title="Customer portal logins (one contact per core customer)")
    # Usernames and passwords are typed in: never shortened with an ellipsis on a narrow
    # terminal (the customer column wraps instead).
    table.add_column("username", no_wrap=True, min_width=max(len(x.username) for x in logins))
    table.add_column("customer")
    table.add_column("password", no_wrap=True, min_width=max(len(x.password) for x in logins))
    for login in logins:
        table.add_row(login.username, login.role, login.password)
    console.print(table)
