"""RFM: recency, frequency and monetary quintile scores and named segments.

Scores run from 1 (worst) to 5 (best):

* **R** - time since the last purchase, ``T - recency`` in the summary's unit (shorter is
  better);
* **F** - repeat purchase days, ``frequency``;
* **M** - total revenue in the calibration period (``revenue``), or another column.

Scoring uses the *mid-rank percentile*: customers with equal values share the average of
the ranks they occupy, and the score is ``1 + floor(5 * (mid_rank - 0.5) / n)``. So the
scores are exact quintiles when all values differ, tied customers always get the same
score (no arbitrary tie breaking), and with fewer than five distinct values the scores
simply use fewer levels (all customers equal -> everyone scores 3).

Segments come from R and FM = the rounded-half-up mean of F and M, by this table (every one
of the 25 cells has exactly one segment):

=====  ==============  ==================  ==================  =========  ================
R/FM   1               2                   3                   4          5
=====  ==============  ==================  ==================  =========  ================
5      New             Potential loyalist  Potential loyalist  Champions  Champions
4      Promising       Potential loyalist  Potential loyalist  Loyal      Loyal
3      About to sleep  About to sleep      Need attention      Loyal      Loyal
2      Hibernating     Hibernating         At risk             At risk    Cannot lose them
1      Lost            Lost                At risk             At risk    Cannot lose them
=====  ==============  ==================  ==================  =========  ================
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from paretocrm.analytics.exceptions import ConfigurationError, DataContractError
from paretocrm.analytics.pareto import finite_values
from paretocrm.analytics.value import require_columns

CHAMPIONS = "Champions"
LOYAL = "Loyal"
POTENTIAL_LOYALIST = "Potential loyalist"
NEW = "New"
PROMISING = "Promising"
NEED_ATTENTION = "Need attention"
ABOUT_TO_SLEEP = "About to sleep"
AT_RISK = "At risk"
CANNOT_LOSE = "Cannot lose them"
HIBERNATING = "Hibernating"
LOST = "Lost"

#: Segments from best to worst, in display order.
SEGMENTS: tuple[str, ...] = (
    CHAMPIONS,
    LOYAL,
    POTENTIAL_LOYALIST,
    NEW,
    PROMISING,
    NEED_ATTENTION,
    ABOUT_TO_SLEEP,
    AT_RISK,
    CANNOT_LOSE,
    HIBERNATING,
    LOST,
)

#: The rule table of the module docstring: ``SEGMENT_TABLE[r - 1][fm - 1]``.
SEGMENT_TABLE: tuple[tuple[str, ...], ...] = (
    (LOST, LOST, AT_RISK, AT_RISK, CANNOT_LOSE),
    (HIBERNATING, HIBERNATING, AT_RISK, AT_RISK, CANNOT_LOSE),
    (ABOUT_TO_SLEEP, ABOUT_TO_SLEEP, NEED_ATTENTION, LOYAL, LOYAL),
    (PROMISING, POTENTIAL_LOYALIST, POTENTIAL_LOYALIST, LOYAL, LOYAL),
    (NEW, POTENTIAL_LOYALIST, POTENTIAL_LOYALIST, CHAMPIONS, CHAMPIONS),
)

#: Simplified-Chinese segment names (the first four follow the common 重要价值/保持/挽留 naming).
SEGMENT_LABELS_ZH_HANS: dict[str, str] = {
    CHAMPIONS: "重要价值客户",
    LOYAL: "忠诚客户",
    POTENTIAL_LOYALIST: "潜在忠诚客户",
    NEW: "新客户",
    PROMISING: "有潜力的新客户",
    NEED_ATTENTION: "需要关注的客户",
    ABOUT_TO_SLEEP: "即将沉睡的客户",
    AT_RISK: "重要保持客户",
    CANNOT_LOSE: "重要挽留客户",
    HIBERNATING: "沉睡客户",
    LOST: "流失客户",
}

#: Traditional-Chinese segment names.
SEGMENT_LABELS_ZH_HANT: dict[str, str] = {
    CHAMPIONS: "重要價值客戶",
    LOYAL: "忠誠客戶",
    POTENTIAL_LOYALIST: "潛在忠誠客戶",
    NEW: "新客戶",
    PROMISING: "有潛力的新客戶",
    NEED_ATTENTION: "需要關注的客戶",
    ABOUT_TO_SLEEP: "即將沉睡的客戶",
    AT_RISK: "重要保持客戶",
    CANNOT_LOSE: "重要挽留客戶",
    HIBERNATING: "沉睡客戶",
    LOST: "流失客戶",
}

#: SEGMENT_TABLE as positions in SEGMENTS, for a vectorised lookup.
_SEGMENT_CODES = np.array([[SEGMENTS.index(name) for name in row] for row in SEGMENT_TABLE])
#: Every three-digit code "111".."555", in the order 25 (r-1) + 5 (f-1) + (m-1).
_RFM_CODES = [f"{r}{f}{m}" for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)]

_LABELS = {"en": {s: s for s in SEGMENTS}, "zh-hans": SEGMENT_LABELS_ZH_HANS}
_LABELS["zh-hant"] = SEGMENT_LABELS_ZH_HANT


def segment_label(segment: str, language: str = "en") -> str:
    """The display name of an RFM segment in ``en``, ``zh-hans`` or ``zh-hant``."""
    try:
        return _LABELS[language.lower()][segment]
    except KeyError as error:
        raise ConfigurationError(
            f"no label for segment {segment!r} in language {language!r}; "
            f"languages: {', '.join(_LABELS)}; segments: {', '.join(SEGMENTS)}"
        ) from error


def quintile_scores(
    values: npt.ArrayLike, *, higher_is_better: bool = True
) -> npt.NDArray[np.int8]:
    """Scores 1..5 by mid-rank percentile (ties share a score; see the module docstring)."""
    array = np.asarray(values, dtype=np.float64)
    n = array.size
    if n == 0:
        return np.zeros(0, dtype=np.int8)
    keyed = array if higher_is_better else -array
    mid_rank = pd.Series(keyed).rank(method="average").to_numpy()
    scores = 1 + np.floor(5.0 * (mid_rank - 0.5) / n)
    clipped: npt.NDArray[np.int8] = np.clip(scores, 1, 5).astype(np.int8)
    return clipped


def rfm_scores(summary: pd.DataFrame, *, monetary: str = "revenue") -> pd.DataFrame:
    """R, F and M scores, the three-digit code and the named segment per customer.

    Args:
        summary: per-customer summary (``frequency``, ``recency``, ``T`` and ``monetary``).
        monetary: the summary column scored as M, default ``revenue``.

    Returns:
        DataFrame indexed like ``summary`` with ``r_score``, ``f_score``, ``m_score``
        (int 1..5), ``rfm_code`` (categorical, e.g. "545") and ``rfm_segment`` (categorical, see
        :data:`SEGMENTS`).
    """
    require_columns(summary, ("frequency", "recency", "T", monetary), what="customer summary")
    since_last = finite_values(summary["T"], name="T") - finite_values(
        summary["recency"], name="recency"
    )
    if (since_last < -1e-9).any():
        first = summary.index[since_last < -1e-9][:5]
        raise DataContractError(f"customer summary: recency is larger than T for {list(first)}")
    r = quintile_scores(since_last, higher_is_better=False)
    f = quintile_scores(finite_values(summary["frequency"], name="frequency"))
    m = quintile_scores(finite_values(summary[monetary], name=monetary))
    table = pd.DataFrame({"r_score": r, "f_score": f, "m_score": m}, index=summary.index)
    cell = 25 * (r.astype(np.int64) - 1) + 5 * (f.astype(np.int64) - 1) + (m.astype(np.int64) - 1)
    table["rfm_code"] = pd.Categorical.from_codes(cell, categories=pd.Index(_RFM_CODES))
    table["rfm_segment"] = rfm_segments(r, f, m, index=summary.index)
    return table


def rfm_segments(
    r: npt.ArrayLike, f: npt.ArrayLike, m: npt.ArrayLike, *, index: pd.Index | None = None
) -> pd.Series:
    """Named segments from R, F, M scores by the module's rule table (vectorised lookup)."""
    r_arr, f_arr, m_arr = (np.asarray(x, dtype=np.int64) for x in (r, f, m))
    for name, arr in (("r", r_arr), ("f", f_arr), ("m", m_arr)):
        if arr.size and (arr.min() < 1 or arr.max() > 5):
            raise DataContractError(f"RFM {name} scores must be in 1..5")
    # Half-up rounding of the mean of F and M: (f + m + 1) // 2.
    fm = (f_arr + m_arr + 1) // 2
    codes = _SEGMENT_CODES[r_arr - 1, fm - 1]
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=pd.Index(list(SEGMENTS))),
        index=index,
        name="rfm_segment",
    )
