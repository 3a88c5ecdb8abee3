"""Pareto CRM: one customer database and explainable core-customer analysis."""

__version__ = "0.1.0"
