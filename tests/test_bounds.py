"""Issue 14, findings 3 and 6: one absurd value must not take pages and scoring down, and the
money rules hold on every path (QUALITY.md input validation; bounds in core.bounds)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from paretocrm.customers.tests.factories import (
    make_customer,
    make_invoice,
    make_order,
    make_payment,
)
from paretocrm.imports import validation as check
from paretocrm.imports.services import run_import
from paretocrm.insights import services as scoring
from paretocrm.insights.choices import RunStatus
from paretocrm.insights.models import CustomerScore, ScoreRun
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.sales import services as sales
from paretocrm.sales.models import Invoice, Order, OrderLine, Payment
from paretocrm.users.choices import Role
from paretocrm.work.services import TaskError, set_target
from tests.api_samples import TODAY, new_user

ABSURD = "99999999999"
AS_OF = dt.date(2025, 6, 30)


def api_client(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def page_client(user: object) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def small_company(owner: object) -> list:
    """Twelve customers with a few ordinary orders each over the last year and a half."""
    customers = []
    for n in range(12):
        customer = make_customer(owner=owner)
        for k in range(1 + n % 4):
            day = AS_OF - dt.timedelta(days=30 + 45 * k + 7 * n)
            make_order(customer, [("2", str(100 + 10 * n), "60", "0")], ordered_at=_at(day))
        customers.append(customer)
    return customers


def absurd_order(customer: object, day: dt.datetime | None = None) -> Order:
    """The finding's order, written past every check (as an old database may hold it)."""
    order = Order.objects.create(
        customer=customer,
        number="SO-ABSURD",
        ordered_at=day or dt.datetime(1, 1, 1, tzinfo=dt.UTC),
    )
    OrderLine.objects.create(
        order=order, line_number=1, quantity=Decimal(ABSURD), unit_price=Decimal(ABSURD)
    )
    return order


PAGES = ("insights:dashboard", "customers:list", "insights:core_customers", "work:concentration")


def assert_pages_answer(users: list, customer: object) -> None:
    """Every page the finding saw fail answers 200 (the concentration report is for roles
    with full scope only, 403 to the others by design)."""
    for user in users:
        client = page_client(user)
        for name in PAGES:
            status = client.get(reverse(name)).status_code
            assert status == 200 or (name == "work:concentration" and status == 403), name
        assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200


# --- finding 3: the API refuses the absurd order --------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("line", "ordered_at", "field"),
    [
        ({"quantity": ABSURD, "unit_price": ABSURD}, "2025-06-01T08:00:00Z", "quantity"),
        ({"quantity": "1", "unit_price": "2000000000000"}, "2025-06-01T08:00:00Z", "unit_price"),
        ({"quantity": "1000000", "unit_price": "10000000"}, "2025-06-01T08:00:00Z", "unit_price"),
        ({"quantity": "1", "unit_price": "1"}, "0001-01-01T00:00:00Z", "ordered_at"),
        ({"quantity": "1", "unit_price": "1"}, "9999-12-31T23:59:59Z", "ordered_at"),
    ],
)
def test_api_refuses_an_order_out_of_the_business_range(line, ordered_at, field) -> None:
    user = new_user(Role.SALES_REP)
    customer = make_customer(owner=user)
    body = {"customer": customer.pk, "number": "SO-B1", "ordered_at": ordered_at, "lines": [line]}
    response = api_client(user).post(reverse("order-list"), body, format="json")
    assert response.status_code == 400, response.content
    assert field in str(response.json())
    assert not Order.objects.exists()


