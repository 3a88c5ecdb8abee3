"""Customer attributes read for the engine."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from paretocrm.customers.tests.factories import make_customer
from paretocrm.insights.attributes import read_attributes


@pytest.mark.django_db
def test_blank_scope_and_cooperation_level_are_read_as_unknown():
    blank = make_customer(scope="", cooperation_level="")
    known = make_customer(scope="global")
    frame = read_attributes(dt.date(2026, 6, 30)).set_index("customer_id")
    assert pd.isna(frame.loc[str(blank.pk), "scope"])
    assert pd.isna(frame.loc[str(blank.pk), "cooperation_level"])
    assert frame.loc[str(known.pk), "scope"] == "global"
