"""Load the demo company into the database: one transaction, bulk inserts, idempotent.

A loaded demo is recognised by its customer codes (prefix ``DEMO-C``): loading again is a
no-op that reports ``created=False``. ``reset_database`` empties the whole database (Django's
``flush``) so ``paretocrm demo --reset`` can start over; it is meant for demo databases only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.core.management import call_command
from django.db import transaction

from paretocrm.customers.models.accounts import Customer
from paretocrm.demo import reference as ref
from paretocrm.demo.activity import BLOCK_SIZE, iter_activity
from paretocrm.demo.generator import DemoConfig, generate_company
from paretocrm.demo.writers import Keys, write_block, write_company
from paretocrm.users.models import User

#: Called as ``progress(step, done, total)`` while loading (e.g. to draw a progress bar).
ProgressCallback = Callable[[str, int, int], None]


class DemoError(Exception):
    """The demo company cannot be loaded (the message says why and what to do)."""


@dataclass(slots=True)
class DemoLogin:
    """A demo user's login, printed for the person trying the product."""

    username: str
    role: str
    password: str


@dataclass(slots=True)
class LoadReport:
    """What a load did: ``created`` is False when the demo was already there."""

    created: bool
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)


def demo_is_loaded() -> bool:
    """True when the database already holds the demo company."""
    return Customer.objects.filter(code__startswith=ref.CUSTOMER_CODE_PREFIX).exists()


def demo_logins(seed: int = 42) -> list[DemoLogin]:
    """The demo users and their passwords for ``seed`` (they depend on the seed only)."""
    company = generate_company(DemoConfig(seed=seed, customers=1))
    return [DemoLogin(u.username, u.role, u.password) for u in company.users]


def load_demo_company(
    seed: int = 42,
    customers: int = 300,
    *,
    anchor: date | None = None,
    orders: int | None = None,
    batch_size: int = 5000,
    progress: ProgressCallback | None = None,
) -> LoadReport:
    """Generate the demo company for ``seed`` and write it in one transaction.

    ``anchor`` is the last day of the three-year history (default: today). ``orders``
    rescales purchase rates to about that many orders. Returns a report; when the demo is
    already loaded nothing is written and ``created`` is False. Raises :class:`DemoError`
    when a demo username is taken by a real account.
    """
    if customers < 1:
        raise DemoError(f"--customers must be at least 1 (got {customers}).")
    if orders is not None and orders < 1:
        raise DemoError(f"--orders must be at least 1 (got {orders}).")
    logins = demo_logins(seed)
    if demo_is_loaded():
        return LoadReport(created=False, logins=logins)
    taken = sorted(
        User.objects.filter(username__in=[x.username for x in logins]).values_list(
            "username", flat=True
        )
    )
    if taken:
        raise DemoError(
            f"The database has users named {', '.join(taken)} but no demo company; "
            "use an empty database (PARETOCRM_DATA_DIR or DATABASE_URL) or --reset."
        )
    started = time.perf_counter()
    config = DemoConfig(
        seed=seed, customers=customers, anchor=anchor or date.today(), orders=orders
    )
    notify = progress or (lambda _step, _done, _total: None)
    notify("company", 0, customers)
    company = generate_company(config)
    keys = Keys(batch_size=batch_size)
    with transaction.atomic():
        write_company(company, keys)
        notify("company", customers, customers)
        notify("activity", 0, customers)
        done = 0
        for block in iter_activity(company):
            write_block(block, keys)
            done = min(done + BLOCK_SIZE, customers)
            notify("activity", done, customers)
    return LoadReport(
        created=True,
        seconds=time.perf_counter() - started,
        counts=dict(sorted(keys.counts.items())),
        logins=logins,
    )


def reset_database() -> None:
    """Delete every row of every table (Django ``flush``): for demo databases only."""
    call_command("flush", interactive=False, verbosity=0)
