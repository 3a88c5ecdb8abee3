"""Money helpers, ISO validators, exchange rates and conversion, generic scoping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from paretocrm.core.exceptions import MissingExchangeRateError
from paretocrm.core.models import ExchangeRate
from paretocrm.core.money import quantize_money
from paretocrm.core.querysets import ScopedQuerySet, has_full_scope
from paretocrm.core.services import RateTable, convert, rate_to_base
from paretocrm.core.validators import validate_country_code, validate_currency_code


@pytest.mark.parametrize("code", ["CNY", "USD", "EUR", "JPY", "AED"])
def test_currency_validator_accepts_iso_codes(code: str) -> None:
    validate_currency_code(code)


@pytest.mark.parametrize("code", ["RMB", "usd", "US", "", "XXXX"])
def test_currency_validator_rejects_non_iso_codes_naming_the_value(code: str) -> None:
    with pytest.raises(ValidationError) as err:
        validate_currency_code(code)
    assert "ISO 4217" in str(err.value)


@pytest.mark.parametrize("code", ["CN", "DE", "US", "JP", "SG", "AE", "HK", "TW"])
def test_country_validator_accepts_iso_codes(code: str) -> None:
    validate_country_code(code)


@pytest.mark.parametrize("code", ["UK", "cn", "CHN", "", "EU"])
def test_country_validator_rejects_non_iso_codes(code: str) -> None:
    with pytest.raises(ValidationError):
        validate_country_code(code)


def test_quantize_money_rounds_half_up_to_cents() -> None:
    assert quantize_money(Decimal("2.345")) == Decimal("2.35")
    assert quantize_money(Decimal("-2.345")) == Decimal("-2.35")


@pytest.mark.django_db
def test_convert_uses_latest_rate_on_or_before_the_date() -> None:
    ExchangeRate.objects.create(currency="USD", rate_date=dt.date(2024, 1, 1), rate="7.10")
    ExchangeRate.objects.create(currency="USD", rate_date=dt.date(2024, 2, 1), rate="7.20")
    assert convert(Decimal("100"), "USD", dt.date(2024, 1, 31)) == Decimal("710.00")
    assert convert(Decimal("100"), "USD", dt.date(2024, 2, 1)) == Decimal("720.00")
    assert rate_to_base("USD", dt.date(2030, 1, 1)) == Decimal("7.2")


@pytest.mark.django_db
def test_rate_table_follows_the_same_rule_as_rate_to_base_in_one_query(
    django_assert_num_queries,
) -> None:
    ExchangeRate.objects.create(currency="USD", rate_date=dt.date(2024, 1, 1), rate="7.10")
    ExchangeRate.objects.create(currency="USD", rate_date=dt.date(2024, 2, 1), rate="7.20")
    with django_assert_num_queries(1):
        table = RateTable({"USD", "EUR"})
    for day in (dt.date(2024, 1, 1), dt.date(2024, 1, 31), dt.date(2024, 2, 1)):
        assert table.rate_on("USD", day) == rate_to_base("USD", day)
    assert table.rate_on("USD", dt.date(2023, 12, 31)) is None
    assert table.rate_on("EUR", dt.date(2024, 1, 1)) is None
    assert table.rate_on("CNY", dt.date(2024, 1, 1)) == Decimal(1)


@pytest.mark.django_db
def test_convert_base_currency_needs_no_rate() -> None:
    assert convert(Decimal("12.345"), "CNY", dt.date(2024, 1, 1)) == Decimal("12.35")


@pytest.mark.django_db
def test_convert_between_two_foreign_currencies_goes_through_the_base() -> None:
    day = dt.date(2024, 3, 1)
    ExchangeRate.objects.create(currency="USD", rate_date=day, rate="7.00")
    ExchangeRate.objects.create(currency="EUR", rate_date=day, rate="7.70")
    # 110 USD = 770 CNY = 100 EUR
    assert convert(Decimal("110"), "USD", day, "EUR") == Decimal("100.00")


@pytest.mark.django_db
def test_convert_without_a_rate_names_currency_and_date() -> None:
    ExchangeRate.objects.create(currency="USD", rate_date=dt.date(2024, 5, 1), rate="7.1")
    with pytest.raises(MissingExchangeRateError, match=r"USD on or before 2024-04-30"):
        convert(Decimal("1"), "USD", dt.date(2024, 4, 30))


@pytest.mark.django_db
def test_exchange_rate_must_be_positive_and_unique_per_day() -> None:
    day = dt.date(2024, 1, 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeRate.objects.create(currency="USD", rate_date=day, rate="0")
    ExchangeRate.objects.create(currency="USD", rate_date=day, rate="7")
    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeRate.objects.create(currency="USD", rate_date=day, rate="7.1")


def _user(**kw: object) -> SimpleNamespace:
    base = {"is_authenticated": True, "is_active": True, "is_superuser": False, "pk": 1}
    return SimpleNamespace(**{**base, **kw})


def test_full_scope_needs_an_active_authenticated_user() -> None:
    assert has_full_scope(_user(is_superuser=True))
    assert has_full_scope(_user(has_full_scope=True))
    assert not has_full_scope(_user(is_superuser=True, is_active=False))
    assert not has_full_scope(_user(is_superuser=True, is_authenticated=False))
    assert not has_full_scope(None)
    assert not has_full_scope(_user())


@pytest.mark.django_db
def test_scoped_queryset_denies_by_default_and_opens_for_full_scope() -> None:
    ExchangeRate.objects.create(currency="USD", rate_date=dt.date(2024, 1, 1), rate="7")
    qs = ScopedQuerySet(model=ExchangeRate)
    assert qs.visible_to(_user()).count() == 0
    assert qs.visible_to(None).count() == 0
    assert qs.visible_to(_user(is_superuser=True)).count() == 1
    assert qs.visible_to(_user(is_superuser=True, is_active=False)).count() == 0
