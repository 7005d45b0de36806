"""Test data and helpers for the redline tests (tests/test_diff*.py)."""
