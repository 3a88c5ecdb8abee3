"""`paretocrm export KIND --user NAME | --as-system` (issue 14, QUALITY.md EXP-2, IMP-5).

The command line exports as someone, like the import: ``--user`` gives the export that
user's export function, record scope, field permissions and masking, and audits it as
theirs; ``--as-system`` is the operator's unrestricted export, audited as one. There is no
silent default.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from paretocrm.audit.models import AuditEvent
from paretocrm.customers.tests.factories import (
    make_contact,
    make_customer,
    make_order,
    make_payment,
    make_user,
)
from paretocrm.users.choices import Role
from paretocrm.users.models import Team

pytestmark = pytest.mark.django_db

PHONE, EMAIL = "13812345678", "li.na@huadong-trade.cn"
NOTE = f"采购经理李娜手机 {PHONE}，周三上午方便"


@pytest.fixture
def book() -> dict:
    """A rep with two accounts, a colleague in another team with one; contacts, orders and
    payments on each, notes with a phone number."""
    east, north = Team.objects.create(name="华东大客户部"), Team.objects.create(name="华北")
    rep = make_user(Role.SALES_REP, team=east, username="wang.fang")
    other = make_user(Role.SALES_REP, team=north, username="zhao.lei")
    mine = [
        make_customer(owner=rep, code="HD001", name="华东贸易有限公司", notes=NOTE,
                      credit_limit="200000.00"),
        make_customer(owner=rep, code="HD002", name="苏州精密机械", credit_limit="50000.00"),
    ]  # fmt: skip
    theirs = make_customer(owner=other, code="HB001", name="天津重工集团", notes=NOTE)
    for customer in (*mine, theirs):
        make_contact(customer, name=f"{customer.name}联系人", phone=PHONE, email=EMAIL, notes=NOTE)
        make_order(customer, lines=[("120", "1899.50", "1200", "0"), ("3", "45000", None, "5")])
        make_payment(customer, "12800.00", dt.date(2026, 11, 3))
    return {"rep": rep, "other": other, "mine": mine, "theirs": theirs}


def export(kind: str, out: Path, *who: str) -> list[dict[str, str]]:
    call_command("export_data", kind, "--out", str(out), *who)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_reps_customer_export_holds_only_their_customers_masked(
    book: dict, tmp_path: Path
) -> None:
    rows = export("customers", tmp_path / "c.csv", "--user", "wang.fang")
    assert sorted(r["code"] for r in rows) == ["HD001", "HD002"]
    notes = {r["code"]: r["notes"] for r in rows}["HD001"]
    assert PHONE not in notes and "138****5678" in notes
    # A sales rep may see credit limits (the role table), so the column is there.
    assert {r["code"]: r["credit_limit"] for r in rows}["HD001"] == "200000.00"


@pytest.mark.parametrize("kind", ["contacts", "orders", "payments"])
def test_every_kind_is_scoped_to_the_user(book: dict, tmp_path: Path, kind: str) -> None:
    rows = export(kind, tmp_path / f"{kind}.csv", "--user", "wang.fang")
    assert rows, kind
    assert {r["customer_code"] for r in rows} == {"HD001", "HD002"}


def test_contact_personal_fields_are_masked_without_view_unmasked(
    book: dict, tmp_path: Path
) -> None:
    rows = export("contacts", tmp_path / "p.csv", "--user", "wang.fang")
    assert len(rows) == 2
    for row in rows:
        assert (row["phone"], row["email"]) == ("138****5678", "l***@huadong-trade.cn")
        assert PHONE not in row["notes"]


def test_marketing_gets_no_credit_limit_column(book: dict, tmp_path: Path) -> None:
    make_user(Role.MARKETING, username="chen.jing")
    rows = export("customers", tmp_path / "m.csv", "--user", "chen.jing")
    assert sorted(r["code"] for r in rows) == ["HB001", "HD001", "HD002"]
    assert "credit_limit" not in rows[0]
    assert all(PHONE not in r["notes"] for r in rows)


def test_the_export_is_audited_as_the_user(book: dict, tmp_path: Path) -> None:
    export("customers", tmp_path / "c.csv", "--user", "wang.fang")
    event = AuditEvent.objects.get(kind="export")
    assert event.actor_id == book["rep"].pk
    assert event.detail["kind"] == "customers"
    assert event.detail["format"] == "csv"
    assert event.detail["system"] is False


def test_a_role_without_export_is_refused_and_the_refusal_logged(
    book: dict, tmp_path: Path
) -> None:
    assistant = make_user(Role.KEY_ACCOUNT_ASSISTANT, username="liu.yang")
    out = tmp_path / "x.csv"
    with pytest.raises(CommandError, match=r"liu\.yang"):
        call_command("export_data", "customers", "--out", str(out), "--user", "liu.yang")
    assert not out.exists()
    assert AuditEvent.objects.filter(kind="access_denied", actor=assistant).exists()
    assert not AuditEvent.objects.filter(kind="export").exists()


def test_as_system_exports_everything_unmasked_and_says_so(book: dict, tmp_path: Path) -> None:
    rows = export("contacts", tmp_path / "all.csv", "--as-system")
    assert len(rows) == 3
    assert {r["phone"] for r in rows} == {PHONE}
    event = AuditEvent.objects.get(kind="export")
    assert event.actor_id is None
    assert event.detail["system"] is True


def test_there_is_no_silent_default_and_bad_users_are_named(book: dict, tmp_path: Path) -> None:
    out = str(tmp_path / "x.csv")
    with pytest.raises(CommandError, match="--user"):
        call_command("export_data", "customers", "--out", out)
    with pytest.raises(CommandError, match="'nobody'"):
        call_command("export_data", "customers", "--out", out, "--user", "nobody")
    book["other"].is_active = False
    book["other"].save()
    with pytest.raises(CommandError, match="deactivated"):
        call_command("export_data", "customers", "--out", out, "--user", "zhao.lei")
