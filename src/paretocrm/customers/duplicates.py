"""Finding the same company or person entered twice (issue 17, item 2).

A company reaches the CRM under many spellings: 北京华油天然气有限公司, 北京华油天然气,
"Beijing Huayou Natural Gas Co., Ltd.", ＢＥＩＪＩＮＧ　ＨＵＡＹＯＵ. Names are compared
after normalising (Unicode NFKC folds full-width letters and spaces; case; punctuation;
legal-form suffixes in Chinese, English and German), and across scripts through pinyin:
a Chinese name's region and brand (字号, its leading characters) read in pinyin against a
Latin name's leading words. Contacts are the same person when they share a normalised mobile
or phone number or an e-mail address.

Candidates are paired only within blocks (the first letters of the latinised name), so a
book of thousands of customers is compared in a fraction of the n^2 pairs; within a block
``difflib`` ratio is fast enough for the short strings names are.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import combinations

from django.db.models import QuerySet
from pypinyin import lazy_pinyin

from paretocrm.customers.models import Contact, Customer

#: Legal forms at the end of a company name (longest first within each language).
_SUFFIXES = (
    "股份有限公司", "有限责任公司", "有限責任公司", "集团有限公司", "集團有限公司",
    "有限公司", "集团公司", "集團公司", "分公司", "总公司", "總公司", "公司",
    "集团", "集團", "商行", "厂", "廠",
    "co ltd", "co limited", "company limited", "corporation", "company", "limited", "ltd",
    "inc", "corp", "llc", "plc", "gmbh co kg", "gmbh", "ag", "kg", "co", "sa", "bv",
)  # fmt: skip
_HAN = re.compile(r"[\u3400-\u9fff]")
_NOT_WORD = re.compile(r"[^\w]+")
#: Leading syllables of a Chinese name compared across scripts: region (2) + brand (2).
_CROSS_SCRIPT_SYLLABLES = 4
#: Pairs at or above this score are listed as candidates.
THRESHOLD = 0.8
_BLOCK = 6


def company_key(name: str) -> str:
    """The name without width, case, punctuation, spaces and legal-form suffixes."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"[（(][^）)]*[）)]", " ", text)  # (北京) / (Shanghai) branch notes
    words = _NOT_WORD.sub(" ", text).split()
    changed = True
    while changed and words:
        changed = False
        joined = " ".join(words)
        for suffix in _SUFFIXES:
            # Latin legal forms only as whole words: "Costco" keeps its "co".
            ending = suffix if _HAN.search(suffix) else f" {suffix}"
            if joined.endswith(ending) and len(joined) > len(ending):
                joined = joined[: -len(suffix)].strip()
                words, changed = joined.split(), True
                break
    return "".join(words)


@lru_cache(maxsize=65536)
def latin_key(name: str) -> str:
    """:func:`company_key` with Chinese characters read in pinyin (for blocking)."""
    key = company_key(name)
    return "".join(lazy_pinyin(key)) if _HAN.search(key) else key


