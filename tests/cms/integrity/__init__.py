"""Regression tests for the editorial chain: published means approved, released means unchanged."""
