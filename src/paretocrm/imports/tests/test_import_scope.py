"""IMP-5: an import obeys the importing user's scope and field permissions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from paretocrm.audit.models import AuditEvent
from paretocrm.customers.models import Contact, Customer
from paretocrm.customers.tests.factories import make_customer, make_user
from paretocrm.imports.models import ImportStatus
from paretocrm.imports.services import run_import
from paretocrm.users.choices import Role

pytestmark = pytest.mark.django_db
Writer = Callable[..., Path]


@pytest.fixture
def world() -> dict:
    rep, colleague = make_user(Role.SALES_REP), make_user(Role.SALES_REP)
    kam = make_user(Role.KEY_ACCOUNT_MANAGER)
    return {
        "rep": rep,
        "kam": kam,
        "colleague": colleague,
        "mine": make_customer(owner=kam, code="MINE", name="Mine"),
        "theirs": make_customer(owner=colleague, code="THEIRS", name="Theirs"),
    }


def issues(result) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    return [(i.row, i.column, i.message) for i in result.report.sorted_issues()]


def test_imp5_contacts_for_a_customer_outside_scope_are_refused_and_nothing_written(
    world: dict, write_csv: Writer
) -> None:
    path = write_csv(
        "contacts.csv",
        [
            ["external_id", "customer_code", "name"],
            ["P1", "MINE", "Li Lei"],
            ["P2", "THEIRS", "Han Meimei"],
        ],
    )
    result = run_import("contacts", path, user=world["kam"])
    assert result.status == ImportStatus.REJECTED
    # Worded as for a code that does not exist: the report never tells which codes exist.
    unknown = "unknown customer code 'THEIRS' (not in the file nor in the database)"
    assert issues(result) == [(3, "customer_code", unknown)]
    assert not Contact.objects.exists()
    # Skipping invalid rows writes only the row in scope.
    skipped = run_import("contacts", path, user=world["kam"], skip_invalid=True)
    assert skipped.status == ImportStatus.COMMITTED
    assert list(Contact.objects.values_list("name", flat=True)) == ["Li Lei"]


def test_imp5_updating_a_customer_outside_scope_is_refused(world: dict, write_csv: Writer) -> None:
    path = write_csv(
        "customers.csv", [["code", "name"], ["MINE", "Mine renamed"], ["THEIRS", "Hijacked"]]
    )
    result = run_import("customers", path, user=world["kam"])
    assert result.status == ImportStatus.REJECTED
    assert issues(result) == [(3, "code", "this customer is not in your scope")]
    assert Customer.objects.get(code="THEIRS").name == "Theirs"
    assert Customer.objects.get(code="MINE").name == "Mine"


def test_imp5_owner_outside_the_assignable_users_and_protected_columns_are_refused(
    world: dict, write_csv: Writer
) -> None:
    path = write_csv(
        "customers.csv",
        [
            ["code", "name", "owner", "credit_limit"],
            ["NEW1", "New one", world["colleague"].username, ""],
            ["NEW2", "New two", world["kam"].username, "500000"],
        ],
    )
    result = run_import("customers", path, user=world["kam"], dry_run=True)
    assert issues(result) == [
        (2, "owner", "you may not assign customers to this user"),
        (3, "credit_limit", "only administrators set this"),
    ]
    admin = make_user(Role.ADMINISTRATOR)
    assert run_import("customers", path, user=admin).status == ImportStatus.COMMITTED
    assert Customer.objects.get(code="NEW2").credit_limit == 500000


def test_imp5_a_manager_may_assign_customers_within_the_team_tree_only(
    write_csv: Writer,
) -> None:
    """The owner check is the scope's owner rule: self and the team tree, not a peer team."""
    from paretocrm.users.models import Team

    top = Team.objects.create(name="Key accounts")
    east = Team.objects.create(name="East", parent=top)
    shanghai = Team.objects.create(name="Shanghai", parent=east)
    south = Team.objects.create(name="South", parent=top)
    kam = make_user(Role.KEY_ACCOUNT_MANAGER, east)
    below, peer = make_user(Role.SALES_REP, shanghai), make_user(Role.SALES_REP, south)
    path = write_csv(
        "customers.csv",
        [
            ["code", "name", "owner"],
            ["NEW1", "Below", below.username],
            ["NEW2", "Peer", peer.username],
            ["NEW3", "Self", kam.username],
        ],
    )
    result = run_import("customers", path, user=kam, dry_run=True)
    assert issues(result) == [(3, "owner", "you may not assign customers to this user")]


@pytest.mark.parametrize("role", [Role.KEY_ACCOUNT_ASSISTANT, Role.SALES_REP, Role.MARKETING])
def test_imp5_roles_without_the_import_function_are_refused_and_logged(
    world: dict, write_csv: Writer, role: str
) -> None:
    user = make_user(role)
    path = write_csv("customers.csv", [["code", "name"], ["NEW", "New"]])
    result = run_import("customers", path, user=user)
    assert result.status == ImportStatus.REJECTED
    assert "may not import" in issues(result)[0][2]
    assert not Customer.objects.filter(code="NEW").exists()
    assert AuditEvent.objects.filter(kind="access_denied", actor=user).exists()


