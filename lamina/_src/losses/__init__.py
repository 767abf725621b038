"""Losses: the `Loss` base and reductions, the built-in losses by family, and their lookup.

The public list is `lamina/losses.py`.
"""
