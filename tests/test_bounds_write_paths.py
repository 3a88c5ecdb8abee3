"""Out-of-range money, quantities and dates through every write path (issue 14, core.bounds).

tests/test_bounds.py walks the paths of the finding by hand (orders, invoices, payments,
the services, the scorecard page, the import checks). Here the paths are generated, so a
new one is covered or fails:

* the REST API: every create route of the access matrix and every writable number or date
  field of its serializer (nested order lines too), on create and on update;
* the page forms: every form class of the apps with a number or date field;
* the imports: every import kind's number and date columns, through a whole file.

Each out-of-range value must be refused naming its field, column or parameter: a 400, a
form error or a row error; never a 500 and never a stored value. Hypothesis draws the
values (a few examples each: CI time matters).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from paretocrm.core import bounds
from paretocrm.core.api.concurrency import is_versioned
from paretocrm.core.api.testing import client_for, snapshot
from tests.api_samples import MAKERS, PAYLOADS, new_user
from tests.test_api_matrix import MATRIX

#: A few examples and no shrinking: a failure names its field and value already.
FEW = settings(
    max_examples=3,
    deadline=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --- what is out of range for a field -------------------------------------------------------

#: Percentages and rates (Decimal(9, 4)): 0..100 at most; above is out of range for each.
RATE_LIMIT = Decimal(100)


def column_max(field: serializers.DecimalField) -> Decimal:
    """The largest value the serializer parses (its digits), so a refusal is the bound's."""
    digits, places = field.max_digits, field.decimal_places
    if digits is None or places is None:
        return Decimal(10) ** 16
    return Decimal(10) ** (digits - places) - Decimal(1).scaleb(-places)


def model_field_of(model: Any, name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


def number_limit(model: Any, name: str, field: serializers.DecimalField) -> Decimal:
    """The largest accepted absolute value of a number field (quantity, amount or rate)."""
    limits = bounds.limits()
    model_field = model_field_of(model, name)
    validators = {getattr(v, "__name__", "") for v in getattr(model_field, "validators", [])}
    if "validate_quantity" in validators:
        return limits.max_quantity
    if column_max(field) < limits.max_amount:
        return RATE_LIMIT
    return limits.max_amount


def out_of_range(draw: Any, model: Any, name: str, field: serializers.Field) -> str:
    """An out-of-range value of ``field`` as a client sends it."""
    if isinstance(field, serializers.DateTimeField):
        day = draw(far_dates)
        return f"{day.isoformat()}T08:00:00Z"
    if isinstance(field, serializers.DateField):
        return draw(far_dates).isoformat()
    limit = number_limit(model, name, field)
    top = column_max(field)
    places = field.decimal_places or 0
    step = Decimal(1).scaleb(-places)
    value = draw(st.decimals(min_value=limit + step, max_value=top, places=places))
    return str(value)


far_dates = st.one_of(
    st.dates(max_value=dt.date(1899, 12, 31)), st.dates(min_value=dt.date(2101, 1, 1))
)
BOUNDED_TYPES = (serializers.DecimalField, serializers.DateField, serializers.DateTimeField)


def bounded_fields(serializer: serializers.Serializer) -> dict[tuple[str, ...], tuple]:
    """(path) -> (model, name, field) of every writable number or date field, one nesting
    level deep (an order's lines)."""
    found: dict[tuple[str, ...], tuple] = {}
    model = serializer.Meta.model
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, BOUNDED_TYPES):
            found[(name,)] = (model, name, field)
        child = getattr(field, "child", None)
        if isinstance(child, serializers.ModelSerializer):
            for inner, inner_field in child.fields.items():
                if not inner_field.read_only and isinstance(inner_field, BOUNDED_TYPES):
                    found[(name, inner)] = (child.Meta.model, inner, inner_field)
    return found


def with_value(body: dict, path: tuple[str, ...], value: str) -> dict:
    if len(path) == 1:
        return {**body, path[0]: value}
    outer, inner = path
    items = [dict(item) for item in body.get(outer) or [{}]]
    items[0][inner] = value
    return {**body, outer: items}


def serializer_for(basename: str, user: Any) -> serializers.Serializer:
    from django.urls import resolve

    viewset = resolve(reverse(f"{basename}-list")).func.cls
    request = type("Request", (), {"user": user, "query_params": {}, "method": "POST"})()
    return viewset.serializer_class(context={"request": request})


WRITE_ROUTES = sorted(b for b in MATRIX if b in PAYLOADS)


def test_the_generated_paths_cover_the_money_and_date_fields() -> None:
    assert {"order", "invoice", "payment", "case", "customer", "carerecord"} <= set(WRITE_ROUTES)