def test_imp5_catalogue_imports_are_for_administrators_only(write_csv: Writer) -> None:
    path = write_csv("products.csv", [["sku", "name"], ["P1", "Widget"]])
    result = run_import("products", path, user=make_user(Role.KEY_ACCOUNT_MANAGER))
    assert result.status == ImportStatus.REJECTED
    assert "may not import products" in issues(result)[0][2]


def test_imp5_new_customers_without_an_owner_belong_to_the_importer(
    world: dict, write_csv: Writer
) -> None:
    """A non-administrator's new rows stay in their scope; existing rows keep their owner."""
    from paretocrm.users.models import Team

    team = Team.objects.create(name="East")
    kam, rep = world["kam"], world["rep"]
    kam.team = rep.team = team
    kam.save()
    rep.save()
    mine = world["mine"]
    mine.owner = rep  # in the manager's team scope, owned by someone else
    mine.save()
    assert Customer.objects.visible_to(kam).filter(pk=mine.pk).exists()
    path = write_csv(
        "customers.csv", [["code", "name"], ["NEW1", "New one"], ["MINE", "Mine renamed"]]
    )
    result = run_import("customers", path, user=kam)
    assert result.status == ImportStatus.COMMITTED, issues(result)
    new = Customer.objects.get(code="NEW1")
    assert (new.owner_id, new.team_id) == (kam.pk, kam.team_id)
    assert Customer.objects.visible_to(kam).filter(code="NEW1").exists()
    assert Customer.objects.get(code="MINE").owner_id == rep.pk
    # A blank owner cell is "not given" too: it neither clears an existing owner nor
    # leaves a new customer unowned.
    path = write_csv(
        "customers.csv",
        [["code", "name", "owner"], ["NEW2", "New two", ""], ["MINE", "Mine", ""]],
    )
    assert run_import("customers", path, user=kam).status == ImportStatus.COMMITTED
    assert Customer.objects.get(code="NEW2").owner_id == kam.pk
    assert Customer.objects.get(code="MINE").owner_id == rep.pk


def test_imp5_a_system_import_leaves_new_customers_unowned(write_csv: Writer) -> None:
    path = write_csv("customers.csv", [["code", "name"], ["SYS1", "System load"]])
    assert run_import("customers", path).status == ImportStatus.COMMITTED
    assert Customer.objects.get(code="SYS1").owner_id is None


# The command line (IMP-5): an import runs as a named user or, explicitly, as the system.


def _customers_csv(write_csv: Writer) -> Path:
    return write_csv("customers.csv", [["code", "name"], ["CLI1", "From the shell"]])


def test_imp5_the_import_command_says_who_imports(write_csv: Writer) -> None:
    from django.core.management import CommandError, call_command

    path = _customers_csv(write_csv)
    with pytest.raises(CommandError, match="one of the arguments --user --as-system is required"):
        call_command("import_data", "customers", str(path))
    with pytest.raises(CommandError, match="--user: there is no user named 'nobody'"):
        call_command("import_data", "customers", str(path), user="nobody")
    gone = make_user(Role.KEY_ACCOUNT_MANAGER, is_active=False)
    with pytest.raises(CommandError, match="is deactivated"):
        call_command("import_data", "customers", str(path), user=gone.username)
    assert not Customer.objects.exists()


def test_imp5_the_import_command_on_the_shell_names_the_missing_flag(write_csv: Writer) -> None:
    """Through argparse (as a person types it) the message is one line, no traceback."""
    import subprocess
    import sys

    path = _customers_csv(write_csv)
    done = subprocess.run(
        [sys.executable, "-m", "paretocrm.cli", "import", "customers", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "DATABASE_URL": ""},
    )
    assert done.returncode != 0
    assert "one of the arguments --user --as-system is required" in done.stderr
    assert "Traceback" not in done.stderr


def test_imp5_the_import_command_runs_with_the_users_scope_and_audit(
    world: dict, write_csv: Writer
) -> None:
    from django.core.management import CommandError, call_command

    kam, rep = world["kam"], world["rep"]
    path = _customers_csv(write_csv)
    call_command("import_data", "customers", str(path), user=kam.username)
    assert Customer.objects.get(code="CLI1").owner_id == kam.pk
    event = AuditEvent.objects.get(kind="import")
    assert (event.actor_id, event.detail["system"]) == (kam.pk, False)
    # The user's rights hold: out-of-scope rows are refused, a role without import too.
    theirs = write_csv("theirs.csv", [["code", "name"], ["THEIRS", "Hijacked"]])
    with pytest.raises(CommandError, match="rejected"):
        call_command("import_data", "customers", str(theirs), user=kam.username)
    with pytest.raises(CommandError, match="rejected"):
        call_command("import_data", "customers", str(path), user=rep.username)
    assert AuditEvent.objects.filter(kind="access_denied", actor=rep).exists()
    assert Customer.objects.get(code="THEIRS").name == "Theirs"


def test_imp5_the_import_command_as_system_is_unrestricted_and_audited_as_such(
    world: dict, write_csv: Writer
) -> None:
    from django.core.management import call_command

    path = write_csv("theirs.csv", [["code", "name"], ["THEIRS", "Renamed by the operator"]])
    call_command("import_data", "customers", str(path), as_system=True)
    assert Customer.objects.get(code="THEIRS").name == "Renamed by the operator"
    event = AuditEvent.objects.get(kind="import")
    assert (event.actor_id, event.detail["system"]) == (None, True)
