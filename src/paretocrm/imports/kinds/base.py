"""What every import kind shares: header maps, the kind interface and the ORM upsert.

A kind declares its columns (canonical name -> accepted headers, English and Chinese), which
are required, how to validate a whole frame (vectorised, see ``validation``) and how to write
the valid rows. Writes upsert on the kind's external key and count created / updated /
unchanged, so importing the same file twice changes nothing the second time (IMP-4).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from django.db import models
from django.utils import timezone, translation

from paretocrm.imports import validation as check
from paretocrm.imports.parsing import Limits, RawTable, read_table

CHUNK = 2_000
ProgressCallback = Callable[[int], None]


@dataclass
class WriteCounts:
    """What a commit did, counted in records of the kind (customers, orders, ...)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: WriteCounts) -> WriteCounts:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


def normalise_header(header: str) -> str:
    """Header as compared with the alias lists: lower case, '_' for spaces, no '*' marks."""
    header = header.strip().strip("*").strip().lower()
    return re.sub(r"[\s\-/]+", "_", header)


CHINESE = ("zh-hans", "zh-hant")
CJK = re.compile(r"[\u3400-\u9fff]")

#: The kinds' Chinese headers are declared in Simplified characters; zh-Hant readers get them
#: in Traditional ones, and a file may use either. Words whose Traditional form is not one
#: character for one (联系 -> 聯絡, 关系 -> 關係) come first, then the characters the
#: headers use (a header with a character missing here fails the import tests).
_TRADITIONAL_WORDS = {"联系": "聯絡", "关系": "關係", "邮箱": "電子郵件"}
_TRADITIONAL = str.maketrans(
    "业产价关准别务区单参发号响围国备层币开强态户数标状电码种称类级经编网职联范营规誉订话说"
    "负责货购邮采销门额银机",
    "業產價關準別務區單參發號響圍國備層幣開強態戶數標狀電碼種稱類級經編網職聯範營規譽訂話說"
    "負責貨購郵採銷門額銀機",
)


def traditional(text: str) -> str:
    """A Simplified header in Traditional characters (客户编号 -> 客戶編號)."""
    for simplified, hant in _TRADITIONAL_WORDS.items():
        text = text.replace(simplified, hant)
    return text.translate(_TRADITIONAL)


class ChoiceMap(dict):
    """Spellings -> choice value, knowing each value's English label (the gettext msgid),
    so the report can list the allowed values in the reader's language."""

    labels: dict[str, str]


