"""Pareto CRM's customer value engine: framework-free, usable from a notebook.

    >>> from paretocrm.analytics import analyze, load_cdnow_sample
    >>> result = analyze(load_cdnow_sample())          # doctest: +SKIP
    >>> result.scores.head()                             # doctest: +SKIP

Exceptions (all derive from :class:`AnalyticsError`):

* :class:`DataContractError` - input data break the contract (names the column and rows);
* :class:`ConfigurationError` - a setting or weight is invalid (names the key);
* :class:`NotFittedError` - a model was used before ``fit``;
* :class:`ConvergenceError` - a model's likelihood could not be maximised on these data.

The Spark engine (``paretocrm.analytics.engines.spark_engine``) is not re-exported so that
pyspark stays an optional dependency.
"""

from paretocrm.analytics.ahp import AHPResult, ahp_weights, comparison_matrix
from paretocrm.analytics.backtest import BacktestResult, backtest
from paretocrm.analytics.churn import ChurnResult, ChurnRules, churn_warning
from paretocrm.analytics.concentration import (
    ConcentrationReport,
    HerfindahlIndex,
    concentration_report,
    dependency_alerts,
    herfindahl_index,
    next_core_customers,
)
from paretocrm.analytics.config import AnalysisConfig, default_config, load_config
from paretocrm.analytics.contract import load_customers, load_transactions
from paretocrm.analytics.datasets import load_cdnow_master, load_cdnow_sample
from paretocrm.analytics.exceptions import (
    AnalyticsError,
    ConfigurationError,
    ConvergenceError,
    DataContractError,
    NotFittedError,
)
from paretocrm.analytics.forecast import Forecast, forecast_next_period, seasonal_demand
from paretocrm.analytics.health import HealthResult, HealthRules, account_health
from paretocrm.analytics.lifecycle import LifecycleRules, classify_lifecycle
from paretocrm.analytics.models.bgnbd import BGNBDModel
from paretocrm.analytics.models.clv import customer_lifetime_value
from paretocrm.analytics.models.gammagamma import GammaGammaModel
from paretocrm.analytics.models.paretonbd import ParetoNBDModel
from paretocrm.analytics.models.sbg import SBGModel
from paretocrm.analytics.pareto import ParetoSummary, pareto_analysis, top_shares
from paretocrm.analytics.pipeline import AnalysisResult, analyze
from paretocrm.analytics.rating import RatingResult, rate, rating_inputs
from paretocrm.analytics.report import write_report
from paretocrm.analytics.rfm import rfm_scores
from paretocrm.analytics.segmentation import Segmentation, segment_customers
from paretocrm.analytics.summary import summarize
from paretocrm.analytics.tiers import TierRules, assign_tiers, tier_migration, value_axes
from paretocrm.analytics.value import CostToServe, abc_classes, customer_value

__all__ = [
    "AHPResult",
    "AnalysisConfig",
    "AnalysisResult",
    "AnalyticsError",
    "BGNBDModel",
    "BacktestResult",
    "ChurnResult",
    "ChurnRules",
    "ConcentrationReport",
    "ConfigurationError",
    "ConvergenceError",
    "CostToServe",
    "DataContractError",
    "Forecast",
    "GammaGammaModel",
    "HealthResult",
    "HealthRules",
    "HerfindahlIndex",
    "LifecycleRules",
    "NotFittedError",
    "ParetoNBDModel",
    "ParetoSummary",
    "RatingResult",
    "SBGModel",
    "Segmentation",
    "TierRules",
    "abc_classes",
    "account_health",
    "ahp_weights",
    "analyze",
    "assign_tiers",
    "backtest",
    "churn_warning",
    "classify_lifecycle",
    "comparison_matrix",
    "concentration_report",
    "customer_lifetime_value",
    "customer_value",
    "default_config",
    "dependency_alerts",
    "forecast_next_period",
    "herfindahl_index",
    "load_cdnow_master",
    "load_cdnow_sample",
    "load_config",
    "load_customers",
    "load_transactions",
    "next_core_customers",
    "pareto_analysis",
    "rate",
    "rating_inputs",
    "rfm_scores",
    "seasonal_demand",
    "segment_customers",
    "summarize",
    "tier_migration",
    "top_shares",
    "value_axes",
    "write_report",
]