def phone_key(number: str) -> str:
    """Digits of a phone number without the +86 / 0086 country prefix."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", number))
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 10:
            return digits[len(prefix) :]
    return digits


def email_key(address: str) -> str:
    return unicodedata.normalize("NFKC", address).strip().casefold()


@dataclass(frozen=True)
class NameMatch:
    """How alike two company names are (0..1) and why, as a reason code."""

    score: float
    reason: str


def compare_company_names(a: str, b: str) -> NameMatch:
    """Score two company names; reasons: same_name, name_contains, similar_name (Latin),
    same_sound (Chinese names read alike), pinyin (a Chinese and a Latin name)."""
    key_a, key_b = company_key(a), company_key(b)
    if not key_a or not key_b:
        return NameMatch(0.0, "")
    if key_a == key_b:
        return NameMatch(1.0, "same_name")
    han_a, han_b = bool(_HAN.search(key_a)), bool(_HAN.search(key_b))
    if han_a != han_b:
        return _cross_script(key_a if han_a else key_b, key_b if han_a else key_a)
    shorter, longer = sorted((key_a, key_b), key=len)
    if len(shorter) >= 4 and longer.startswith(shorter):
        return NameMatch(0.9, "name_contains")
    if han_a:
        # One character apart is usually another brand (创亿 / 创汇), unless it reads the
        # same: a typing slip of the pinyin input method (华油 / 华游).
        same_sound = "".join(lazy_pinyin(key_a)) == "".join(lazy_pinyin(key_b))
        return NameMatch(0.85, "same_sound") if same_sound else NameMatch(0.0, "")
    ratio = SequenceMatcher(None, key_a, key_b).ratio()
    return NameMatch(ratio, "similar_name")


def _cross_script(han_key: str, latin: str) -> NameMatch:
    syllables = lazy_pinyin(han_key)[:_CROSS_SCRIPT_SYLLABLES]
    if len(syllables) < _CROSS_SCRIPT_SYLLABLES:
        return NameMatch(0.0, "")
    return NameMatch(0.85 if latin.startswith("".join(syllables)) else 0.0, "pinyin")


@dataclass(frozen=True)
class Candidate:
    """Two records that may be one, with a score and the reason codes behind it."""

    first: int
    second: int
    score: float
    reasons: tuple[str, ...]


def company_candidates(
    names: Iterable[tuple[int, str]],
    shared_contacts: Iterable[tuple[int, int]] = (),
    threshold: float = THRESHOLD,
) -> list[Candidate]:
    """Pairs of ``(id, name)`` that look like one company, best first.

    ``shared_contacts`` are pairs of ids whose contacts share a phone or e-mail: evidence
    that raises a pair's score (and finds pairs whose names differ, e.g. a rename).
    """
    names = list(names)
    by_id = dict(names)
    evidence = {tuple(sorted(pair)) for pair in shared_contacts if pair[0] != pair[1]}
    blocks: dict[str, list[int]] = defaultdict(list)
    for pk, name in names:
        block = latin_key(name)[:_BLOCK]
        if block:
            blocks[block].append(pk)
    pairs: set[tuple[int, int]] = set(evidence)  # type: ignore[arg-type]
    for members in blocks.values():
        pairs.update(tuple(sorted(pair)) for pair in combinations(members, 2))  # type: ignore[misc]
    found = []
    for first, second in pairs:
        match = compare_company_names(by_id[first], by_id[second])
        score, reasons = match.score, [match.reason] if match.score >= 0.5 else []
        if (first, second) in evidence:
            score, reasons = min(1.0, max(score, 0.6) + 0.3), [*reasons, "shared_contact"]
        if score >= threshold:
            found.append(Candidate(first, second, round(score, 2), tuple(reasons)))
    return sorted(found, key=lambda c: (-c.score, c.first, c.second))


def contact_pairs(contacts: Iterable[tuple[int, str, str, str]]) -> list[tuple[int, int, str]]:
    """Pairs of contact ids (id, phone, mobile, email) sharing a number or an address."""
    seen: dict[str, list[int]] = defaultdict(list)
    for pk, phone, mobile, email in contacts:
        keys = {f"tel:{phone_key(n)}" for n in (phone, mobile) if len(phone_key(n)) >= 7}
        if email.strip():
            keys.add(f"mail:{email_key(email)}")
        for key in keys:
            seen[key].append(pk)
    pairs: dict[tuple[int, int], str] = {}
    for key, ids in seen.items():
        for pair in combinations(sorted(set(ids)), 2):
            pairs.setdefault(pair, "same_phone" if key.startswith("tel:") else "same_email")
    return [(a, b, reason) for (a, b), reason in sorted(pairs.items())]


# --- over the database --------------------------------------------------------------------

#: Above this many customers in scope the page asks for a narrower view instead of waiting.
MAX_COMPARED = 20000


@dataclass(frozen=True)
class CustomerPair:
    """A candidate pair with both customers loaded, for a page or an API."""

    first: Customer
    second: Customer
    score: float
    reasons: tuple[str, ...]


def customer_duplicates(customers: QuerySet[Customer]) -> list[CustomerPair]:
    """Candidate duplicate pairs among ``customers`` (already scoped to the reader)."""
    names = list(customers.values_list("pk", "name")[: MAX_COMPARED + 1])
    if len(names) > MAX_COMPARED:
        raise TooManyToCompare(len(names))
    ids = [pk for pk, _ in names]
    contacts = Contact.objects.filter(customer_id__in=ids).values_list(
        "pk", "customer_id", "phone", "mobile", "email"
    )
    customer_of = {pk: customer for pk, customer, *_ in contacts}
    shared = [
        (customer_of[a], customer_of[b])
        for a, b, _ in contact_pairs((pk, p, m, e) for pk, _, p, m, e in contacts)
        if customer_of[a] != customer_of[b]
    ]
    found = company_candidates(names, shared_contacts=shared)
    loaded = customers.in_bulk([pk for c in found for pk in (c.first, c.second)])
    return [CustomerPair(loaded[c.first], loaded[c.second], c.score, c.reasons) for c in found]


class TooManyToCompare(Exception):
    """More customers in scope than one page compares; the reader narrows the view."""

    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count
