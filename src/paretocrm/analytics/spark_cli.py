"""The ``paretocrm analyze --engine spark`` run: session, engine run, models.json, summary.

Kept apart from :mod:`paretocrm.analytics.cli` so that the DuckDB path never imports
pyspark. Which Spark master is used:

- ``--spark-master URL`` when given (``local[N]``, ``spark://host:7077``, ``yarn``, ...);
- under ``spark-submit`` (the driver then finds ``PYSPARK_GATEWAY_PORT`` in its
  environment) the master and executors spark-submit was given;
- otherwise ``local[2]`` on this machine.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from paretocrm.analytics.config import AnalysisConfig
from paretocrm.analytics.exceptions import AnalyticsError
from paretocrm.analytics.summary import UNIT_DAYS

__all__ = ["horizon_units", "run_spark"]

_DAYS_PER_MONTH = 365.25 / 12
#: Settings that hold on any cluster (the bind-address ones of LOCAL_CONF are local only).
_CLUSTER_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


def horizon_units(config: AnalysisConfig) -> float:
    """The CLV horizon in model time units, exactly as the DuckDB pipeline computes it."""
    return config.value.horizon_months * _DAYS_PER_MONTH / UNIT_DAYS[config.summary.unit]


def run_spark(
    console: Console,
    source: str,
    out: Path,
    *,
    config: AnalysisConfig,
    holdout: str | None,
    master: str | None,
    table: bool,
) -> list[Path]:
    """Run the Spark engine and write ``scores.parquet`` (directory) and ``models.json``.

    Raises:
        AnalyticsError: pyspark or Java missing, Spark failing to start, or bad data
            (the engine's :class:`DataContractError` names the column).
    """
    if not table and not Path(source).exists():
        raise AnalyticsError(f"{source}: file not found")
    engine = _engine()
    started = time.perf_counter()
    session = _session(master)
    try:
        console.print(
            f"Spark {session.version} on {session.sparkContext.master}: analysing {source}",
            highlight=False,
        )
        scores_path = out / "scores.parquet"
        result = engine.run(
            session,
            source,
            scores_path,
            kind="table" if table else "parquet",
            unit=config.summary.unit,
            calibration_end=holdout,
            horizon=horizon_units(config),
            penalizer_coef=config.models.penalizer_coef,
        )
        customers = session.read.parquet(str(scores_path)).count()
    except AnalyticsError:
        raise
    except Exception as error:  # Py4J/Spark errors carry a Java stack: show its first line
        first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise AnalyticsError(f"{source}: Spark run failed: {first}") from None
    finally:
        if master is not None or "PYSPARK_GATEWAY_PORT" not in os.environ:
            session.stop()
    seconds = time.perf_counter() - started
    models_path = out / "models.json"
    document = _models_document(result, config, customers, seconds, session_master=master)
    models_path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    _print_summary(console, document)
    return [scores_path, models_path]


def _engine() -> Any:
    try:
        from paretocrm.analytics.engines import spark_engine
    except ImportError as error:
        raise AnalyticsError(
            f"--engine spark needs pyspark ({error}); install it with "
            "`pip install 'paretocrm[spark]'`"
        ) from None
    return spark_engine


def _session(master: str | None) -> Any:
    """A local session, the spark-submit session, or a session on the given cluster."""
    from pyspark.sql import SparkSession

    from paretocrm.analytics.engines import spark_engine

    try:
        if master is None and "PYSPARK_GATEWAY_PORT" in os.environ:
            builder = SparkSession.builder.appName("paretocrm")
            for key, value in _CLUSTER_CONF.items():
                builder = builder.config(key, value)
            return builder.getOrCreate()
        url = master or "local[2]"
        if url.startswith("local"):
            return spark_engine.local_session(master=url)
        builder = SparkSession.builder.master(url).appName("paretocrm")
        for key, value in _CLUSTER_CONF.items():
            builder = builder.config(key, value)
        return builder.getOrCreate()
    except Exception as error:  # the JVM did not start or the master is unreachable
        first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise AnalyticsError(
            f"--spark-master {master or 'local[2]'}: Spark could not start ({first}); "
            "is Java installed (java on PATH or JAVA_HOME) and the master reachable?"
        ) from None


def _models_document(
    result: Any,
    config: AnalysisConfig,
    customers: int,
    seconds: float,
    *,
    session_master: str | None,
) -> dict[str, Any]:
    models = {"bgnbd": result.model}
    if result.spend_model is not None:
        models["gammagamma"] = result.spend_model
    return {
        "engine": "spark",
        "master": session_master,
        "customers": customers,
        "unit": config.summary.unit,
        "horizon": horizon_units(config),
        "models": {
            name: {
                "params": {k: float(v) for k, v in model.params_.items()},
                "log_likelihood": float(model.log_likelihood_),
                "n_customers": float(model.n_customers_),
                "n_profiles": int(model.n_profiles_),
            }
            for name, model in models.items()
        },
        "seconds": round(seconds, 3),
    }


def _print_summary(console: Console, document: dict[str, Any]) -> None:
    console.print(
        f"[bold]Pareto CRM analysis (Spark)[/]: {document['customers']:,} customers scored "
        f"in {document['seconds']:.1f} s; horizon {document['horizon']:.2f} {document['unit']}",
        highlight=False,
    )
    for name, info in document["models"].items():
        params = ", ".join(f"{k}={v:.4g}" for k, v in info["params"].items())
        console.print(
            f"  {name}: {params} (fitted on {info['n_profiles']:,} distinct profiles)",
            highlight=False,
        )
