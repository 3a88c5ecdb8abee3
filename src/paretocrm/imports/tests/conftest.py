"""Fixtures for import tests: small files written under tmp_path."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from paretocrm.customers.models import Customer


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write rows (first row = header) to a CSV file in tmp_path and return its path."""

    def write(name: str, rows: list[list[str]], encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        with path.open("w", encoding=encoding, newline="") as handle:
            csv.writer(handle).writerows(rows)
        return path

    return write


@pytest.fixture
def customers(db: None) -> list[Customer]:
    """Two customers that order files can refer to."""
    return [
        Customer.objects.create(code="C1", name="华东贸易"),
        Customer.objects.create(code="C2", name="Acme GmbH", country="DE"),
    ]
