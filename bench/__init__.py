"""Benchmarks: how fast the analytics views answer on a large incident history."""
