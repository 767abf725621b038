"""Metrics: the `Metric` base (stateful and stateless APIs), the built-in metrics by family,
their lookup, and the `compile()` string rules.

The public list is `lamina/metrics.py`.
"""
