"""Lifecycle stage of each customer relationship (客户生命周期).

Four stages, from the relationship-marketing literature the product's source documents use
(Dwyer, Schurr & Oh 1987; 考察期/形成期/稳定期/退化期):

| stage | zh | meaning |
| --- | --- | --- |
| ``exploration`` | 考察期 | the customer is trying us: new, or a single purchase so far |
| ``formation`` | 形成期 | the relationship is growing: young, few purchases, or buying more |
| ``stable`` | 稳定期 | an established customer buying at a steady rate |
| ``decline`` | 退化期 | the relationship is fading: low P(alive), dormant, or buying less |

The stage comes from the customer's own trajectory, by the first rule that matches, in this
order (thresholds in :class:`LifecycleRules`; tenure = time since first purchase; trends
compare the last trend window with the window before it):

| # | rule code | stage | condition |
| --- | --- | --- | --- |
| 1 | ``p_alive_low`` | decline | P(alive) < ``decline_p_alive``, not in a seasonal pause (**) |
| 2 | ``dormant`` | decline | no purchase for ``dormant_days`` or more |
| 3 | ``lapsed`` | decline | silent for ``lapse_cycles`` of its usual gaps (**) |
| 4 | ``purchase_drop`` | decline | base (*) and purchase rate fell ``decline_purchase_drop`` |
| 5 | ``value_drop`` | decline | base (*) and revenue fell ``decline_value_drop`` or more |
| 6 | ``new`` | exploration | tenure < ``exploration_max_tenure_days`` |
| 7 | ``single_purchase`` | exploration | at most ``exploration_max_purchase_days`` purchase days |
| 8 | ``growing`` | formation | tenure >= 2 windows, purchases or revenue rose ``growth_min`` |
| 9 | ``young`` | formation | tenure < ``formation_max_tenure_days`` |
| 10 | ``few_purchases`` | formation | at most ``formation_max_purchase_days`` purchase days |
| 11 | ``steady`` | stable | everything else |

(*) base: at least ``decline_min_previous_purchases`` purchase days in the previous window,
so that a drop is measured against something; fewer recent purchase days than an
unchanged rate would plausibly give (binomial test at ``decline_significance``), so that
ordinary order-to-order noise of a steady B2B customer is not called a decline; and the
customer is behind their own rhythm (silent for ``decline_late_cycles`` of their usual
gaps, :mod:`~paretocrm.analytics.rhythm`): a steady buyer still ordering on time whose
last window happened to hold fewer or smaller orders is not in decline (on a seeded B2B
book, a buyer ordering every three weeks had 10 then 6 orders in two half-years by chance,
P = 0.23 under an unchanged rate, and bought ten days before the end).

(**) not in a seasonal off-season (the same pause a year earlier) and silent for longer
than any pause the customer took before (:func:`~paretocrm.analytics.rhythm.late_history`;
both also gate rules 4 and 5); the time since the last purchase against the customer's own
mean gap between purchases, or the book's typical gap for a customer with too few
purchases (a one-off buyer silent for ten of the book's monthly cycles is lapsed), and at
least ``lapse_min_days``.

Every customer gets an explanation in English and Chinese, e.g. "purchase rate fell 45% vs
previous 6 months, P(alive) 0.31", and the same explanation as data (``lifecycle_facts``, a
JSON object: the rule code and the rounded figures its sentence quotes, see
:func:`explanation_facts`), so that an application can word it in any language. Explanations
are built once per distinct combination of rounded figures (not once per customer), so a
million customers cost a fraction of a second.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields
from typing import Any, Final, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.rhythm import order_rhythm

__all__ = [
    "LIFECYCLE_RULE_CODES",
    "STAGES",
    "STAGE_LABELS_ZH",
    "LifecycleRules",
    "classify_lifecycle",
    "explanation_facts",
]

STAGES: tuple[str, ...] = ("exploration", "formation", "stable", "decline")
STAGE_LABELS_ZH: dict[str, str] = {
    "exploration": "考察期",
    "formation": "形成期",
    "stable": "稳定期",
    "decline": "退化期",
}
LIFECYCLE_RULE_CODES: tuple[str, ...] = (
    "p_alive_low",
    "dormant",
    "lapsed",
    "purchase_drop",
    "value_drop",
    "new",
    "single_purchase",
    "growing",
    "young",
    "few_purchases",
    "steady",
)
_RULE_STAGE = (3, 3, 3, 3, 3, 0, 0, 1, 1, 1, 2)  # index into STAGES for each rule code
DAYS_PER_UNIT = {"D": 1.0, "W": 7.0}
_DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True)
class LifecycleRules:
    """Thresholds of the lifecycle rule table (see the module docstring)."""

    exploration_max_tenure_days: float = 180.0
    exploration_max_purchase_days: int = 1
    formation_max_tenure_days: float = 730.0
    formation_max_purchase_days: int = 3
    growth_min: float = 0.2
    decline_p_alive: float = 0.5
    decline_purchase_drop: float = 0.3
    decline_value_drop: float = 0.4
    decline_min_previous_purchases: int = 2
    decline_significance: float = 0.3
    dormant_days: float = 365.0
    lapse_cycles: float = 3.0
    lapse_min_days: float = 30.0
    decline_late_cycles: float = 1.5

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise ConfigurationError(f"{item.name} must be a number >= 0, got {value!r}")
        for name in (
            "decline_p_alive",
            "decline_purchase_drop",
            "decline_value_drop",
            "decline_significance",
        ):
            if getattr(self, name) > 1:
                raise ConfigurationError(f"{name} must be between 0 and 1")
        if self.formation_max_tenure_days < self.exploration_max_tenure_days:
            raise ConfigurationError(
                "formation_max_tenure_days must be >= exploration_max_tenure_days"
            )


def classify_lifecycle(
    summary: pd.DataFrame,
    p_alive: pd.Series | npt.ArrayLike,
    *,
    unit: str = "W",
    trend_window_days: float = 182.0,
    rules: LifecycleRules | None = None,
) -> pd.DataFrame:
    """Assign a lifecycle stage with an explanation to every customer of ``summary``.

    ``summary`` is the per-customer summary (columns ``T``, ``recency`` and ``frequency`` or
    ``purchase_days``; optionally ``purchases_recent``/``purchases_previous`` and
    ``revenue_recent``/``revenue_previous``) in time ``unit``; ``p_alive`` is aligned with it.
    Returns a DataFrame with the same index and columns ``lifecycle_stage`` (categorical),
    ``lifecycle_rule``, ``lifecycle_reason``, ``lifecycle_reason_zh``, ``lifecycle_facts``
    (the explanation as JSON text, see :func:`explanation_facts`), ``purchase_trend`` and
    ``value_trend`` (relative change, NaN when the previous window had nothing).
    """
    rules = rules or LifecycleRules()
    if unit not in DAYS_PER_UNIT:
        raise ConfigurationError(f"unit must be one of {sorted(DAYS_PER_UNIT)}, got {unit!r}")
    facts = _facts(summary, p_alive, DAYS_PER_UNIT[unit])
    rule = _apply_rules(facts, rules, trend_window_days)
    stage_codes = np.asarray(_RULE_STAGE, dtype=np.int8)[rule]
    en, zh, as_data = _explanations(facts, rule, rules, trend_window_days)
    return pd.DataFrame(
        {
            "lifecycle_stage": _from_codes(stage_codes, list(STAGES)),
            "lifecycle_rule": _from_codes(rule, list(LIFECYCLE_RULE_CODES)),
            "lifecycle_reason": en,
            "lifecycle_reason_zh": zh,
            "lifecycle_facts": as_data,
            "purchase_trend": facts["purchase_trend"],
            "value_trend": facts["value_trend"],
        },
        index=summary.index,
    )


def _column(summary: pd.DataFrame, name: str) -> npt.NDArray[np.float64]:
    return summary[name].to_numpy(dtype=float, na_value=np.nan)


def _facts(
    summary: pd.DataFrame, p_alive: pd.Series | npt.ArrayLike, days_per_unit: float
) -> dict[str, npt.NDArray[np.float64]]:
    for name in ("T", "recency"):
        if name not in summary.columns:
            raise DataContractError(f"lifecycle needs summary column {name!r}")
    if "purchase_days" in summary.columns:
        purchase_days = _column(summary, "purchase_days")
    elif "frequency" in summary.columns:
        purchase_days = _column(summary, "frequency") + 1.0
    else:
        raise DataContractError("lifecycle needs summary column 'purchase_days' or 'frequency'")
    alive = np.asarray(p_alive, dtype=float)
    if alive.shape != (len(summary),):
        raise DataContractError(
            f"p_alive has {alive.size} values but the summary has {len(summary)} customers"
        )
    tenure = _column(summary, "T") * days_per_unit
    rhythm = order_rhythm(summary, days_per_unit)
    return {
        "tenure_days": tenure,
        "gap_days": rhythm["gap_days"],
        "cycle_days": rhythm["cycle_days"],
        "overdue": rhythm["overdue"],
        "own_cycle": rhythm["own"],
        "purchase_days": purchase_days,
        "p_alive": alive,
        "purchases_previous": _optional(summary, "purchases_previous"),
        "seasonal_pause": np.nan_to_num(_optional(summary, "seasonal_pause")),
        "longest_gap_days": _optional(summary, "longest_gap_days"),
        "purchases_recent": _optional(summary, "purchases_recent"),
        "purchase_trend": _trend(summary, "purchases_recent", "purchases_previous"),
        "value_trend": _trend(summary, "revenue_recent", "revenue_previous"),
    }


def _optional(summary: pd.DataFrame, name: str) -> npt.NDArray[np.float64]:
    if name in summary.columns:
        return _column(summary, name)
    return np.full(len(summary), np.nan)


def _trend(summary: pd.DataFrame, recent: str, previous: str) -> npt.NDArray[np.float64]:
    now, before = _optional(summary, recent), _optional(summary, previous)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(before > 0, now / before - 1.0, np.nan)


def _fewer_purchases_than_chance(
    recent: npt.NDArray[np.float64], previous: npt.NDArray[np.float64], level: float
) -> npt.NDArray[np.bool_]:
    """True where the recent window's purchase days are too few to be order-to-order noise.

    With an unchanged purchase rate, the purchase days of two equal windows split like a
    fair coin: recent ~ Binomial(recent + previous, 1/2). A customer with 6 then 4 purchase
    days (-33 %) is well within that noise (P = 0.38); 10 then 3 is not (P = 0.046). The
    level is ``decline_significance``; 1 turns the test off.
    """
    if level >= 1:
        return np.ones(recent.shape, dtype=bool)
    total = recent + previous
    # A million customers have a few hundred distinct (recent, total) count pairs: the CDF
    # (about a microsecond a call) is evaluated once per pair, then gathered.
    recent_at, recent_values = pd.factorize(recent, use_na_sentinel=False)
    total_at, total_values = pd.factorize(total, use_na_sentinel=False)
    pair_at, pairs = pd.factorize(recent_at * len(total_values) + total_at)
    pair_recent = np.asarray(recent_values, dtype=np.float64)[pairs // len(total_values)]
    pair_total = np.asarray(total_values, dtype=np.float64)[pairs % len(total_values)]
    # The binomial CDF from scipy.special: the same values as scipy.stats.binom.cdf,
    # without importing scipy.stats (half a second of every command's start-up). It wants
    # whole-number trial counts; customers without counts stay NaN (not a decline).
    known = np.isfinite(pair_total)
    pair_tail = np.full(pair_total.shape, np.nan)
    pair_tail[known] = special.bdtr(pair_recent[known], pair_total[known].astype(np.int64), 0.5)
    tail = pair_tail[pair_at]
    return np.asarray(np.nan_to_num(tail, nan=1.0) <= level, dtype=bool)


def _apply_rules(
    facts: dict[str, npt.NDArray[np.float64]], rules: LifecycleRules, window_days: float
) -> npt.NDArray[np.int8]:
    tenure, ptrend, vtrend = facts["tenure_days"], facts["purchase_trend"], facts["value_trend"]
    has_base = facts["purchases_previous"] >= rules.decline_min_previous_purchases
    clear_drop = _fewer_purchases_than_chance(
        facts["purchases_recent"], facts["purchases_previous"], rules.decline_significance
    )
    covers_both = tenure >= 2 * window_days
    # NaN (no rhythm known) compares False: neither lapsed nor late.
    # A seasonal buyer in its off-season (rhythm.late_history) is neither lapsed nor late.
    in_season = facts["seasonal_pause"] < 1
    # Nor is a customer silent for no longer than a pause they took before and came back
    # from (unknown: NaN compares False, so the rhythm alone decides).
    unprecedented = ~(facts["gap_days"] <= facts["longest_gap_days"])
    overdue = np.where(in_season & unprecedented, facts["overdue"], 0.0)
    late = ~(overdue < rules.decline_late_cycles)  # unknown rhythm: the window test alone
    conditions = [
        # The purchase model reads a seasonal buyer's off-season as dropping out (it knows
        # no calendar); the same pause a year earlier says otherwise.
        (facts["p_alive"] < rules.decline_p_alive) & in_season,
        facts["gap_days"] >= rules.dormant_days,
        (overdue >= rules.lapse_cycles) & (facts["gap_days"] >= rules.lapse_min_days),
        has_base & clear_drop & late & (ptrend <= -rules.decline_purchase_drop),
        has_base & clear_drop & late & (vtrend <= -rules.decline_value_drop),
        tenure < rules.exploration_max_tenure_days,
        facts["purchase_days"] <= rules.exploration_max_purchase_days,
        covers_both & ((ptrend >= rules.growth_min) | (vtrend >= rules.growth_min)),
        tenure < rules.formation_max_tenure_days,
        facts["purchase_days"] <= rules.formation_max_purchase_days,
    ]
    choices = list(range(len(conditions)))
    return np.select(conditions, choices, default=len(conditions)).astype(np.int8)


# Fields of an explanation, each with its integer range; customers with equal rounded fields
# share one formatted text.
_FIELDS: tuple[tuple[str, int], ...] = (
    ("rule", 16),
    ("ptrend", 1102),  # percent + 100, clipped to 0..1100; 1101 = undefined
    ("vtrend", 1102),
    ("p_alive", 101),  # hundredths
    ("tenure_months", 1200),
    ("gap_months", 1200),
    ("purchase_days", 1000),
)
_UNDEFINED_TREND = 1101
# Which fields each rule's sentence uses (others are zeroed so they don't split groups).
_RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "p_alive_low": ("p_alive", "ptrend"),
    "dormant": ("gap_months", "p_alive"),
    # The key has no room for more fields (it is near int64's range), so the lapsed rule's
    # cycle (tenths of a month) rides in the tenure_months slot and "own rhythm" (1) or
    # "the book's" (0) in the purchase_days slot; explanation_facts names them properly.
    "lapsed": ("gap_months", "p_alive", "tenure_months", "purchase_days"),
    "purchase_drop": ("ptrend", "p_alive"),
    "value_drop": ("vtrend", "p_alive"),
    "new": ("tenure_months", "p_alive"),
    "single_purchase": ("tenure_months", "p_alive"),
    "growing": ("ptrend", "vtrend", "p_alive"),
    "young": ("tenure_months", "p_alive"),
    "few_purchases": ("purchase_days", "tenure_months", "p_alive"),
    "steady": ("tenure_months", "ptrend", "p_alive"),
}


def _encode_fields(
    facts: dict[str, npt.NDArray[np.float64]], rule: npt.NDArray[np.int8]
) -> npt.NDArray[np.int64]:
    def trend_code(trend: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        pct = np.clip(np.rint(np.nan_to_num(trend, nan=0.0) * 100), -100, 1000) + 100
        return np.where(np.isnan(trend), _UNDEFINED_TREND, pct).astype(np.int64)

    raw = {
        "rule": rule.astype(np.int64),
        "ptrend": trend_code(facts["purchase_trend"]),
        "vtrend": trend_code(facts["value_trend"]),
        "p_alive": np.rint(np.clip(np.nan_to_num(facts["p_alive"]), 0, 1) * 100),
        "tenure_months": np.clip(np.rint(facts["tenure_days"] / _DAYS_PER_MONTH), 0, 1199),
        "gap_months": np.clip(np.rint(facts["gap_days"] / _DAYS_PER_MONTH), 0, 1199),
        "purchase_days": np.clip(np.nan_to_num(facts["purchase_days"]), 0, 999),
    }
    lapsed = rule == LIFECYCLE_RULE_CODES.index("lapsed")
    cycle_tenths = np.rint(np.nan_to_num(facts["cycle_days"]) / _DAYS_PER_MONTH * 10)
    raw["tenure_months"] = np.where(lapsed, np.clip(cycle_tenths, 0, 1199), raw["tenure_months"])
    raw["purchase_days"] = np.where(lapsed, facts["own_cycle"] > 0, raw["purchase_days"])
    key = np.zeros(len(rule), dtype=np.int64)
    for name, size in _FIELDS:
        used = np.asarray(
            [name == "rule" or name in _RULE_FIELDS[code] for code in LIFECYCLE_RULE_CODES]
        )
        key = key * size + np.where(used[rule], raw[name], 0).astype(np.int64)
    return key


def _decode_keys(keys: npt.NDArray[np.int64]) -> tuple[list[str], list[list[int]]]:
    """The field names and, per field, its value for each key (the inverse of
    :func:`_encode_fields`)."""
    rest = keys.astype(np.int64)
    values: dict[str, list[int]] = {}
    for name, size in reversed(_FIELDS):
        rest, field = np.divmod(rest, size)
        values[name] = field.tolist()
    names = [name for name, _size in _FIELDS]
    return names, [values[name] for name in names]


_FACTS_JSON: Final = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def _explanations(
    facts: dict[str, npt.NDArray[np.float64]],
    rule: npt.NDArray[np.int8],
    rules: LifecycleRules,
    window_days: float,
) -> tuple[pd.Categorical, pd.Categorical, pd.Categorical]:
    keys = _encode_fields(facts, rule)
    unique, inverse = np.unique(keys, return_inverse=True)
    window_en, window_zh = _window_label(window_days)
    texts_en: list[str] = []
    texts_zh: list[str] = []
    texts_data: list[str] = []
    # A million customers have ~70k distinct keys: decode them all at once, and reuse one
    # JSON encoder (json.dumps with options builds a new one per call).
    names, columns = _decode_keys(unique)
    for values in zip(*columns, strict=True):
        parts = dict(zip(names, values, strict=True))
        texts_en.append(_sentence_en(parts, rules, window_en))
        texts_zh.append(_sentence_zh(parts, rules, window_zh))
        texts_data.append(_FACTS_JSON.encode(explanation_facts(parts, rules, window_days)))
    return (
        _categorical(texts_en, inverse),
        _categorical(texts_zh, inverse),
        _categorical(texts_data, inverse),
    )


def explanation_facts(
    parts: dict[str, int], rules: LifecycleRules, window_days: float
) -> dict[str, Any]:
    """The figures one explanation quotes, as JSON-ready data (the sentences' source).

    Keys: ``rule`` (a :data:`LIFECYCLE_RULE_CODES` entry) and ``p_alive`` (two decimals),
    plus what the rule's sentence cites: ``purchase_trend`` / ``value_trend`` (signed whole
    percent vs the previous window) with ``window_months`` or ``window_weeks``,
    ``tenure_months``, ``gap_months``, ``purchase_days``, and the thresholds
    ``p_alive_threshold`` (rule ``p_alive_low``) and ``young_months`` (rule ``young``).
    """
    code = LIFECYCLE_RULE_CODES[parts["rule"]]
    out: dict[str, Any] = {"rule": code, "p_alive": parts["p_alive"] / 100}
    if code == "lapsed":  # see _RULE_FIELDS for where its figures ride
        out["gap_months"] = parts["gap_months"]
        out["cycle_months"] = parts["tenure_months"] / 10
        out["cycle_basis"] = "own" if parts["purchase_days"] else "book"
        return out
    for name in ("tenure_months", "gap_months", "purchase_days"):
        if name in _RULE_FIELDS[code]:
            out[name] = parts[name]
    trends = {
        "purchase_trend": parts["ptrend"] if "ptrend" in _RULE_FIELDS[code] else _UNDEFINED_TREND,
        "value_trend": parts["vtrend"] if "vtrend" in _RULE_FIELDS[code] else _UNDEFINED_TREND,
    }
    if code == "growing":  # the sentence cites the purchase rate when it drove the growth
        ptrend = trends["purchase_trend"]
        purchases_rose = ptrend != _UNDEFINED_TREND and ptrend - 100 >= rules.growth_min * 100
        trends["value_trend" if purchases_rose else "purchase_trend"] = _UNDEFINED_TREND
    for name, trend in trends.items():
        if trend != _UNDEFINED_TREND:
            out[name] = trend - 100
    if "purchase_trend" in out or "value_trend" in out:
        out.update(_window_count(window_days))
    if code == "p_alive_low":
        out["p_alive_threshold"] = round(rules.decline_p_alive, 2)
    if code == "young":
        out["young_months"] = round(rules.formation_max_tenure_days / _DAYS_PER_MONTH)
    return out


def _window_count(days: float) -> dict[str, int]:
    """The trend window as the sentences name it: months from 8 weeks up, else weeks."""
    if days >= 56:
        return {"window_months": max(1, round(days / _DAYS_PER_MONTH))}
    return {"window_weeks": max(1, round(days / 7))}


def _categorical(texts: list[str], inverse: npt.NDArray[np.intp]) -> pd.Categorical:
    # Different keys can round to the same sentence; categories must be unique.
    categories = list(dict.fromkeys(texts))
    position = {text: i for i, text in enumerate(categories)}
    remap = np.asarray([position[text] for text in texts], dtype=np.int64)
    return _from_codes(remap[inverse.ravel()], categories)


def _from_codes(codes: npt.NDArray[np.integer[Any]], categories: list[str]) -> pd.Categorical:
    return cast(pd.Categorical, pd.Categorical.from_codes(codes, categories=pd.Index(categories)))


def _window_label(days: float) -> tuple[str, str]:
    window = _window_count(days)
    if "window_months" in window:
        months = window["window_months"]
        return (f"{months} month{'s' if months != 1 else ''}", f"{months} 个月")
    weeks = window["window_weeks"]
    return (f"{weeks} week{'s' if weeks != 1 else ''}", f"{weeks} 周")


def _trend_en(code: int, what: str, window: str) -> str:
    pct = code - 100
    if pct < 0:
        return f"{what} fell {-pct}% vs previous {window}"
    if pct > 0:
        return f"{what} rose {pct}% vs previous {window}"
    return f"{what} unchanged vs previous {window}"


def _trend_zh(code: int, what: str, window: str) -> str:
    pct = code - 100
    if pct < 0:
        return f"{what}较前 {window}下降 {-pct}%"
    if pct > 0:
        return f"{what}较前 {window}上升 {pct}%"
    return f"{what}与前 {window}持平"


def _sentence_en(parts: dict[str, int], rules: LifecycleRules, window: str) -> str:
    code = LIFECYCLE_RULE_CODES[parts["rule"]]
    p_alive = f"P(alive) {parts['p_alive'] / 100:.2f}"
    has_trend = parts["ptrend"] != _UNDEFINED_TREND
    trend = _trend_en(parts["ptrend"], "purchase rate", window) if has_trend else ""
    # Only the chosen rule's text is formatted, in plain branches (a million customers have
    # ~70k distinct texts; a table of lambdas built for each one cost time).
    if code == "p_alive_low":
        lead = f"{p_alive} is below {rules.decline_p_alive:.2f}"
        return lead + (f"; {trend}" if has_trend else "")
    months = _count_en(parts["tenure_months"], "month")
    if code == "dormant":
        lead = f"no purchase for {_count_en(parts['gap_months'], 'month')}"
    elif code == "lapsed":
        lead = f"no purchase for {_count_en(parts['gap_months'], 'month')}; " + _cycle_en(parts)
    elif code == "purchase_drop":
        lead = trend
    elif code == "value_drop":
        lead = _trend_en(parts["vtrend"], "value", window)
    elif code == "new":
        lead = f"first purchase {months} ago"
    elif code == "single_purchase":
        lead = f"only one purchase day, first {months} ago"
    elif code == "growing":
        purchases_rose = has_trend and parts["ptrend"] - 100 >= rules.growth_min * 100
        lead = trend if purchases_rose else _trend_en(parts["vtrend"], "value", window)
    elif code == "young":
        young = rules.formation_max_tenure_days / _DAYS_PER_MONTH
        lead = f"customer for {months} (under {young:.0f})"
    elif code == "few_purchases":
        days = _count_en(parts["purchase_days"], "purchase day")
        lead = f"only {days} in {parts['tenure_months']} months"
    else:  # steady
        lead = f"customer for {months}" + (f", {trend}" if has_trend else "")
    return f"{lead}, {p_alive}"


def _cycle_en(parts: dict[str, int]) -> str:
    cycle = f"{parts['tenure_months'] / 10:.1f} months"
    if parts["purchase_days"]:
        return f"usually orders every {cycle}"
    return f"the book's customers usually order every {cycle}"


def _cycle_zh(parts: dict[str, int]) -> str:
    cycle = f"{parts['tenure_months'] / 10:.1f} 个月"
    if parts["purchase_days"]:
        return f"平时每 {cycle}下单一次"
    return f"客户群通常每 {cycle}下单一次"


def _count_en(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _sentence_zh(parts: dict[str, int], rules: LifecycleRules, window: str) -> str:
    code = LIFECYCLE_RULE_CODES[parts["rule"]]
    p_alive = f"存活概率 {parts['p_alive'] / 100:.2f}"
    has_trend = parts["ptrend"] != _UNDEFINED_TREND
    trend = _trend_zh(parts["ptrend"], "购买频率", window) if has_trend else ""
    # Plain branches, as in _sentence_en.
    if code == "p_alive_low":
        lead = f"{p_alive}，低于 {rules.decline_p_alive:.2f}"
        return lead + (f"；{trend}" if has_trend else "")
    months = parts["tenure_months"]
    if code == "dormant":
        lead = f"已 {parts['gap_months']} 个月未购买"
    elif code == "lapsed":
        lead = f"已 {parts['gap_months']} 个月未购买；" + _cycle_zh(parts)
    elif code == "purchase_drop":
        lead = trend
    elif code == "value_drop":
        lead = _trend_zh(parts["vtrend"], "购买金额", window)
    elif code == "new":
        lead = f"首次购买于 {months} 个月前"
    elif code == "single_purchase":
        lead = f"仅购买过一天，首次购买于 {months} 个月前"
    elif code == "growing":
        purchases_rose = has_trend and parts["ptrend"] - 100 >= rules.growth_min * 100
        lead = trend if purchases_rose else _trend_zh(parts["vtrend"], "购买金额", window)
    elif code == "young":
        young = rules.formation_max_tenure_days / _DAYS_PER_MONTH
        lead = f"合作 {months} 个月（不足 {young:.0f} 个月）"
    elif code == "few_purchases":
        lead = f"{months} 个月内仅购买 {parts['purchase_days']} 天"
    else:  # steady
        lead = f"合作 {months} 个月" + (f"，{trend}" if has_trend else "")
    return f"{lead}，{p_alive}"
