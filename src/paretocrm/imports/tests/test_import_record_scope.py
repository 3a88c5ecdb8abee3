"""Issue 14.1 / IMP-5, AUTHZ-2, AUTHZ-4: an import never reaches a record outside the scope.

Every record an import MATCHES by a key (customer code, contact id, order, invoice and
payment number) or LINKS to (customer, parent customer, the order of an invoice, the invoice
of a payment) is looked up in the importer's scope (``visible_to``, as pages and API do).
The scenarios are generated from the registry of import kinds: a kind added to
``imports.kinds.KINDS`` without a scenario here fails ``test_every_import_kind_has_scenarios``.

Each scenario runs as a key-account specialist (scope: their team) against another team's
records, through the three paths to an import (the service, the web page, the command
line), as a dry run and as a commit that skips invalid rows, and asserts that nothing in the
database changed and that the report names the row and column. A refused LINK gets exactly
the message of a key that does not exist, so the report never tells which keys exist.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from paretocrm.audit.models import FieldChange
from paretocrm.customers.models import Contact, Customer
from paretocrm.customers.tests.factories import (
    make_contact,
    make_customer,
    make_invoice,
    make_order,
    make_user,
)
from paretocrm.imports import background, services
from paretocrm.imports.kinds import KINDS
from paretocrm.imports.models import ImportBatch, ImportStatus
from paretocrm.sales.models import Invoice, Order, OrderLine, Payment, Product
from paretocrm.users.choices import Role
from paretocrm.users.models import Team

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 2)


@pytest.fixture
def world(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """East (the specialist's team) and West (another team) with one record of every kind."""
    settings.DATA_DIR = tmp_path / "data"
    # Web batches run in the calling thread (a thread cannot share the test transaction).
    monkeypatch.setattr(background, "start_import", services.run_batch)
    east, west = Team.objects.create(name="East"), Team.objects.create(name="West")
    specialist = make_user(Role.KEY_ACCOUNT_SPECIALIST, east, username="ka_specialist")
    west_rep, third_rep = make_user(Role.SALES_REP, west), make_user(Role.SALES_REP, west)
    mine = make_customer(owner=specialist, code="MINE", name="Mine")
    also_mine = make_customer(owner=make_user(Role.SALES_REP, east), code="MINE2", name="Mine 2")
    theirs = make_customer(owner=west_rep, code="THEIRS", name="Theirs")
    third = make_customer(owner=third_rep, code="THIRD", name="Third")
    contact = make_contact(
        theirs, external_id="X-THEIRS", name="Wang Wei", phone="13912345678", email="w@t.cn"
    )
    order = make_order(theirs, [("4", "247.49", None, "0")], number="SO-THEIRS")
    make_order(third, number="SO-THIRD")
    invoice = make_invoice(theirs, "989.96", DAY, DAY, number="INV-THEIRS", order=order)
    payment = Payment.objects.create(
        customer=theirs, invoice=invoice, number="PAY-THEIRS", received_on=DAY, amount=100
    )
    Product.objects.create(sku="SKU-1", name="Widget")
    assert not Customer.objects.visible_to(specialist).filter(pk=theirs.pk).exists()
    return {
        "specialist": specialist,
        "mine": mine,
        "also_mine": also_mine,
        "theirs": theirs,
        "contact": contact,
        "order": order,
        "invoice": invoice,
        "payment": payment,
        "tmp": tmp_path,
    }


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row an import may write, to compare before and after."""
    models = (Customer, Contact, Product, Order, OrderLine, Invoice, Payment, FieldChange)
    return {
        m.__name__: sorted(tuple(str(v) for v in r) for r in m._default_manager.values_list())
        for m in models
    }


@dataclass(frozen=True)
class Scenario:
    """A file as the specialist would import it, and the cell that must be refused."""

    name: str
    header: list[str]
    row: list[str]
    column: str
    # A LINK: the out-of-scope key in ``row`` and a key that does not exist, whose message
    # the refusal must repeat word for word (no existence leak).
    out_of_scope_key: str = ""
    missing_key: str = ""
    suffix: str = ".csv"

    def text(self, row: list[str] | None = None) -> str:
        if self.suffix == ".txt":  # CDNOW: whitespace separated, no header
            return " ".join(row or self.row) + "\n"
        return ",".join(self.header) + "\n" + ",".join(row or self.row) + "\n"


SCENARIOS: dict[str, list[Scenario]] = {
    "customers": [
        Scenario("matched code", ["code", "name"], ["THEIRS", "Hijacked"], "code"),
        Scenario(
            "linked parent",
            ["code", "name", "parent_code"],
            ["MINE", "Mine", "THEIRS"],
            "parent_code",
            out_of_scope_key="THEIRS",
            missing_key="NOPE",
        ),
    ],
    "contacts": [
        Scenario(
            "matched contact id",
            ["external_id", "customer_code", "name"],
            ["X-THEIRS", "MINE", "Moved over"],
            "external_id",
        ),
        Scenario(
            "linked customer",
            ["external_id", "customer_code", "name", "email"],
            ["NEW-1", "THEIRS", "Planted", "p@x.cn"],
            "customer_code",
            out_of_scope_key="THEIRS",
            missing_key="NOPE",
        ),
    ],
    # Company-wide catalogue: administrators only (the kind is refused as a whole).
    "products": [Scenario("catalogue", ["sku", "name"], ["SKU-1", "Renamed"], "")],
    "orders": [
        Scenario(
            "matched order number",
            ["number", "customer_code", "ordered_at", "quantity", "unit_price"],
            ["SO-THEIRS", "MINE", "2026-11-01", "1", "0.01"],
            "number",
        ),
        Scenario(
            "linked customer",
            ["number", "customer_code", "ordered_at", "quantity", "unit_price"],
            ["SO-NEW", "THEIRS", "2026-11-01", "1", "0.01"],
            "customer_code",
            out_of_scope_key="THEIRS",
            missing_key="NOPE",
        ),
    ],
    "invoices": [
        Scenario(
            "matched invoice number",
            ["number", "customer_code", "issued_on", "amount"],
            ["INV-THEIRS", "MINE", "2026-11-01", "1"],
            "number",
        ),
        Scenario(
            "linked order",
            ["number", "customer_code", "order_number", "issued_on", "amount"],
            ["INV-NEW", "MINE", "SO-THIRD", "2026-11-01", "1"],
            "order_number",
            out_of_scope_key="SO-THIRD",
            missing_key="SO-NOPE",
        ),
        Scenario(
            "linked customer",
            ["number", "customer_code", "issued_on", "amount"],
            ["INV-NEW", "THEIRS", "2026-11-01", "1"],
            "customer_code",
            out_of_scope_key="THEIRS",
            missing_key="NOPE",
        ),
    ],
    "payments": [
        Scenario(
            "matched payment number",
            ["number", "customer_code", "received_on", "amount"],
            ["PAY-THEIRS", "MINE", "2026-11-01", "100"],
            "number",
        ),
        Scenario(
            "linked invoice",
            ["number", "customer_code", "invoice_number", "received_on", "amount"],
            ["PAY-NEW", "MINE", "INV-THEIRS", "2026-11-01", "1"],
            "invoice_number",
            out_of_scope_key="INV-THEIRS",
            missing_key="INV-NOPE",
        ),
        Scenario(
            "linked customer",
            ["number", "customer_code", "received_on", "amount"],
            ["PAY-NEW", "THEIRS", "2026-11-01", "1"],
            "customer_code",
            out_of_scope_key="THEIRS",
            missing_key="NOPE",
        ),
    ],
    # CDNOW creates customers and orders from the file: administrators only.
    "cdnow": [Scenario("transactions", [], ["1", "19970101", "1", "0.01"], "", suffix=".txt")],
}

PATHS = ("service", "web", "cli")


def _cases() -> list[Any]:
    return [
        pytest.param(kind, scenario, path, id=f"{kind}-{scenario.name}-{path}")
        for kind in sorted(KINDS)
        for scenario in SCENARIOS.get(kind, [Scenario("MISSING", [], [], "")])
        for path in PATHS
    ]


def test_every_import_kind_has_scenarios() -> None:
    """A new import kind must say how it is kept inside the importer's scope."""
    assert set(SCENARIOS) == set(KINDS)


def _write(world: dict[str, Any], scenario: Scenario, row: list[str] | None = None) -> Path:
    # CDNOW reads .txt or .csv (the web page takes .csv only); both are whitespace separated.
    suffix = ".csv" if scenario.suffix == ".txt" else scenario.suffix
    path = world["tmp"] / f"upload-{len(list(world['tmp'].iterdir()))}{suffix}"
    path.write_text(scenario.text(row), encoding="utf-8")
    return path


def _issues(batch: ImportBatch) -> list[tuple[int, str, str]]:
    return [(i["row"], i["column"], i["message"]) for i in (batch.report or {}).get("issues", [])]


def _run(path_kind: str, kind: str, file: Path, user: Any, *, dry_run: bool) -> ImportBatch:
    """Import ``file`` through one path (dry run, or commit skipping invalid rows)."""
    before = set(ImportBatch.objects.values_list("pk", flat=True))
    if path_kind == "service":
        services.run_import(kind, file, user=user, dry_run=dry_run, skip_invalid=not dry_run)
    elif path_kind == "cli":
        options = {"user": user.username, "dry_run": dry_run, "skip_invalid": not dry_run}
        with contextlib.suppress(CommandError):  # a rejected file; the batch holds the report
            call_command("import_data", kind, str(file), **options)
    else:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        upload = SimpleUploadedFile(file.name, file.read_bytes())
        response = client.post(
            reverse("imports:page"), {"kind": kind, "encoding": "utf-8", "file": upload}
        )
        assert response.status_code == 302, response.content.decode()[-3000:]
        checked = ImportBatch.objects.exclude(pk__in=before).get()
        if not dry_run:
            before.add(checked.pk)
            client.post(reverse("imports:commit", args=[checked.pk]), {"skip_invalid": "on"})
            # A dry run refused as a whole (a role that may not import the kind) cannot be
            # committed at all: its report is the answer.
            return ImportBatch.objects.exclude(pk__in=before).first() or checked
    return ImportBatch.objects.exclude(pk__in=before).get()


@pytest.mark.parametrize(("kind", "scenario", "path_kind"), _cases())
def test_an_import_never_matches_or_links_a_record_outside_the_scope(
    world: dict[str, Any], kind: str, scenario: Scenario, path_kind: str
) -> None:
    user = world["specialist"]
    file = _write(world, scenario)
    before = snapshot()
    for dry_run in (True, False):
        batch = _run(path_kind, kind, file, user, dry_run=dry_run)
        issues = _issues(batch)
        assert snapshot() == before, f"{kind} {scenario.name}: dry_run={dry_run} wrote data"
        cell = (2, scenario.column) if scenario.column else (0, "")  # "": the kind as a whole
        refused = [i for i in issues if i[:2] == cell]
        assert refused, f"{kind} {scenario.name}: no error on the cell: {issues}"
        assert batch.status != ImportStatus.COMMITTED or batch.skipped == 1, issues
        if scenario.out_of_scope_key:
            row = [scenario.missing_key if v == scenario.out_of_scope_key else v
                   for v in scenario.row]  # fmt: skip
            missing = services.run_import(kind, _write(world, scenario, row), user=user,
                                          dry_run=True)  # fmt: skip
            expected = [
                i.message.replace(repr(scenario.missing_key), repr(scenario.out_of_scope_key))
                for i in missing.report.sorted_issues()
                if (i.row, i.column) == (2, scenario.column)
            ]
            assert [i[2] for i in refused] == expected, "the refusal tells that the key exists"


def test_an_out_of_scope_payment_number_does_not_tell_its_values(world: dict[str, Any]) -> None:
    """The ledger check (re-imported payments must be identical) compares in scope only."""
    scenario = SCENARIOS["payments"][0]
    result = services.run_import(
        "payments", _write(world, scenario), user=world["specialist"], dry_run=True
    )
    messages = [i.message for i in result.report.sorted_issues()]
    assert messages == ["this payment number is not in your scope"]


# --- Moves between customers the importer sees stay allowed -------------------------------


def test_a_contact_and_an_order_may_move_between_two_customers_in_scope(
    world: dict[str, Any], write_csv: Callable[..., Path]
) -> None:
    user, mine, also_mine = world["specialist"], world["mine"], world["also_mine"]
    contact = make_contact(mine, external_id="X-MINE", name="Li Lei")
    order = make_order(mine, number="SO-MINE")
    contacts = write_csv(
        "c.csv", [["external_id", "customer_code", "name"], ["X-MINE", "MINE2", "Li Lei"]]
    )
    result = services.run_import("contacts", contacts, user=user)
    assert result.status == ImportStatus.COMMITTED, result.report.sorted_issues()
    orders = write_csv(
        "o.csv",
        [
            ["number", "customer_code", "ordered_at", "quantity", "unit_price"],
            ["SO-MINE", "MINE2", "2026-11-01", "1", "100"],
        ],
    )
    result = services.run_import("orders", orders, user=user)
    assert result.status == ImportStatus.COMMITTED, result.report.sorted_issues()
    contact.refresh_from_db()
    order.refresh_from_db()
    assert contact.customer_id == order.customer_id == also_mine.pk


def test_an_invoice_may_not_point_at_another_customers_order(
    world: dict[str, Any], write_csv: Callable[..., Path]
) -> None:
    """As on the API (InvoiceSerializer.validate): the order is the invoice customer's."""
    make_order(world["also_mine"], number="SO-MINE2")
    path = write_csv(
        "i.csv",
        [
            ["number", "customer_code", "order_number", "issued_on", "amount"],
            ["INV-1", "MINE", "SO-MINE2", "2026-11-01", "10"],
        ],
    )
    result = services.run_import("invoices", path, user=world["specialist"])
    assert result.status == ImportStatus.REJECTED
    assert [(i.row, i.column, i.message) for i in result.report.sorted_issues()] == [
        (2, "order_number", "belongs to another customer")
    ]
    assert not Invoice.objects.filter(number="INV-1").exists()


# --- Updates through an import write field history like page and API edits ----------------


def _history(obj: Any) -> dict[str, tuple[str | None, str | None, str, int | None]]:
    return {
        c.field: (c.old_value, c.new_value, c.channel, c.actor_id)
        for c in FieldChange.objects.for_object(obj)
    }


def test_import_updates_write_field_history(
    world: dict[str, Any], write_csv: Callable[..., Path]
) -> None:
    user, mine = world["specialist"], world["mine"]
    contact = make_contact(mine, external_id="X-MINE", name="Li Lei", phone="13900001111")
    order = make_order(mine, number="SO-MINE", status="confirmed")
    invoice = make_invoice(mine, "50", DAY, DAY, number="INV-MINE")
    files = {
        "customers": [["code", "name", "region"], ["MINE", "Mine renamed", "East"]],
        "contacts": [
            ["external_id", "customer_code", "name", "phone"],
            ["X-MINE", "MINE", "Li Lei", "13900002222"],
        ],
        "orders": [
            ["number", "customer_code", "ordered_at", "status", "quantity", "unit_price"],
            ["SO-MINE", "MINE", "2026-11-01", "shipped", "1", "100"],
        ],
        "invoices": [
            ["number", "customer_code", "issued_on", "amount"],
            ["INV-MINE", "MINE", DAY.isoformat(), "75"],
        ],
    }
    for kind, rows in files.items():
        result = services.run_import(kind, write_csv(f"{kind}.csv", rows), user=user)
        assert result.status == ImportStatus.COMMITTED, result.report.sorted_issues()
        assert result.counts.updated == 1, kind
    assert _history(mine)["name"] == ("Mine", "Mine renamed", "import", user.pk)
    assert _history(mine)["region"][1:] == ("East", "import", user.pk)
    assert _history(contact)["phone"] == ("139****1111", "139****2222", "import", user.pk)
    assert _history(order)["status"] == ("confirmed", "shipped", "import", user.pk)
    # The lines are replaced (100 x 1 -> 1 x 100 here: same revenue); see the next test.
    assert "revenue" not in _history(order)
    old, new, *who = _history(invoice)["amount"]
    assert (Decimal(str(old)), Decimal(str(new)), *who) == (50, 75, "import", user.pk)
    # History is written for what changed only: a second identical import adds nothing.
    count = FieldChange.objects.count()
    for kind, rows in files.items():
        services.run_import(kind, write_csv(f"{kind}.csv", rows), user=user)
    assert FieldChange.objects.count() == count
    assert Decimal(Invoice.objects.get(number="INV-MINE").amount) == Decimal("75")


def test_an_invoice_keeps_its_order_so_it_cannot_move_to_another_customer_without_it(
    world: dict[str, Any], write_csv: Callable[..., Path]
) -> None:
    """Without an order column the stored order stays: the new customer must own it too."""
    order = make_order(world["mine"], number="SO-MINE")
    make_invoice(world["mine"], "50", DAY, DAY, number="INV-MINE", order=order)
    path = write_csv(
        "i.csv",
        [
            ["number", "customer_code", "issued_on", "amount"],
            ["INV-MINE", "MINE2", "2026-11-01", "50"],
        ],
    )
    result = services.run_import("invoices", path, user=world["specialist"])
    assert [(i.row, i.column, i.message) for i in result.report.sorted_issues()] == [
        (2, "customer_code", "belongs to another customer")
    ]
    assert Invoice.objects.get(number="INV-MINE").customer_id == world["mine"].pk


def test_the_commit_checks_the_scope_again(world: dict[str, Any]) -> None:
    """A record that left the importer's scope after the dry run is refused by the commit."""
    user, mine = world["specialist"], world["mine"]
    contact = make_contact(mine, external_id="X-MINE", name="Li Lei")
    scenario = Scenario(
        "own", ["external_id", "customer_code", "name"], ["X-MINE", "MINE", "New"], ""
    )
    file = _write(world, scenario)
    checked = _run("web", "contacts", file, user, dry_run=True)
    assert checked.status == ImportStatus.VALIDATED and checked.errors == 0
    mine.owner = world["theirs"].owner  # transferred to the other team meanwhile
    mine.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    client.post(reverse("imports:commit", args=[checked.pk]))
    commit = ImportBatch.objects.get(checked_batch=checked)
    assert commit.status == ImportStatus.REJECTED
    assert {i[:2] for i in _issues(commit)} == {(2, "external_id"), (2, "customer_code")}
    contact.refresh_from_db()
    assert contact.name == "Li Lei"


def test_a_parent_created_in_a_skipped_row_fails_the_commit_cleanly(
    world: dict[str, Any], write_csv: Callable[..., Path]
) -> None:
    """Skipping an invalid parent row leaves its child pointing nowhere: nothing is written."""
    path = write_csv(
        "c.csv",
        [["code", "name", "parent_code"], ["NEWP", "", ""], ["CHILD", "Child", "NEWP"]],
    )
    result = services.run_import("customers", path, user=world["specialist"], skip_invalid=True)
    assert result.status == ImportStatus.FAILED
    failure = [i.message for i in result.report.sorted_issues() if i.row == 0]
    assert len(failure) == 1 and "NEWP" in failure[0], failure
    assert not Customer.objects.filter(code__in=["NEWP", "CHILD"]).exists()


def test_an_owner_is_an_active_member_of_staff(
    world: dict[str, Any], write_csv: Callable[..., Path]
) -> None:
    """Portal logins and deactivated users are no owners, even for an administrator: the
    owner column reads them as unknown user names (issue 14.2/14.4: staff only)."""
    portal = make_user(Role.PORTAL_CUSTOMER, username="buyer@customer.cn")
    gone = make_user(Role.SALES_REP, username="gone", is_active=False)
    path = write_csv(
        "c.csv",
        [
            ["code", "name", "owner"],
            ["NEW1", "New one", portal.username],
            ["NEW2", "New two", gone.username],
        ],
    )
    result = services.run_import("customers", path, user=make_user(Role.ADMINISTRATOR))
    assert [(i.row, i.column, i.message) for i in result.report.sorted_issues()] == [
        (2, "owner", "unknown user name 'buyer@customer.cn' (not in the file nor in the database)"),
        (3, "owner", "unknown user name 'gone' (not in the file nor in the database)"),
    ]
    assert not Customer.objects.filter(code__in=["NEW1", "NEW2"]).exists()


def test_replacing_an_orders_lines_records_its_revenue_in_the_history(
    world: dict[str, Any], write_csv: Callable[..., Path]
) -> None:
    """Lines are no field of the order: the change of their sum is recorded instead."""
    user = world["specialist"]
    order = make_order(world["mine"], [("4", "247.49", None, "0")], number="SO-MINE")
    path = write_csv(
        "o.csv",
        [
            ["number", "customer_code", "ordered_at", "quantity", "unit_price"],
            ["SO-MINE", "MINE", order.ordered_at.strftime("%Y-%m-%d %H:%M:%S"), "1", "0.01"],
        ],
    )
    result = services.run_import("orders", path, user=user)
    assert result.status == ImportStatus.COMMITTED, result.report.sorted_issues()
    assert _history(order)["revenue"] == ("989.96", "0.01", "import", user.pk)