# --- the REST API ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("basename", WRITE_ROUTES)
@FEW
@given(data=st.data())
def test_api_create_refuses_out_of_range_values_naming_the_field(basename: str, data) -> None:
    row = MATRIX[basename]
    user = new_user(row.writer_role)
    client = client_for(user)
    fields = bounded_fields(serializer_for(basename, user))
    for path, (model, name, field) in sorted(fields.items()):
        body = with_value(
            PAYLOADS[basename](user), path, out_of_range(data.draw, model, name, field)
        )
        before = row.model._default_manager.count()
        response = client.post(reverse(f"{basename}-list"), body, format="json")
        assert response.status_code == 400, (basename, path, body, response.content)
        assert name in str(response.json()), (basename, path, response.json())
        assert row.model._default_manager.count() == before, (basename, path)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "basename", [b for b in WRITE_ROUTES if "patch" in MATRIX[b].writable_methods]
)
@FEW
@given(data=st.data())
def test_api_update_refuses_out_of_range_values_naming_the_field(basename: str, data) -> None:
    row = MATRIX[basename]
    user = new_user(row.writer_role)
    client = client_for(user)
    record = MAKERS[basename](user)
    url = reverse(f"{basename}-detail", args=[record.pk])
    fields = bounded_fields(serializer_for(basename, user))
    for path, (model, name, field) in sorted(fields.items()):
        if len(path) > 1:
            continue  # nested lines are replaced as a whole: the create test covers them
        stored = snapshot(record)
        headers = {"HTTP_IF_MATCH": client.get(url)["ETag"]} if is_versioned(row.model) else {}
        value = out_of_range(data.draw, model, name, field)
        response = client.patch(url, {name: value}, format="json", **headers)
        assert response.status_code == 400, (basename, name, value, response.content)
        assert name in str(response.json()), (basename, name, response.json())
        assert snapshot(record) == stored, (basename, name)


# --- the page forms -------------------------------------------------------------------------


def page_forms() -> dict[str, type]:
    """Every form class of the apps' ``forms`` modules with a number or date field."""
    import importlib
    import inspect

    from django import forms
    from django.apps import apps

    found: dict[str, type] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("paretocrm."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, forms.BaseForm) or form.__module__ != module.__name__:
                continue
            if any(isinstance(f, FORM_BOUNDED) for f in form.base_fields.values()):
                found[f"{module.__name__}.{name}"] = form
    return found


def _form_types() -> tuple[type, ...]:
    from django import forms

    return (forms.DecimalField, forms.DateField, forms.DateTimeField)


FORM_BOUNDED = _form_types()
#: Constructor arguments some forms need (whom the form is for).
FORM_KWARGS: dict[str, Any] = {
    "paretocrm.insights.forms.WeightsForm": {"initial_weights": {}},
}


def form_out_of_range(draw: Any, form: type, name: str, field: Any) -> str:
    """An out-of-range value for a form field: a far date, or a number beyond its bound."""
    from django import forms

    if isinstance(field, forms.DateTimeField):
        return f"{draw(far_dates).isoformat()} 08:00"
    if isinstance(field, forms.DateField):
        return draw(far_dates).isoformat()
    model = getattr(getattr(form, "_meta", None), "model", None)
    validators = {
        getattr(v, "__name__", "")
        for v in getattr(model_field_of(model, name) if model else None, "validators", [])
    }
    limits = bounds.limits()
    limit = limits.max_quantity if "validate_quantity" in validators else limits.max_amount
    if field.max_value is not None:
        limit = min(limit, Decimal(str(field.max_value)))
    places = field.decimal_places or 2
    step = Decimal(1).scaleb(-places)
    return str(draw(st.decimals(min_value=limit + step, max_value=limit * 10, places=places)))


def test_the_generated_forms_include_the_plan_and_interaction_forms() -> None:
    assert {
        "paretocrm.work.forms.AccountPlanForm",
        "paretocrm.work.forms.GoalForm",
        "paretocrm.customers.forms.InteractionForm",
        "paretocrm.marketing.forms.ConceptSurveyForm",
    } <= set(page_forms())


@pytest.mark.django_db
@pytest.mark.parametrize("form_name", sorted(page_forms()))
@FEW
@given(data=st.data())
def test_page_forms_refuse_out_of_range_values_naming_the_field(form_name: str, data) -> None:
    form_class = page_forms()[form_name]
    kwargs = FORM_KWARGS.get(form_name, {})
    fields = form_class(**kwargs).fields
    for name, field in fields.items():
        if not isinstance(field, FORM_BOUNDED):
            continue
        value = form_out_of_range(data.draw, form_class, name, field)
        form = form_class(data={name: value}, **kwargs)
        assert not form.is_valid()
        assert name in form.errors, (form_name, name, value, form.errors)