def choice_map(
    choices: type[models.TextChoices], extra: Mapping[str, str] | None = None
) -> ChoiceMap:
    """Accepted spellings of a choice: its value, its English label, and Chinese labels."""
    mapping = ChoiceMap({value: value for value in choices.values})
    with translation.override("en"):
        mapping.labels = {value: str(label) for value, label in choices.choices}
    mapping.update({label: value for value, label in mapping.labels.items()})
    # The labels a Chinese export writes (``exports.export_rows(labelled=True)``).
    for language in CHINESE:
        with translation.override(language):
            mapping.update({str(label): value for value, label in choices.choices})
    mapping.update(extra or {})
    return mapping


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A raw column, or a column of empty strings when the file does not have it."""
    if name in frame.columns:
        return frame[name]
    return pd.Series("", index=frame.index, dtype=object)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    """Consecutive slices of at most ``size`` items (keeps IN (...) lists bounded)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _distinct_keys(values: Iterable[str]) -> list[str]:
    """Sorted distinct non-empty keys (pandas' hash unique is much faster than a set loop)."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    return sorted(set(series.unique().tolist()) - {""})


def rows_of(source: type[models.Model] | models.QuerySet[Any]) -> models.QuerySet[Any]:
    """A queryset: ``source`` itself, or every row of a model (a system import's view)."""
    return source if isinstance(source, models.QuerySet) else source._default_manager.all()


def existing_keys(
    source: type[models.Model] | models.QuerySet[Any], field: str, values: Iterable[str]
) -> set[str]:
    """Which of ``values`` already exist as ``field`` of ``source`` (chunked queries)."""
    wanted = _distinct_keys(values)
    found: set[str] = set()
    for part in chunks(wanted):
        found.update(rows_of(source).filter(**{f"{field}__in": part}).values_list(field, flat=True))
    return found


def key_to_id(
    source: type[models.Model] | models.QuerySet[Any], field: str, values: Iterable[str]
) -> dict[str, int]:
    """Map external keys to primary keys for the ``values`` that exist in ``source``."""
    wanted = _distinct_keys(values)
    mapping: dict[str, int] = {}
    for part in chunks(wanted):
        rows = rows_of(source).filter(**{f"{field}__in": part}).values_list(field, "pk")
        mapping.update(dict(rows))
    return mapping


def lookup(values: pd.Series, ids: Mapping[str, Any]) -> pd.Series:
    """Map keys to ids as Python objects (None where unknown), keeping the row index."""
    if not ids:
        return pd.Series(np.full(len(values), None, dtype=object), index=values.index)
    # One hash-table pass (Index.get_indexer) instead of a Python dict lookup per row.
    keys = pd.Index(list(ids.keys()))
    targets = np.array([*ids.values(), None], dtype=object)
    positions = keys.get_indexer(values)
    return pd.Series(targets[positions], index=values.index, dtype=object)


class ImportKind(ABC):
    """One kind of import (customers, orders, ...): columns, validation, writing."""

    name: ClassVar[str]
    #: The records of the kind, matched on ``key_column`` (a field of the same name).
    model: ClassVar[type[models.Model]]
    key_column: ClassVar[str]
    key_label: ClassVar[str]
    #: The report's message when a key matches a record outside the importer's scope.
    out_of_scope_code: ClassVar[str] = "record_out_of_scope"
    columns: ClassVar[dict[str, tuple[str, ...]]]
    required: ClassVar[frozenset[str]]
    # Rows sharing this column's value stand or fall together (the lines of one order).
    group_column: ClassVar[str | None] = None
    #: False for a kind read from a fixed layout without a header row (CDNOW).
    has_template: ClassVar[bool] = True

    @classmethod
    def header(cls, name: str, language: str | None = None) -> str:
        """The header of column ``name`` in ``language`` (default: the active one).

        Chinese readers get the column's first Chinese alias (in Traditional characters for
        zh-Hant), everyone else its canonical name; all are accepted by :meth:`map_headers`,
        so a template imports back.
        """
        language = (language or translation.get_language() or "").lower()
        if language.startswith("zh"):
            chinese = [alias for alias in cls.columns[name] if CJK.search(alias)]
            if chinese:
                return traditional(chinese[0]) if language == "zh-hant" else chinese[0]
        return name

    @classmethod
    def headers(cls, language: str | None = None) -> list[str]:
        """Every column's header in ``language``, in the kind's column order."""
        return [cls.header(name, language) for name in cls.columns]

    def __init__(self, importer: Any = None) -> None:
        # The user running the import (None for a system import): kinds that create owned
        # records give new rows without an owner to this user, so they stay in their scope.
        self.importer = importer

    def scoped(self, model: type[models.Model]) -> models.QuerySet[Any]:
        """The rows of ``model`` the importer may see, as pages and API see them.

        Every record an import matches by a key or links to is looked up here (issue 14):
        a key outside the scope is then "unknown", with the message of a key that does not
        exist. A system import sees every row; so do models without a record scope (the
        product catalogue is company-wide, and only administrators import it).
        """
        rows = model._default_manager.all()
        if self.importer is None or not hasattr(rows, "visible_to"):
            return rows
        return rows.visible_to(self.importer)

    def hidden_keys(self, model: type[models.Model], field: str, values: Iterable[str]) -> set[str]:
        """Keys of ``values`` that exist as ``model.field`` outside the importer's scope."""
        if self.importer is None:
            return set()
        taken = existing_keys(model, field, values)
        return taken - existing_keys(self.scoped(model), field, taken) if taken else set()

    def load(self, path: Path, *, encoding: str, sheet: str | None, limits: Limits) -> RawTable:
        """Read the file; kinds with their own format (CDNOW) override this."""
        return read_table(path, encoding=encoding, sheet=sheet, limits=limits)

    def map_headers(self, headers: list[str], report: check.Report) -> dict[str, str]:
        """Match file headers to canonical columns; report unknown and missing ones."""
        aliases = {
            normalise_header(spelling): name
            for name, accepted in self.columns.items()
            for alias in (name, *accepted)
            for spelling in (alias, traditional(alias))
        }
        mapping: dict[str, str] = {}
        for header in headers:
            name = aliases.get(normalise_header(header))
            if name is None:
                report.add_coded(1, header, "unknown_column", severity=check.WARNING)
            elif name in mapping.values():
                report.add_coded(1, header, "second_column", {"name": repr(name)})
            else:
                mapping[header] = name
        for name in sorted(self.required - set(mapping.values())):
            accepted = " / ".join((name, *self.columns[name][:2]))
            report.add_coded(1, name, "missing_column", {"accepted": accepted})
        return mapping

    @abstractmethod
    def prepare(self, frame: pd.DataFrame, report: check.Report) -> pd.DataFrame:
        """Validate every row (vectorised); return typed columns, index = row number."""

    @abstractmethod
    def write(self, rows: pd.DataFrame, progress: ProgressCallback | None = None) -> WriteCounts:
        """Write valid prepared rows inside the caller's transaction."""


def _same(old: Any, new: Any) -> bool:
    if old is None or new is None:
        return old is None and new is None
    return bool(old == new)


def upsert(
    model: type[models.Model],
    key: str,
    records: list[dict[str, Any]],
    *,
    within: models.QuerySet[Any] | None = None,
    progress: ProgressCallback | None = None,
) -> WriteCounts:
    """Create or update ``model`` rows matched on ``key``; only given fields are compared.

    A field absent from a record (its column was not in the file) is left as it is, so a
    partial file never blanks data it did not mention. Only rows of ``within`` (the
    importer's scope, ``ImportKind.scoped``) are updated: a key taken outside it is refused
    by the validation, and if one slipped through, creating it again breaks the unique
    key and the whole import rolls back. Updates of a model with field history write it
    as an edit on a page does (channel "import", see ``_record_history``).
    """
    rows = within if within is not None else model._default_manager.all()
    history = _has_history(model)
    counts = WriteCounts()
    versioned = any(f.name == "version" for f in model._meta.fields)
    stamped = any(f.name == "updated_at" for f in model._meta.fields)
    for part in chunks(records):
        keys = [r[key] for r in part]
        found = {getattr(o, key): o for o in rows.filter(**{f"{key}__in": keys})}
        to_create, to_update, fields = [], [], set()
        changes: list[tuple[models.Model, list[str]]] = []
        for record in part:
            obj = found.get(record[key])
            if obj is None:
                to_create.append(model(**record))
                continue
            changed = [f for f, v in record.items() if not _same(getattr(obj, f), v)]
            if not changed:
                counts.unchanged += 1
                continue
            if history:
                obj._audit_before = {f: getattr(obj, f) for f in changed}  # type: ignore[attr-defined]
                changes.append((obj, changed))
            for f in changed:
                setattr(obj, f, record[f])
            fields.update(changed)
            to_update.append(obj)
        if to_create:
            model._default_manager.bulk_create(to_create)
        if to_update:
            now = timezone.now()
            for obj in to_update:
                if versioned:
                    obj.version += 1  # type: ignore[attr-defined]
                if stamped:
                    obj.updated_at = now  # type: ignore[attr-defined]
            extra = {"version"} if versioned else set()
            extra |= {"updated_at"} if stamped else set()
            model._default_manager.bulk_update(to_update, sorted(fields | extra))
            _record_history(changes)
        counts.created += len(to_create)
        counts.updated += len(to_update)
        if progress:
            progress(len(part))
    return counts


def _has_history(model: type[models.Model]) -> bool:
    """True for the business objects whose field changes are recorded (audit AUD-1)."""
    from paretocrm.audit.receivers import tracked_models

    return model in tracked_models()


def _record_history(changes: list[tuple[models.Model, list[str]]]) -> None:
    """One field-history row per changed field, as the audit receivers write for a save.

    ``bulk_update`` sends no save signals, so the rows are written here with the same
    service (``audit.services.record_changes``: who, channel, masked personal fields) from
    the values the upsert read before changing them (``_audit_before``).
    """
    from paretocrm.audit.services import record_changes

    for obj, changed in changes:
        record_changes(obj, changed)