# --- finding 3: scoring and the pages that read it ------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("year_one", [True, False], ids=["year-one", "recent"])
def test_scoring_skips_a_customer_with_absurd_values_and_names_it(year_one) -> None:
    """SQLite stored the absurd revenue and every page read it back as InvalidOperation;
    PostgreSQL failed the run with 'numeric field overflow'. Now the customer is left out
    with a note naming it, the run succeeds and the pages answer."""
    owner = new_user(Role.KEY_ACCOUNT_MANAGER)
    customers = small_company(owner)
    bad = customers[0]
    absurd_order(bad, None if year_one else _at(AS_OF - dt.timedelta(days=3)))
    run = scoring.run_scoring(as_of=AS_OF)
    assert run.status == RunStatus.SUCCEEDED
    assert not CustomerScore.objects.filter(run=run, customer=bad).exists()
    assert CustomerScore.objects.filter(run=run).count() == len(customers) - 1
    assert any(bad.code in note for note in run.overview["notes"]), run.overview["notes"]
    assert_pages_answer([owner, new_user(Role.GENERAL_MANAGER)], bad)


@pytest.mark.django_db
@pytest.mark.parametrize("bad_is_current", [True, False], ids=["current", "history"])
def test_pages_survive_a_stored_run_with_values_the_columns_cannot_hold(bad_is_current) -> None:
    """A run stored before the bounds (SQLite keeps any number) must not break a page that
    reads history: dashboard, lists, concentration and the 360 page's tier history."""
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite stores a number its column cannot hold")
    owner = new_user(Role.KEY_ACCOUNT_MANAGER)
    customer = make_customer(owner=owner)
    make_order(customer)
    old = make_run()
    make_score(old, customer)
    if not bad_is_current:
        make_score(make_run(), customer)
    with connection.cursor() as cursor:  # what the absurd order left behind
        cursor.execute(
            "UPDATE insights_customerscore SET revenue = 9.9999999999e21, "
            "gross_profit = 9.9999999999e21, net_profit = 9.9999999999e21, "
            "clv = 9.9999999999e21, value_at_risk = 9.9999999999e21 WHERE run_id = %s",
            [old.pk],
        )
    assert_pages_answer([owner, new_user(Role.GENERAL_MANAGER)], customer)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("year_one", [True, False], ids=["year-one", "recent"])
def test_scoring_on_postgresql_is_not_stopped_by_one_absurd_order(year_one) -> None:
    """On PostgreSQL every run failed with 'numeric field overflow' until the order went."""
    if connection.vendor != "postgresql":
        pytest.skip("numeric overflow is PostgreSQL's; the PG pass runs this")
    owner = new_user(Role.KEY_ACCOUNT_MANAGER)
    customers = small_company(owner)
    absurd_order(customers[3], None if year_one else _at(AS_OF - dt.timedelta(days=3)))
    run = scoring.run_scoring(as_of=AS_OF)
    assert run.status == RunStatus.SUCCEEDED
    assert ScoreRun.objects.current() == run
    assert run.customers_scored == len(customers) - 1


# --- finding 3: date filters out of range ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "parameter"),
    [
        ("order-list", "ordered_after"),
        ("order-list", "ordered_before"),
        ("case-list", "opened_after"),
        ("case-list", "opened_before"),
        ("invoice-list", "due_after"),
        ("payment-list", "received_before"),
        ("opportunity-list", "close_after"),
        ("contract-list", "ends_before"),
    ],
)
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_date_filter_out_of_range_is_a_400_naming_the_parameter(route, parameter, value) -> None:
    user = new_user(Role.SALES_REP)
    response = api_client(user).get(reverse(route), {parameter: value})
    assert response.status_code == 400, response.content
    assert parameter in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end"), [("0001-01-01", "9999-12-31"), ("2025-01-01", "9999-12-31")]
)
def test_scorecard_dates_out_of_range_are_a_form_error(start, end) -> None:
    manager = new_user(Role.KEY_ACCOUNT_MANAGER)
    client = page_client(manager)
    response = client.get(reverse("work:scorecards"), {"start": start, "end": end})
    assert response.status_code == 200
    assert b"start: " in response.content or b"end: " in response.content
    assert b"outside the accepted dates" in response.content
    export = client.get(reverse("work:scorecards_export"), {"start": start, "end": end})
    assert export.status_code in (302, 400)


# --- finding 6: an invoice is never below what has been paid --------------------------------


