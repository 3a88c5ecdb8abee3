"""Amounts read the same way in every interface language: thousands grouped by commas."""

from decimal import Decimal

import pytest
from django.utils import formats, translation


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_amounts_are_grouped_in_thousands_in_every_language(language: str) -> None:
    with translation.override(language):
        assert formats.localize(Decimal("10951430.50")) == "10,951,430.50"
        assert formats.localize(2981446) == "2,981,446"