@pytest.mark.django_db
@FEW
@given(
    day=far_dates,
    amount=st.decimals(
        min_value=Decimal("1000000000000.01"), max_value=Decimal("9999999999999999.99"), places=2
    ),
)
def test_task_snooze_and_care_cost_pages_refuse_out_of_range_values(day, amount) -> None:
    """The two page actions that read a date or an amount from a POST by hand."""
    from django.test import Client

    from paretocrm.service.models import CareRecord
    from paretocrm.users.choices import Role

    manager = new_user(Role.KEY_ACCOUNT_MANAGER)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(manager)
    task = MAKERS["task"](manager)
    due = task.due_on
    answer = client.post(
        reverse("work:task_action", args=[task.pk, "snooze"]),
        {"until": str(day), "version": task.version},
        follow=True,
    )
    assert answer.status_code == 200
    assert b"until: " in answer.content and b"outside the accepted dates" in answer.content
    task.refresh_from_db()
    assert (task.due_on, task.snoozed_until) == (due, None)
    case = MAKERS["case"](manager)
    before = CareRecord.objects.count()
    answer = client.post(
        reverse("service:case_action", args=[case.pk, "care"]),
        {"kind": "visit", "cost": str(amount), "version": case.version},
        follow=True,
    )
    assert answer.status_code == 200
    assert b"cost" in answer.content and b"outside the accepted range" in answer.content
    assert CareRecord.objects.count() == before


# --- every import kind ----------------------------------------------------------------------

#: One valid row per import kind (canonical headers) and its number and date columns.
IMPORT_ROWS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "customers": ({"code": "HD-001", "name": "华东贸易有限公司", "credit_limit": "200000"},
                  {"credit_limit": bounds.AMOUNT}),
    "contacts": ({"external_id": "CT-1", "customer_code": "HD-001", "name": "李娜"}, {}),
    "products": ({"sku": "LY-500", "name": "桂圆干 500g", "unit_cost": "21.5",
                  "list_price": "38"},
                 {"unit_cost": bounds.AMOUNT, "list_price": bounds.AMOUNT}),
    "orders": ({"number": "SO-2025-0042", "customer_code": "HD-001",
                "ordered_at": "2025-06-01 10:30", "quantity": "120", "unit_price": "189.50",
                "unit_cost": "120"},
               {"ordered_at": bounds.DATE, "quantity": bounds.QUANTITY,
                "unit_price": bounds.AMOUNT, "unit_cost": bounds.AMOUNT}),
    "invoices": ({"number": "INV-2025-0042", "customer_code": "HD-001",
                  "issued_on": "2025-06-02", "due_on": "2025-07-02", "amount": "22740"},
                 {"issued_on": bounds.DATE, "due_on": bounds.DATE, "amount": bounds.AMOUNT}),
    "payments": ({"number": "PAY-2025-0042", "customer_code": "HD-001",
                  "received_on": "2025-06-20", "amount": "22740"},
                 {"received_on": bounds.DATE, "amount": bounds.AMOUNT}),
    # CDNOW: customer date(YYYYMMDD) cds dollars, whitespace-separated.
    "cdnow": ({"customer": "00001", "ordered_at": "19970101", "quantity": "2",
               "amount": "29.33"},
              {"ordered_at": bounds.DATE, "quantity": bounds.QUANTITY, "amount": bounds.AMOUNT}),
}  # fmt: skip


def test_every_import_kind_has_a_row() -> None:
    from paretocrm.imports.kinds import KINDS

    assert set(KINDS) == set(IMPORT_ROWS)


def _import_value(draw: Any, kind: str, check_kind: str) -> str:
    limits = bounds.limits()
    if check_kind == bounds.DATE:
        day = draw(far_dates)
        return day.strftime("%Y%m%d") if kind == "cdnow" else day.isoformat()
    limit = limits.max_quantity if check_kind == bounds.QUANTITY else limits.max_amount
    value = draw(st.decimals(min_value=limit + 1, max_value=limit * 1000, places=0))
    return str(value)


def _write(path: Any, kind: str, row: dict[str, str]) -> None:
    import csv

    if kind == "cdnow":
        path.write_text(" ".join(row.values()) + "\n", encoding="ascii")
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(row))
        writer.writerow(list(row.values()))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(k for k, (_, cols) in IMPORT_ROWS.items() if cols))
@FEW
@given(data=st.data())
def test_every_import_kind_refuses_out_of_range_values_naming_the_column(
    kind: str, data, tmp_path_factory
) -> None:
    from django.apps import apps

    from paretocrm.customers.tests.factories import make_customer
    from paretocrm.imports.services import run_import

    if not apps.get_model("customers", "Customer").objects.filter(code="HD-001").exists():
        make_customer(code="HD-001", name="华东贸易有限公司")
    template, columns = IMPORT_ROWS[kind]
    tables = ("customers.Customer", "sales.Product", "sales.Order", "sales.OrderLine",
              "sales.Invoice", "sales.Payment")  # fmt: skip
    for column, check_kind in columns.items():
        before = {t: apps.get_model(t).objects.count() for t in tables}
        path = tmp_path_factory.mktemp(kind) / ("f.txt" if kind == "cdnow" else "f.csv")
        _write(path, kind, {**template, column: _import_value(data.draw, kind, check_kind)})
        result = run_import(kind, path)
        assert not result.ok, (kind, column)
        named = {issue.column for issue in result.report.issues}
        assert column in named or (kind == "cdnow" and named), (kind, column, named)
        assert {t: apps.get_model(t).objects.count() for t in tables} == before, (kind, column)