@pytest.mark.django_db
def test_invoice_amount_cannot_go_below_what_is_paid() -> None:
    user = new_user(Role.SALES_REP)
    customer = make_customer(owner=user)
    invoice = make_invoice(customer, "4365.32", TODAY, TODAY + dt.timedelta(days=30))
    make_payment(customer, "4365.32", TODAY, invoice=invoice)
    Invoice.objects.filter(pk=invoice.pk).update(status="paid")
    client = api_client(user)
    url = reverse("invoice-detail", args=[invoice.pk])
    etag = client.get(url)["ETag"]
    response = client.patch(url, {"amount": "0.01"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 400, response.content
    assert "amount" in response.json()
    invoice.refresh_from_db()
    assert (invoice.amount, invoice.status) == (Decimal("4365.32"), "paid")
    raised = client.patch(url, {"amount": "5000.00"}, format="json", HTTP_IF_MATCH=etag)
    assert raised.status_code == 200, raised.content
    invoice.refresh_from_db()
    assert invoice.status == "issued"  # money is open again: the ledger decides


# --- every write path refuses out-of-range values, naming the field (Hypothesis) ------------

FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
#: Dates outside 1900-01-01..2100-12-31 (the default business dates).
far_dates = st.one_of(
    st.dates(max_value=dt.date(1899, 12, 31)), st.dates(min_value=dt.date(2101, 1, 1))
)
#: Amounts above the largest accepted amount (10^12) that the API still parses.
huge_amounts = st.decimals(
    min_value=Decimal("1000000000000.01"), max_value=Decimal("9999999999999999.99"), places=2
)
#: Quantities above the largest accepted quantity (10^9).
huge_quantities = st.decimals(
    min_value=Decimal("1000000000.0001"), max_value=Decimal("99999999999999.9999"), places=4
)


@pytest.fixture
def seller(db) -> tuple:
    user = new_user(Role.SALES_REP)
    return user, make_customer(owner=user), api_client(user)


def _order_body(customer_id: int, **changes: object) -> dict:
    line = {"quantity": "2", "unit_price": "100.00", "unit_cost": "60.00"}
    line.update({k: v for k, v in changes.items() if k in line})
    body = {"customer": customer_id, "number": "SO-FUZZ", "lines": [line]}
    body["ordered_at"] = changes.get("ordered_at", "2025-06-01T08:00:00Z")
    return body


def _refused(response: object, field: str) -> None:
    assert response.status_code == 400, response.content
    assert field in str(response.json()), response.json()


@pytest.mark.django_db
@FUZZ
@given(day=far_dates, quantity=huge_quantities, amount=huge_amounts)
def test_api_order_create_refuses_out_of_range_values(seller, day, quantity, amount) -> None:
    _user, customer, client = seller
    url = reverse("order-list")
    stamp = f"{day.isoformat()}T08:00:00Z"
    _refused(client.post(url, _order_body(customer.pk, ordered_at=stamp), format="json"),
             "ordered_at")  # fmt: skip
    body = _order_body(customer.pk, quantity=str(quantity))
    _refused(client.post(url, body, format="json"), "quantity")
    for field in ("unit_price", "unit_cost"):
        body = _order_body(customer.pk, **{field: str(amount)})
        _refused(client.post(url, body, format="json"), field)
    assert not Order.objects.exists() and not OrderLine.objects.exists()


@pytest.mark.django_db
@FUZZ
@given(day=far_dates)
def test_api_order_update_refuses_an_out_of_range_date(seller, day) -> None:
    _user, customer, client = seller
    order = make_order(customer, ordered_at=_at(AS_OF))
    url = reverse("order-detail", args=[order.pk])
    etag = client.get(url)["ETag"]
    stamp = f"{day.isoformat()}T08:00:00Z"
    _refused(client.patch(url, {"ordered_at": stamp}, format="json", HTTP_IF_MATCH=etag),
             "ordered_at")  # fmt: skip
    order.refresh_from_db()
    assert order.ordered_at == _at(AS_OF)


@pytest.mark.django_db
@FUZZ
@given(day=far_dates, amount=huge_amounts)
def test_api_invoice_create_and_update_refuse_out_of_range_values(seller, day, amount) -> None:
    _user, customer, client = seller
    body = {"customer": customer.pk, "number": "INV-FUZZ", "issued_on": str(TODAY),
            "due_on": str(TODAY), "amount": "100.00"}  # fmt: skip
    url = reverse("invoice-list")
    _refused(client.post(url, {**body, "amount": str(amount)}, format="json"), "amount")
    far = {**body, "issued_on": str(day), "due_on": str(max(day, TODAY))}
    _refused(client.post(url, far, format="json"), "issued_on")
    assert not Invoice.objects.filter(number="INV-FUZZ").exists()
    invoice = make_invoice(customer, "100.00", TODAY, TODAY)
    detail = reverse("invoice-detail", args=[invoice.pk])
    etag = client.get(detail)["ETag"]
    for change, field in (({"amount": str(amount)}, "amount"), ({"due_on": str(day)}, "due_on")):
        _refused(client.patch(detail, change, format="json", HTTP_IF_MATCH=etag), field)
    invoice.refresh_from_db()
    assert (invoice.amount, invoice.due_on) == (Decimal("100.00"), TODAY)


@pytest.mark.django_db
@FUZZ
@given(day=far_dates, amount=huge_amounts)
def test_api_payment_create_refuses_out_of_range_values(seller, day, amount) -> None:
    _user, customer, client = seller
    body = {"customer": customer.pk, "number": "PAY-FUZZ", "received_on": str(TODAY),
            "amount": "10.00"}  # fmt: skip
    url = reverse("payment-list")
    _refused(client.post(url, {**body, "amount": str(amount)}, format="json"), "amount")
    _refused(client.post(url, {**body, "received_on": str(day)}, format="json"), "received_on")
    assert not Payment.objects.exists()


@pytest.mark.django_db
@FUZZ
@given(day=far_dates, amount=huge_amounts)
def test_services_refuse_out_of_range_values_naming_the_field(seller, day, amount) -> None:
    """The services every path ends in (API, pages, CLI) refuse the same values."""
    _user, customer, _client = seller
    with pytest.raises(ValidationError) as refused:
        sales.create_order(
            customer=customer, number="SO-SVC", ordered_at=_at(day),
            lines=[{"quantity": Decimal(1), "unit_price": amount}],
        )  # fmt: skip
    assert {"ordered_at", "lines"} <= set(refused.value.message_dict)
    with pytest.raises(ValidationError) as refused:
        sales.record_payment(customer=customer, number="P-SVC", received_on=day, amount=amount)
    assert {"received_on", "amount"} <= set(refused.value.message_dict)
    invoice = make_invoice(customer, "10.00", TODAY, TODAY)
    with pytest.raises(ValidationError, match="outside"):
        sales.update_invoice(invoice, amount=amount)
    manager = new_user(Role.KEY_ACCOUNT_MANAGER)
    with pytest.raises(TaskError, match="period_start"):
        set_target(manager=manager, period_start=day, period_end=day, revenue_target="100")
    with pytest.raises(TaskError, match="revenue_target"):
        set_target(manager=manager, period_start=TODAY, period_end=TODAY,
                   revenue_target=str(amount))  # fmt: skip
    assert not Order.objects.exists() and not Payment.objects.exists()


@pytest.mark.django_db
@FUZZ
@given(day=far_dates)
def test_pages_refuse_out_of_range_dates_naming_the_parameter(day) -> None:
    """Page forms: the scorecard period (GET) and a manager's target (POST)."""
    client = page_client(new_user(Role.GENERAL_MANAGER))
    page = client.get(reverse("work:scorecards"), {"start": str(day), "end": "2025-01-31"})
    assert page.status_code == 200 and b"start: " in page.content
    manager = new_user(Role.KEY_ACCOUNT_MANAGER)
    posted = client.post(
        reverse("work:scorecards"),
        {
            "manager": manager.pk,
            "period_start": str(day),
            "period_end": "2025-01-31",
            "revenue_target": "100",
        },
        follow=True,
    )
    assert posted.status_code == 200 and b"period_start: " in posted.content


@FUZZ
@given(
    day=far_dates,
    quantity=huge_quantities,
    amount=huge_amounts,
)
def test_import_checks_refuse_out_of_range_values_naming_the_column(day, quantity, amount) -> None:
    """Every import kind parses its dates and numbers with these checks."""
    report = check.Report("fuzz.csv")
    rows = pd.Series([str(day), day.strftime("%Y/%m/%d"), "2025-06-01"], index=[2, 3, 4])
    parsed = check.date(rows, "ordered_at", report)
    assert report.invalid_rows == {2, 3} and parsed.loc[[2, 3]].isna().all()
    assert {i.column for i in report.issues} == {"ordered_at"}
    report = check.Report("fuzz.csv")
    values = pd.Series([str(quantity), "5"], index=[2, 3])
    check.decimal(values, "quantity", report, decimal_places=4, min_value=0)
    assert report.invalid_rows == {2}
    values = pd.Series([str(amount), f"-{amount}", "5"], index=[2, 3, 4])
    check.decimal(values, "amount", report)
    assert report.invalid_rows == {2, 3}
    assert {i.column for i in report.issues} == {"quantity", "amount"}


@pytest.mark.django_db
def test_an_orders_file_with_the_absurd_line_is_refused(tmp_path) -> None:
    """The finding's order through the import path: refused, nothing written."""
    customer = make_customer()
    path = tmp_path / "orders.csv"
    path.write_text(
        "number,customer_code,ordered_at,quantity,unit_price\n"
        f"SO-IMP-1,{customer.code},0001-01-01,{ABSURD},{ABSURD}\n",
        encoding="utf-8",
    )
    result = run_import("orders", path)
    assert {i.column for i in result.report.issues} >= {"ordered_at", "quantity"}
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_admin_invoice_form_refuses_an_amount_below_what_is_paid() -> None:
    """The back office is a path to the invoice too (finding 6)."""
    from paretocrm.sales.admin import InvoiceAdminForm

    customer = make_customer()
    invoice = make_invoice(customer, "4365.32", TODAY, TODAY)
    make_payment(customer, "4365.32", TODAY, invoice=invoice)
    data = {"customer": customer.pk, "number": invoice.number, "issued_on": str(TODAY),
            "due_on": str(TODAY), "currency": "CNY", "status": "paid"}  # fmt: skip
    form = InvoiceAdminForm(instance=invoice, data={**data, "amount": "0.01"})
    assert not form.is_valid() and "amount" in form.errors
    far = InvoiceAdminForm(instance=invoice, data={**data, "amount": "4365.32",
                                                   "due_on": "9999-12-31"})  # fmt: skip
    assert not far.is_valid() and "due_on" in far.errors


def test_refusals_read_in_the_readers_language() -> None:
    from django.utils import translation

    from paretocrm.core import bounds

    with translation.override("zh-hans"):
        assert "超出可接受的日期范围" in bounds.date_error(dt.date(1, 1, 1))
        assert "超出可接受的范围" in bounds.amount_error(Decimal(ABSURD) * 100)
    with translation.override("zh-hant"):
        assert "超出可接受的日期範圍" in bounds.date_error(dt.date(9999, 12, 31))


@pytest.mark.django_db
def test_paid_by_number_gives_what_bulk_paths_must_not_go_below() -> None:
    customer = make_customer()
    paid = make_invoice(customer, "4365.32", TODAY, TODAY)
    make_payment(customer, "4000.00", TODAY, invoice=paid)
    make_payment(customer, "365.32", TODAY, invoice=paid)
    unpaid = make_invoice(customer, "10.00", TODAY, TODAY)
    found = sales.paid_by_number([paid.number, unpaid.number, "NO-SUCH"])
    assert found == {paid.number: Decimal("4365.32"), unpaid.number: Decimal("0")}
